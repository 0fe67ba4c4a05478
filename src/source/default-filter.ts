/**
 * The default BPF filter of `watch`: what the anycast detectors need and as
 * little else as possible, so the kernel drops the bulk traffic before it is
 * copied to user space.
 *
 *   arp or icmp or icmp6 or udp port 67 or udp port 68
 *   or (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)
 *   or ((ether src A or ether src B …) and (ether dst A or ether dst B …))
 *   or (vlan and (arp or icmp or icmp6 or udp port 67 or udp port 68))
 *
 * DHCPv4 (UDP 67/68) is there for the DHCP detectors: offers and acks are
 * few (one exchange per client and lease), so it costs nothing; any other
 * UDP — DNS, the bulk — stays in the kernel.
 *
 * TCP segments with SYN, FIN or RST set are there for moved-connection: a
 * connection's start and end through one gateway and a reset through
 * another are a few segments per connection; the data and ACKs between,
 * the bulk, stay in the kernel (so are segments sent again: a full capture
 * shows those). `tcp[…]` reads IPv4 only: libpcap cannot index into TCP
 * behind IPv6, so IPv6 connections are seen only in a full capture, and the
 * clause stays out of the VLAN one.
 *
 * Notes on what BPF can and cannot express here:
 *  - `vlan` moves the offsets of every primitive *after* it in the expression
 *    (libpcap keeps that state while compiling), so the VLAN clause comes
 *    last. On Linux the kernel usually strips the tag into metadata before
 *    the filter runs; libpcap compiles `vlan` to the ancillary VLAN test
 *    then, and the untagged clauses already match those frames too.
 *  - `icmp6` looks at the IPv6 next-header only: ICMPv6 behind extension
 *    headers (MLD, which carries a hop-by-hop header) is not matched. Echo,
 *    NDP (NS/NA/RS/RA) and errors are. `ip6 protochain 58` would chase the
 *    chain, at the cost of a loop in the program.
 *  - batman-adv: on br-fftr / bat0 frames are already decapsulated, which is
 *    where this tool should capture. On a mesh-facing interface the client
 *    frame sits inside ethertype 0x4305 behind a header whose length depends
 *    on the packet type (unicast, unicast-4addr, broadcast, fragments…), so
 *    "ARP inside batman-adv" has no fixed offset BPF could test. `batadv: true`
 *    keeps every batman-adv frame instead and leaves the rest to the decoder.
 *  - Gateway pairs: the OR-of-sources AND OR-of-destinations form grows
 *    linearly with the gateways (the per-pair form grows quadratically); it
 *    also admits A→A, which real traffic does not produce.
 */
import { UsageError } from '../core/errors.js';

export interface DefaultFilterOptions {
  /**
   * MACs of the gateways (own MACs and the anycast MAC): frames with both
   * source and destination in this set are captured too. Strings in colon or
   * dash form, or 48-bit numbers. Fewer than two MACs add nothing.
   */
  gatewayMacs?: readonly (string | number)[];
  /** Also capture VLAN-tagged ARP/ICMP/ICMPv6/DHCP (default true). */
  vlan?: boolean;
  /** Also capture every batman-adv frame, ethertype 0x4305 (default false). */
  batadv?: boolean;
}

/** DHCPv4, server and client port: what the DHCP detectors read. */
export const DHCP_FILTER = 'udp port 67 or udp port 68';

export const BASE_FILTER = `arp or icmp or icmp6 or ${DHCP_FILTER}`;

/** IPv4 TCP segments that open, close or reset a connection: what moved-connection needs live. */
export const TCP_FLAGS_FILTER = 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0';

/** Normalises a MAC to the lower-case colon form libpcap accepts; throws UsageError if it is not one. */
export function bpfMac(mac: string | number): string {
  if (typeof mac === 'number') {
    if (!Number.isInteger(mac) || mac < 0 || mac > 0xffffffffffff) throw new UsageError(`not a MAC address: ${mac}`);
    const hex = mac.toString(16).padStart(12, '0');
    return hex.replace(/(..)(?!$)/g, '$1:');
  }
  const parts = mac.trim().split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new UsageError(`not a MAC address: "${mac}" (expected aa:bb:cc:dd:ee:ff)`);
  }
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}

export function buildDefaultFilter(opts: DefaultFilterOptions = {}): string {
  const clauses: string[] = [BASE_FILTER, `(${TCP_FLAGS_FILTER})`];
  const macs = [...new Set((opts.gatewayMacs ?? []).map(bpfMac))];
  if (macs.length >= 2) {
    const src = macs.map((m) => `ether src ${m}`).join(' or ');
    const dst = macs.map((m) => `ether dst ${m}`).join(' or ');
    clauses.push(`((${src}) and (${dst}))`);
  }
  if (opts.batadv === true) clauses.push('ether proto 0x4305');
  // Must stay last: `vlan` shifts the offsets of everything after it.
  if (opts.vlan ?? true) clauses.push(`(vlan and (${BASE_FILTER}))`);
  return clauses.join(' or ');
}
