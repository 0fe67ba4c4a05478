import { linkLocalFromMac } from '../core/address.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { isGroupMac } from '../decode/read.js';
import { ipv6Equal } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { foldIpv6 } from './flow-table.js';

const KIND = 'ra-not-from-anycast';

/** A router advertisement that does not come from the anycast interface. */
export interface RaNotFromAnycastEvidence {
  readonly kind: typeof KIND;
  /** The RA's IPv6 source: the router address clients install. */
  readonly routerAddress: Uint32Array;
  /** The Ethernet source is the anycast MAC (only the link-local is wrong) rather than a unicast MAC. */
  readonly fromAnycastMac: boolean;
  /** The longest router lifetime of these RAs (s): 0 means clients take no default route from them, only prefixes and DNS. */
  routerLifetime: number;
  /** The anycast MAC the router address should derive from (the first configured or inferred). */
  readonly anycastMac: number;
}

type Cause = 'radv-on-bridge' | 'anycast-link-local-not-eui64';

/** Key word of RAs sent from the anycast MAC (a unicast sender's key is its gateway index + 1). */
const FROM_ANYCAST_MAC = 0;

/**
 * `ra-not-from-anycast`: on an anycast mesh every gateway sends its router
 * advertisements from the anycast interface, so they all carry the anycast
 * MAC and the link-local derived from it (EUI-64) — to clients one router.
 * An RA from a gateway's unicast MAC (radvd or BIRD's radv on br-fftr), or
 * from the anycast MAC with another link-local (the macvlan's link-local
 * not derived from its MAC), is a second default router: clients then send
 * to that gateway whatever the mesh's nearest one is. Judged once the
 * anycast MAC is known (configured or inferred; the one-pass look-back
 * judges the RAs before that again). One finding per sending gateway, and
 * per foreign link-local behind the anycast MAC; an error once one of its
 * RAs offers a default route, a warning while all say router lifetime 0.
 */
export class RaNotFromAnycastDetector implements Detector {
  /** The expected link-local, recomputed per RA (RAs are rare; the anycast MAC can be adopted late). */
  private readonly expected = new Uint32Array(4);

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.ipv6) === 0 || d.icmpv6.type !== Icmpv6Type.routerAdvert) return;
    const anycastMacs = ctx.config.anycastMacs;
    if (anycastMacs.length === 0 || d.l2Src < 0) return;
    const gateways = ctx.gateways;
    const src = d.ipv6.src;
    const fromAnycastMac = gateways.isAnycastMac(d.l2Src);
    if (fromAnycastMac) {
      linkLocalFromMac(d.l2Src, this.expected);
      if (ipv6Equal(this.expected, src)) return;
    }
    const gw = fromAnycastMac ? -1 : gateways.learn(d.l2Src, 'sent-router-advert', d.number);
    // A unicast sender's key is its gateway and MAC (MACs stay apart when the gateway table is full).
    const a = fromAnycastMac ? FROM_ANYCAST_MAC : gw + 1;
    const b = fromAnycastMac ? foldIpv6(src) : d.l2Src | 0;
    const id = ctx.findings.find(KIND, a, b);
    const f =
      id >= 0 ? ctx.findings.count<RaNotFromAnycastEvidence>(id, d) : ctx.findings.get<RaNotFromAnycastEvidence>(this.add(d, ctx, gw, a, b, fromAnycastMac));
    if (d.icmpv6.raLifetime > f.evidence.routerLifetime) {
      f.evidence.routerLifetime = d.icmpv6.raLifetime;
      f.severity = 'error';
    }
    if (!isGroupMac(d.l2Dst)) ctx.findings.addClient(f, d.l2Dst);
  }

  private add(d: DecodedFrame, ctx: DetectContext, gw: number, a: number, b: number, fromAnycastMac: boolean): number {
    const cause: Cause = fromAnycastMac ? 'anycast-link-local-not-eui64' : 'radv-on-bridge';
    const lifetime = d.icmpv6.raLifetime;
    return ctx.findings.add<RaNotFromAnycastEvidence>(a, b, d, {
      kind: KIND,
      // A second default router is the fault; with router lifetime 0 it adds prefixes and DNS only.
      severity: lifetime > 0 ? 'error' : 'warning',
      cause,
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: d.l2Src,
      evidence: {
        kind: KIND,
        routerAddress: Uint32Array.from(d.ipv6.src),
        fromAnycastMac,
        routerLifetime: lifetime,
        anycastMac: ctx.config.anycastMacs[0]!,
      },
    });
  }

  finish(): void {}
}

export const raNotFromAnycast: DetectorDefinition<RaNotFromAnycastEvidence, Cause, RaNotFromAnycastDetector> = {
  id: KIND,
  title: "Router advertisement not from the anycast interface (a gateway's unicast MAC, or a link-local not derived from the anycast MAC)",
  docs: 'README.md#ra-not-from-anycast',
  kinds: [KIND],
  causes: ['radv-on-bridge', 'anycast-link-local-not-eui64'],
  needs: Layer.icmpv6,
  create: () => new RaNotFromAnycastDetector(),
};
