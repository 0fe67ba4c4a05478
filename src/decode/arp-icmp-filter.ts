import { EtherType } from './dispatch.js';
import { Layer } from './layer.js';

/** The subset of a decoded frame this filter reads. */
export interface FilterableFrame {
  readonly layers: number;
  readonly stopLayer: number;
  readonly etherType: number;
}

const ARP_ICMP = Layer.arp | Layer.icmp | Layer.icmpv6;

/**
 * ARP, ICMP and ICMPv6 frames, including those cut short inside (or right
 * before) those layers: what `frames` lists by default and what the corpus
 * conformance compares with tshark.
 */
export function isArpOrIcmp(d: FilterableFrame): boolean {
  if ((d.layers & ARP_ICMP) !== 0) return true;
  if ((d.stopLayer & ARP_ICMP) !== 0) return true;
  return d.stopLayer !== Layer.none && (d.etherType === EtherType.arp || d.etherType === EtherType.rarp);
}
