import type { DecodedFrame, DecodedIcmpv6 } from '../decode/decoded-frame.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { isGroupMac } from '../decode/read.js';
import { ipv6Equal } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';

const KIND = 'ra-inconsistent';

/** What one router advertisement told clients, kept for the first RA of each content seen. */
export interface RaContent {
  /** Icmpv6View.raDigest: equal digests, equal content. */
  readonly digest: number;
  /** Ethernet and IPv6 source of the first RA with this content, and its frame number. */
  readonly mac: number;
  readonly router: Uint32Array;
  readonly frame: number;
  readonly hopLimit: number;
  readonly flags: number;
  readonly routerLifetime: number;
  /** MTU option, 0 when none. */
  readonly mtu: number;
  /** The first prefix (length -1: none), its lifetimes (s), and how many prefixes in all. */
  readonly prefixCount: number;
  readonly prefix: Uint32Array;
  readonly prefixLength: number;
  readonly prefixValid: number;
  readonly prefixPreferred: number;
  /** The first recursive DNS server (zero when none) and how many in all. */
  readonly rdnssCount: number;
  readonly rdnss: Uint32Array;
}

/**
 * What two RA contents disagree on: `router` hop limit, flags or router
 * lifetime; `prefix` the first prefix or the number of prefixes;
 * `prefix-lifetimes` its valid/preferred lifetimes; `rdnss` the first DNS
 * server or their number; `mtu`; `other-options` something the fields above
 * do not show (a later prefix or DNS server, a lifetime of the RDNSS
 * option, DNSSL, routes, timers), seen only through the digest.
 */
export type RaDifference = 'router' | 'prefix' | 'prefix-lifetimes' | 'rdnss' | 'mtu' | 'other-options';

/** RAs on the mesh with a content other than the first RA's. */
export interface RaInconsistentEvidence {
  readonly kind: typeof KIND;
  /** The first RA content seen on the mesh. */
  readonly reference: RaContent;
  /** This finding's content, which disagrees with it. */
  readonly differing: RaContent;
  readonly differences: readonly RaDifference[];
}

/** Distinct RA contents kept; a mesh has one (healthy) or a few. RAs with a content beyond these are not compared. */
const MAX_CONTENTS = 16;

/**
 * `ra-inconsistent`: every router advertisement on an anycast mesh should
 * say the same — all gateways send them from the same anycast MAC and
 * link-local, so to a client they are one router, and each RA overwrites
 * what the previous one said. When gateways disagree (another RDNSS, prefix
 * lifetimes, MTU, router lifetime), clients flip between the two with
 * every RA. Compared by the RA's content digest (decoded per frame, so no
 * option is carried to the detectors beyond the first prefix and DNS
 * server); one finding per content that differs from the first seen, with
 * both contents and what differs. RAs whose options were cut by the capture
 * (digest 0) are not compared. A gateway whose configuration changed during
 * the capture shows up here too. Judged once the anycast MAC is known, like
 * `ra-not-from-anycast`: elsewhere routers may well say different things.
 */
export class RaInconsistentDetector implements Detector {
  private readonly contents: RaContent[] = [];
  /** The findings raised, to name their gateways at the end (a sender's MAC may be learned as a gateway later). */
  private readonly raised: number[] = [];

  observe(d: DecodedFrame, ctx: DetectContext): void {
    // Only an anycast mesh promises one RA content: judged once the anycast MAC is known (the look-back judges earlier RAs again).
    if ((d.layers & Layer.ipv6) === 0 || ctx.config.anycastMacs.length === 0) return;
    const n = d.icmpv6;
    if (n.type !== Icmpv6Type.routerAdvert || n.raDigest === 0) return;
    const contents = this.contents;
    let index = 0;
    while (index < contents.length && contents[index]!.digest !== n.raDigest) index++;
    // Agrees with the first RA seen (the healthy case: every RA).
    if (index === 0 && contents.length > 0) return;
    let id: number;
    if (index < contents.length) {
      id = ctx.findings.find(KIND, 0, n.raDigest);
      ctx.findings.count(id, d);
    } else if (index >= MAX_CONTENTS) {
      return;
    } else {
      contents.push(contentOf(d, n));
      if (index === 0) return;
      id = this.add(d, ctx, contents[0]!, contents[index]!);
      this.raised.push(id);
    }
    if (!isGroupMac(d.l2Dst)) ctx.findings.addClient(ctx.findings.get(id), d.l2Dst);
  }

  private add(d: DecodedFrame, ctx: DetectContext, reference: RaContent, differing: RaContent): number {
    return ctx.findings.add<RaInconsistentEvidence>(0, differing.digest, d, {
      kind: KIND,
      severity: 'warning',
      cause: 'gateways-disagree-ra',
      gateway: ctx.gateways.indexOf(differing.mac),
      otherGateway: ctx.gateways.indexOf(reference.mac),
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: differing.mac,
      evidence: { kind: KIND, reference, differing, differences: differencesOf(reference, differing) },
    });
  }

  finish(ctx: DetectContext): void {
    for (const id of this.raised) {
      const f = ctx.findings.get<RaInconsistentEvidence>(id);
      f.gateway = ctx.gateways.indexOf(f.evidence.differing.mac);
      f.otherGateway = ctx.gateways.indexOf(f.evidence.reference.mac);
    }
  }
}

function contentOf(d: DecodedFrame, n: DecodedIcmpv6): RaContent {
  return {
    digest: n.raDigest,
    mac: d.l2Src,
    router: Uint32Array.from(d.ipv6.src),
    frame: d.number,
    hopLimit: n.raHopLimit,
    flags: n.raFlags,
    routerLifetime: n.raLifetime,
    mtu: n.raMtu,
    prefixCount: n.prefixCount,
    prefix: Uint32Array.from(n.raPrefix),
    prefixLength: n.raPrefixLength,
    prefixValid: n.raPrefixValid,
    prefixPreferred: n.raPrefixPreferred,
    rdnssCount: n.rdnssCount,
    rdnss: Uint32Array.from(n.raRdnss),
  };
}

/** What `a` and `b` (of different digests) disagree on. */
export function differencesOf(a: RaContent, b: RaContent): RaDifference[] {
  const out: RaDifference[] = [];
  if (a.hopLimit !== b.hopLimit || a.flags !== b.flags || a.routerLifetime !== b.routerLifetime) out.push('router');
  if (a.prefixCount !== b.prefixCount || a.prefixLength !== b.prefixLength || !ipv6Equal(a.prefix, b.prefix)) out.push('prefix');
  else if (a.prefixValid !== b.prefixValid || a.prefixPreferred !== b.prefixPreferred) out.push('prefix-lifetimes');
  if (a.rdnssCount !== b.rdnssCount || !ipv6Equal(a.rdnss, b.rdnss)) out.push('rdnss');
  if (a.mtu !== b.mtu) out.push('mtu');
  if (out.length === 0) out.push('other-options');
  return out;
}

export const raInconsistent: DetectorDefinition<RaInconsistentEvidence, 'gateways-disagree-ra', RaInconsistentDetector> = {
  id: KIND,
  title: 'Router advertisements on the mesh that disagree (prefixes, lifetimes, RDNSS, MTU, router lifetime)',
  docs: 'README.md#ra-inconsistent',
  kinds: [KIND],
  causes: ['gateways-disagree-ra'],
  needs: Layer.icmpv6,
  capture: ['icmp6'],
  create: () => new RaInconsistentDetector(),
  // One finding per RA content that differs from the first.
  problemKey: (f) => String(f.evidence.differing.digest),
};
