import { ArpOp } from '../decode/arp.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import type { FindingOf } from './findings.js';
import { foldIpv6 } from './flow-table.js';

const KIND = 'anycast-mac-for-unicast-ip';

/** The anycast MAC claimed an address that is not an anycast one. */
export interface AnycastMacForUnicastIpEvidence {
  readonly kind: typeof KIND;
  /** The address claimed: IPv4 (uint32) or -1, else IPv6. */
  readonly claimedIpv4: number;
  readonly claimedIpv6: Uint32Array | null;
  /** The unicast MAC that claimed the same IPv4 address itself (its owner), -1 when the capture never shows one (or IPv6). */
  owner: number;
  replies: number;
  gratuitous: number;
  requests: number;
  neighborAdverts: number;
}

/** Word of the finding key that tells an IPv6 address (folded) from an IPv4 one. */
const V6_KEY = 1;

/**
 * `anycast-mac-for-unicast-ip`: an ARP reply, gratuitous ARP or request, or
 * a neighbor advertisement, that maps an address other than the anycast
 * ones — normally a gateway's own unicast IP — to the anycast MAC. With
 * arp_filter off the kernel does exactly this: the macvlan answers for the
 * gateway's unicast IP too (test/lab/FINDINGS.md, arp-filter-off), and a
 * host that caches the answer sends that gateway's traffic to whichever
 * gateway is nearest. One finding per address; the gateway named is the
 * one whose unicast MAC claimed the same IPv4 address in the capture (the
 * registry's fact, GatewayRegistry.ownerOf).
 */
export class AnycastMacForUnicastIpDetector implements Detector {
  /** The findings raised, to name their owner at the end. */
  private readonly raised: number[] = [];

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.arp) !== 0) {
      const a = d.arp;
      if (!a.complete || !a.isEthernetIpv4() || a.spa <= 0 || (a.op !== ArpOp.reply && a.op !== ArpOp.request)) return;
      if (!ctx.gateways.isAnycastMac(a.sha) || ctx.anycast.isAnycastIpv4(a.spa)) return;
      const f = this.finding(d, ctx, 0, a.spa | 0, a.spa, null);
      if (a.op === ArpOp.reply) {
        f.evidence.replies++;
        ctx.findings.addClient(f, a.tha > 0 ? a.tha : d.l2Dst);
      } else if (a.tpa === a.spa) f.evidence.gratuitous++;
      else f.evidence.requests++;
      return;
    }
    if ((d.layers & Layer.icmpv6) === 0) return;
    const n = d.icmpv6;
    if (n.type !== Icmpv6Type.neighborAdvert || !n.hasTarget) return;
    if (ctx.anycast.anycastIpv6Index(n.target) >= 0 || n.target[0]! >>> 16 === 0xfe80) return;
    if (!ctx.gateways.isAnycastMac(n.targetLinkAddr >= 0 ? n.targetLinkAddr : d.l2Src)) return;
    const f = this.finding(d, ctx, V6_KEY, foldIpv6(n.target), -1, Uint32Array.from(n.target));
    f.evidence.neighborAdverts++;
    ctx.findings.addClient(f, d.l2Dst);
  }

  /** The finding for this address (counted), raised on first sight; the IPv6 words are copied only then. */
  private finding(
    d: DecodedFrame,
    ctx: DetectContext,
    family: number,
    key: number,
    ipv4: number,
    ipv6: Uint32Array | null,
  ): FindingOf<AnycastMacForUnicastIpEvidence> {
    const id = ctx.findings.find(KIND, family, key);
    if (id >= 0) return ctx.findings.count<AnycastMacForUnicastIpEvidence>(id, d);
    const fresh = ctx.findings.add<AnycastMacForUnicastIpEvidence>(family, key, d, {
      kind: KIND,
      severity: 'error',
      cause: 'arp-filter-off-macvlan',
      gateway: -1,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: ipv4 >= 0 ? d.arp.sha : d.icmpv6.targetLinkAddr >= 0 ? d.icmpv6.targetLinkAddr : d.l2Src,
      evidence: { kind: KIND, claimedIpv4: ipv4, claimedIpv6: ipv6, owner: -1, replies: 0, gratuitous: 0, requests: 0, neighborAdverts: 0 },
    });
    this.raised.push(fresh);
    return ctx.findings.get<AnycastMacForUnicastIpEvidence>(fresh);
  }

  finish(ctx: DetectContext): void {
    for (const id of this.raised) {
      const f = ctx.findings.get<AnycastMacForUnicastIpEvidence>(id);
      if (f.evidence.claimedIpv4 < 0) continue;
      f.evidence.owner = ctx.gateways.ownerOf(f.evidence.claimedIpv4);
      if (f.evidence.owner >= 0) f.gateway = ctx.gateways.indexOf(f.evidence.owner);
    }
  }
}

export const anycastMacForUnicastIp: DetectorDefinition<AnycastMacForUnicastIpEvidence, 'arp-filter-off-macvlan', AnycastMacForUnicastIpDetector> = {
  id: KIND,
  title: "An address other than the anycast ones (a gateway's own IP) answered or announced with the anycast MAC",
  docs: 'README.md#anycast-mac-for-unicast-ip',
  kinds: [KIND],
  causes: ['arp-filter-off-macvlan'],
  needs: Layer.arp | Layer.icmpv6,
  capture: ['arp', 'icmp6'],
  create: () => new AnycastMacForUnicastIpDetector(),
  // The anycast MAC claims each address apart.
  problemKey: (f) => (f.evidence.claimedIpv6 === null ? String(f.evidence.claimedIpv4) : f.evidence.claimedIpv6.join(':')),
};
