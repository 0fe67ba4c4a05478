import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';

const KIND = 'unicast-neighbor-advert';

export interface UnicastNeighborAdvertEvidence {
  readonly kind: typeof KIND;
}

/**
 * `unicast-neighbor-advert`: the IPv6 twin of `unicast-arp-reply` — a
 * neighbor advertisement for an anycast IPv6 address whose target
 * link-layer address or Ethernet source is not the anycast MAC.
 */
export class UnicastNeighborAdvertDetector implements Detector {
  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.icmpv6) === 0 || ctx.anycast.v6.length === 0) return;
    const n = d.icmpv6;
    if (n.type !== Icmpv6Type.neighborAdvert || !n.hasTarget) return;
    const index = ctx.anycast.anycastIpv6Index(n.target);
    if (index < 0) return;
    const gateways = ctx.gateways;
    const tllBad = n.targetLinkAddr >= 0 && !gateways.isAnycastMac(n.targetLinkAddr);
    const srcBad = d.l2Src >= 0 && !gateways.isAnycastMac(d.l2Src);
    if (!tllBad && !srcBad) return;
    const mac = tllBad ? n.targetLinkAddr : d.l2Src;
    const gw = gateways.learn(mac, 'claimed-anycast-ip', d.number);
    // Build the finding only when new, in its own method: no closure context per frame here.
    const id = ctx.findings.find(KIND, gw + 1, index);
    const f = id >= 0 ? ctx.findings.count(id, d) : ctx.findings.get(this.add(d, ctx, gw, index, mac));
    ctx.findings.addClient(f, d.l2Dst);
  }

  private add(d: DecodedFrame, ctx: DetectContext, gw: number, index: number, mac: number): number {
    return ctx.findings.add<UnicastNeighborAdvertEvidence>(gw + 1, index, d, {
      kind: KIND,
      severity: 'error',
      cause: 'ndp-from-bridge',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: ctx.anycast.v6[index]!,
      mac,
      evidence: { kind: KIND },
    });
  }

  finish(): void {}
}

export const unicastNeighborAdvert: DetectorDefinition<UnicastNeighborAdvertEvidence, 'ndp-from-bridge', UnicastNeighborAdvertDetector> = {
  id: KIND,
  title: 'Neighbor advertisement for an anycast IPv6 address with a unicast MAC',
  docs: 'README.md#unicast-neighbor-advert',
  kinds: [KIND],
  causes: ['ndp-from-bridge'],
  needs: Layer.icmpv6,
  create: () => new UnicastNeighborAdvertDetector(),
};
