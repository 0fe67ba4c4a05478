/**
 * The default BPF filter of `watch`: what the detectors that run need and
 * as little else as possible, so the kernel drops the bulk traffic before it
 * is copied to user space. Each detector declares the clauses it needs
 * (`capture` in its definition, core/capture-clause.ts names them); the
 * filter is their union, in the order of CAPTURE_CLAUSES. With every
 * default detector it is
 *
 *   arp or icmp or icmp6 or udp port 67 or udp port 68
 *   or (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)
 *   or ((ether src A or ether src B …) and (ether dst A or ether dst B …))
 *   or (vlan and (arp or icmp or icmp6 or udp port 67 or udp port 68))
 *
 * and a detector not selected takes out what only it asked for.
 *
 * DHCPv4 (UDP 67/68) is there for the DHCP detectors: offers and acks are
 * few (one exchange per client and lease), so it costs nothing; any other
 * UDP — DNS, the bulk — stays in the kernel.
 *
 * TCP segments with SYN, FIN or RST set are there for moved-connection and
 * asymmetric-reply: a connection's start and end through one gateway and a
 * reset through another are a few segments per connection; the data and
 * ACKs between, the bulk, stay in the kernel (so are segments sent again: a
 * full capture shows those). `tcp[…]` reads IPv4 only: libpcap cannot index
 * into TCP behind IPv6, so IPv6 connections are seen only in a full
 * capture, and the clause stays out of the VLAN one.
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
import { CAPTURE_CLAUSES, type CaptureClause } from '../core/capture-clause.js';
import { UsageError } from '../core/errors.js';

export interface DefaultFilterOptions {
  /** The detectors that will run: the filter captures what their definitions' `capture` names. */
  detectors: readonly { readonly capture: readonly CaptureClause[] }[];
  /**
   * MACs of the gateways (own MACs and the anycast MAC): frames with both
   * source and destination in this set are captured too. Strings in colon or
   * dash form, or 48-bit numbers. Fewer than two MACs add nothing.
   */
  gatewayMacs?: readonly (string | number)[];
  /** Also capture the VLAN-tagged copies of the clauses that have one: ARP, ICMP, ICMPv6, DHCP (default true). */
  vlan?: boolean;
  /** Also capture every batman-adv frame, ethertype 0x4305 (default false). */
  batadv?: boolean;
}

/** One clause's BPF (from the gateway MACs, for the clause that needs them; undefined: nothing to add), and whether it is repeated behind `vlan` for tagged frames. */
interface ClauseBpf {
  bpf(gatewayMacs: readonly string[]): string | undefined;
  vlan: boolean;
}

const CLAUSE_BPF = {
  arp: { bpf: () => 'arp', vlan: true },
  icmp: { bpf: () => 'icmp', vlan: true },
  icmp6: { bpf: () => 'icmp6', vlan: true },
  dhcp: { bpf: () => 'udp port 67 or udp port 68', vlan: true },
  'tcp-flags': { bpf: () => '(tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)', vlan: false },
  'gateway-pairs': { bpf: gatewayPairs, vlan: false },
} satisfies Record<CaptureClause, ClauseBpf>;

/** Frames from one of `macs` to another; fewer than two MACs make no pair. */
function gatewayPairs(macs: readonly string[]): string | undefined {
  if (macs.length < 2) return undefined;
  const src = macs.map((m) => `ether src ${m}`).join(' or ');
  const dst = macs.map((m) => `ether dst ${m}`).join(' or ');
  return `((${src}) and (${dst}))`;
}

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

/**
 * The filter for `opts.detectors`: the union of their clauses, in the
 * order of CAPTURE_CLAUSES, the gateway pairs from `gatewayMacs`, batman-adv
 * if asked, and the VLAN-tagged copies last. Throws UsageError when that
 * leaves nothing to capture (an empty filter would capture everything).
 */
export function buildDefaultFilter(opts: DefaultFilterOptions): string {
  const wanted = new Set(opts.detectors.flatMap((d) => d.capture));
  const chosen: ClauseBpf[] = CAPTURE_CLAUSES.filter((c) => wanted.has(c)).map((c) => CLAUSE_BPF[c]);
  const macs = [...new Set((opts.gatewayMacs ?? []).map(bpfMac))];
  const clauses = chosen.map((c) => c.bpf(macs)).filter((b) => b !== undefined);
  if (opts.batadv === true) clauses.push('ether proto 0x4305');
  // Must stay last: `vlan` shifts the offsets of everything after it.
  const tagged = chosen
    .filter((c) => c.vlan)
    .map((c) => c.bpf(macs))
    .filter((b) => b !== undefined);
  if ((opts.vlan ?? true) && tagged.length > 0) clauses.push(`(vlan and (${tagged.join(' or ')}))`);
  if (clauses.length === 0) throw new UsageError('the detectors selected need nothing a capture filter can name here: give --filter');
  return clauses.join(' or ');
}
