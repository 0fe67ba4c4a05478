import { ArpOp } from '../decode/arp.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import type { DetectContext } from './detector.js';

/**
 * Facts every detector may read, recorded for each frame before any
 * detector sees it, so that no detector depends on another having run:
 * which unicast MAC claimed each non-anycast IPv4 address in ARP (it names
 * learned gateways by IP, and the owner of an address the anycast MAC
 * claimed).
 */
export function recordFacts(d: DecodedFrame, ctx: DetectContext): void {
  if ((d.layers & Layer.arp) === 0) return;
  const a = d.arp;
  if (!a.complete || !a.isEthernetIpv4() || (a.op !== ArpOp.request && a.op !== ArpOp.reply)) return;
  if (!ctx.anycast.isAnycastIpv4(a.spa)) ctx.gateways.noteIpClaim(a.spa, a.sha);
}
