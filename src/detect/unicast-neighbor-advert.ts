import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { Icmpv6Type, NaFlag } from '../decode/icmpv6.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';

const KIND = 'unicast-neighbor-advert';

export interface UnicastNeighborAdvertEvidence {
  readonly kind: typeof KIND;
  /** The flags byte of the first such advertisement (NaFlag: router, solicited, override). */
  readonly flags: number;
  /** The override flag, which tells the two causes apart (one finding per gateway, address and override). */
  readonly override: boolean;
}

type Cause = 'anycast-ipv6-on-bridge' | 'proxy-ndp';

/**
 * `unicast-neighbor-advert`: the IPv6 twin of `unicast-arp-reply` — a
 * neighbor advertisement for an anycast IPv6 address whose target
 * link-layer address or Ethernet source is not the anycast MAC. Unlike ARP,
 * the kernel has no arp_filter fault here: a bridge never answers a
 * solicitation for an address that lives only on the macvlan. So either the
 * address is configured on the bridge too — the kernel's own answer, with
 * the override flag set, and as the last advertisement wins, clients send to
 * that gateway until an anycast NA overrides it — or proxy NDP answers for
 * it, with the override flag clear (RFC 4861 §7.2.8), which clients with a
 * cached entry ignore and others take until the anycast NA arrives.
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
    const override = (n.naFlags & NaFlag.override) !== 0;
    const key = index * 2 + (override ? 0 : 1);
    // Build the finding only when new, in its own method: no closure context per frame here.
    const id = ctx.findings.find(KIND, gw + 1, key);
    const f = id >= 0 ? ctx.findings.count(id, d) : ctx.findings.get(this.add(d, ctx, gw, index, key, mac, override));
    ctx.findings.addClient(f, d.l2Dst);
  }

  private add(d: DecodedFrame, ctx: DetectContext, gw: number, index: number, key: number, mac: number, override: boolean): number {
    return ctx.findings.add<UnicastNeighborAdvertEvidence>(gw + 1, key, d, {
      kind: KIND,
      severity: 'error',
      cause: override ? 'anycast-ipv6-on-bridge' : 'proxy-ndp',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: ctx.anycast.v6[index]!,
      mac,
      evidence: { kind: KIND, flags: d.icmpv6.naFlags, override },
    });
  }

  finish(): void {}
}

export const unicastNeighborAdvert: DetectorDefinition<UnicastNeighborAdvertEvidence, Cause, UnicastNeighborAdvertDetector> = {
  id: KIND,
  title: 'Neighbor advertisement for an anycast IPv6 address with a unicast MAC',
  docs: 'README.md#unicast-neighbor-advert',
  kinds: [KIND],
  causes: ['anycast-ipv6-on-bridge', 'proxy-ndp'],
  needs: Layer.icmpv6,
  capture: ['icmp6'],
  create: () => new UnicastNeighborAdvertDetector(),
  // One gateway's NAs with and without the override flag are two problems (two causes).
  problemKey: (f) => String(f.evidence.override),
};
