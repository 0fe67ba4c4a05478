import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';

const KIND = 'anycast-reply-unicast-mac';

export interface AnycastReplyUnicastMacEvidence {
  readonly kind: typeof KIND;
  /** IP protocol (IPv4) or next header (IPv6) of the first offending packet. */
  readonly protocol: number;
}

/**
 * `anycast-reply-unicast-mac`: an IP packet (an echo reply, a TCP answer…)
 * sourced from an anycast IP but sent from a unicast MAC. Without the
 * source route (`ip rule from <anycast-ip> table anycast`) the kernel routes
 * replies from the anycast IP out of the bridge with the bridge's MAC.
 * Neighbor discovery is left to `unicast-neighbor-advert`.
 */
export class AnycastReplyUnicastMacDetector implements Detector {
  observe(d: DecodedFrame, ctx: DetectContext): void {
    if (d.l2Src < 0) return;
    let anycastV4 = -1;
    let v6Index = -1;
    if ((d.layers & Layer.ipv4) !== 0) {
      if (!ctx.anycast.isAnycastIpv4(d.ipv4.src)) return;
      anycastV4 = d.ipv4.src;
    } else if ((d.layers & Layer.ipv6) !== 0 && ctx.anycast.v6.length > 0) {
      v6Index = ctx.anycast.anycastIpv6Index(d.ipv6.src);
      if (v6Index < 0) return;
      if ((d.layers & Layer.icmpv6) !== 0) {
        const t = d.icmpv6.type;
        if (t >= Icmpv6Type.routerSolicit && t <= Icmpv6Type.redirect) return;
      }
    } else {
      return;
    }
    const gateways = ctx.gateways;
    if (gateways.isAnycastMac(d.l2Src)) return;
    const gw = gateways.learn(d.l2Src, 'sourced-anycast-ip', d.number);
    // Build the finding only when new, in its own method: no closure context per frame here.
    const key = anycastV4 >= 0 ? anycastV4 | 0 : v6Index;
    const id = ctx.findings.find(KIND, gw + 1, key);
    const f = id >= 0 ? ctx.findings.count(id, d) : ctx.findings.get(this.add(d, ctx, gw, key, anycastV4, v6Index));
    ctx.findings.addClient(f, d.l2Dst);
  }

  private add(d: DecodedFrame, ctx: DetectContext, gw: number, key: number, anycastV4: number, v6Index: number): number {
    return ctx.findings.add<AnycastReplyUnicastMacEvidence>(gw + 1, key, d, {
      kind: KIND,
      severity: 'error',
      cause: 'source-route-missing',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: anycastV4,
      anycastIpv6: v6Index >= 0 ? ctx.anycast.v6[v6Index]! : null,
      mac: d.l2Src,
      evidence: { kind: KIND, protocol: (d.layers & Layer.ipv4) !== 0 ? d.ipv4.protocol : d.ipv6.nextHeader },
    });
  }

  finish(): void {}
}

export const anycastReplyUnicastMac: DetectorDefinition<AnycastReplyUnicastMacEvidence, 'source-route-missing', AnycastReplyUnicastMacDetector> = {
  id: KIND,
  title: 'IP packet sourced from an anycast IP but sent from a unicast MAC (source routing missing)',
  docs: 'README.md#anycast-reply-unicast-mac',
  kinds: [KIND],
  causes: ['source-route-missing'],
  needs: Layer.ipv4 | Layer.ipv6,
  // Live, what the pings and NDP bring: replies from the anycast IP.
  capture: ['icmp', 'icmp6'],
  create: () => new AnycastReplyUnicastMacDetector(),
};
