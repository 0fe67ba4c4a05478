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

/** When an RA was seen: what a finding counts. */
interface RaTime {
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly number: number;
}

/** One RA from the anycast MAC, kept until its router address is judged. */
interface PendingRa extends RaTime {
  readonly l2Dst: number;
  readonly lifetime: number;
}

/** A router address seen behind the anycast MAC. */
interface RouterAddress {
  readonly words: Uint32Array;
  /** The link-local derived from the anycast MAC (EUI-64): never a finding. */
  readonly derived: boolean;
  /** Its finding, -1 until a second router address shows behind the anycast MAC. */
  finding: number;
  /** Its RAs until then (the first MAX_PENDING), to raise the finding as if from its first RA; and how many more. */
  readonly pending: PendingRa[];
  pendingBeyond: number;
}

/** Router addresses tracked behind the anycast MAC (a mesh has one; each gateway at most one more). */
const MAX_ROUTER_ADDRESSES = 16;
const MAX_PENDING = 256;

/**
 * `ra-not-from-anycast`: on an anycast mesh every gateway sends its router
 * advertisements from the anycast interface, so they all carry the anycast
 * MAC and one link-local — the one derived from the MAC (EUI-64) — and to
 * clients they are one router. An RA from a gateway's unicast MAC (radvd or
 * BIRD's radv on br-fftr) is a second router at once. Behind the anycast MAC,
 * a link-local not derived from it is a finding once a second router address
 * shows there (the derived one, or another): a single one (every gateway
 * configured with fe80::1, or one gateway seen) is still one router, and its
 * RAs until then are counted in the finding from the first. Judged once the
 * anycast MAC is known (configured or inferred; the one-pass look-back
 * judges the RAs before that again). One finding per sending gateway, and
 * per foreign link-local behind the anycast MAC; an error once one of its
 * RAs offers a default route, a warning while all say router lifetime 0.
 */
export class RaNotFromAnycastDetector implements Detector {
  /** The expected link-local, recomputed per RA (RAs are rare; the anycast MAC can be adopted late). */
  private readonly expected = new Uint32Array(4);
  private readonly routerAddresses: RouterAddress[] = [];

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.ipv6) === 0 || d.icmpv6.type !== Icmpv6Type.routerAdvert) return;
    if (ctx.config.anycastMacs.length === 0 || d.l2Src < 0) return;
    const lifetime = d.icmpv6.raLifetime;
    if (ctx.gateways.isAnycastMac(d.l2Src)) {
      this.fromAnycastMac(d, ctx, lifetime);
      return;
    }
    const gw = ctx.gateways.learn(d.l2Src, 'sent-router-advert', d.number);
    // A unicast sender's key is its gateway and MAC (MACs stay apart when the gateway table is full).
    let id = ctx.findings.find(KIND, gw + 1, d.l2Src | 0);
    if (id >= 0) ctx.findings.count(id, d);
    else id = this.add(ctx, d, gw + 1, d.l2Src | 0, gw, d.l2Src, d.ipv6.src, lifetime, false);
    this.note(ctx, id, d.l2Dst, lifetime);
  }

  /** An RA from the anycast MAC: counted under its router address, a finding once the anycast MAC shows two. */
  private fromAnycastMac(d: DecodedFrame, ctx: DetectContext, lifetime: number): void {
    const src = d.ipv6.src;
    let address = this.routerAddresses.find((r) => ipv6Equal(r.words, src));
    if (address === undefined) {
      if (this.routerAddresses.length >= MAX_ROUTER_ADDRESSES) return;
      linkLocalFromMac(d.l2Src, this.expected);
      address = { words: Uint32Array.from(src), derived: ipv6Equal(this.expected, src), finding: -1, pending: [], pendingBeyond: 0 };
      this.routerAddresses.push(address);
    }
    if (address.finding >= 0) {
      ctx.findings.count(address.finding, d);
      this.note(ctx, address.finding, d.l2Dst, lifetime);
      return;
    }
    if (!address.derived) {
      if (address.pending.length < MAX_PENDING) address.pending.push({ tsSec: d.tsSec, tsNsec: d.tsNsec, number: d.number, l2Dst: d.l2Dst, lifetime });
      else address.pendingBeyond++;
    }
    if (this.routerAddresses.length < 2) return;
    for (const r of this.routerAddresses) if (!r.derived && r.finding < 0) this.raise(ctx, r, d.l2Src);
  }

  /** The finding of a foreign router address behind the anycast MAC, with every RA it sent so far. */
  private raise(ctx: DetectContext, r: RouterAddress, mac: number): void {
    const first = r.pending[0]!;
    r.finding = this.add(ctx, first, FROM_ANYCAST_MAC, foldIpv6(r.words), -1, mac, r.words, first.lifetime, true);
    r.pending.forEach((p, i) => {
      if (i > 0) ctx.findings.count(r.finding, p);
      this.note(ctx, r.finding, p.l2Dst, p.lifetime);
    });
    ctx.findings.get(r.finding).count += r.pendingBeyond;
    r.pending.length = 0;
  }

  /** One more RA of finding `id`: the client it was sent to, and the longest router lifetime (an error once it offers a default route). */
  private note(ctx: DetectContext, id: number, l2Dst: number, lifetime: number): void {
    const f = ctx.findings.get<RaNotFromAnycastEvidence>(id);
    if (lifetime > f.evidence.routerLifetime) {
      f.evidence.routerLifetime = lifetime;
      f.severity = 'error';
    }
    if (!isGroupMac(l2Dst)) ctx.findings.addClient(f, l2Dst);
  }

  private add(
    ctx: DetectContext,
    at: RaTime,
    a: number,
    b: number,
    gw: number,
    mac: number,
    router: ArrayLike<number>,
    lifetime: number,
    fromAnycastMac: boolean,
  ): number {
    return ctx.findings.add<RaNotFromAnycastEvidence>(a, b, at, {
      kind: KIND,
      // A second default router is the fault; with router lifetime 0 it adds prefixes and DNS only.
      severity: lifetime > 0 ? 'error' : 'warning',
      cause: fromAnycastMac ? 'anycast-link-local-not-eui64' : 'radv-on-bridge',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac,
      evidence: { kind: KIND, routerAddress: Uint32Array.from(router), fromAnycastMac, routerLifetime: lifetime, anycastMac: ctx.config.anycastMacs[0]! },
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
  capture: ['icmp6'],
  create: () => new RaNotFromAnycastDetector(),
  // Behind the anycast MAC, one finding per router address.
  problemKey: (f) => f.evidence.routerAddress.join(':'),
};
