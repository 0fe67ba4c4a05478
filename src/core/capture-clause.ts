/**
 * The clauses `watch`'s default capture filter is made of, by name. A
 * detector declares the ones it needs live (`DetectorDefinition.capture`);
 * the filter is the union over the detectors that run, written in this
 * order (source/default-filter.ts holds each clause's BPF, and
 * detect/live-capture.ts the decoded layers each one lets through).
 */
export const CAPTURE_CLAUSES = [
  /** ARP, untagged and VLAN-tagged. */
  'arp',
  /** ICMP over IPv4, untagged and VLAN-tagged. */
  'icmp',
  /** ICMPv6 right behind the IPv6 header (echo, NDP, RA), untagged and VLAN-tagged. */
  'icmp6',
  /** DHCPv4: UDP port 67 or 68, untagged and VLAN-tagged. */
  'dhcp',
  /** IPv4 TCP segments with SYN, FIN or RST set: a connection's opening, end and reset. */
  'tcp-flags',
  /** Every frame from one known gateway/anycast MAC to another. */
  'gateway-pairs',
] as const;

export type CaptureClause = (typeof CAPTURE_CLAUSES)[number];
