import { highWord } from '../decode/read.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { PairIndex } from './pair-index.js';

export interface Claim {
  /** IPv4 anycast address claimed, or -1 for an IPv6 one (then ipv6Index). */
  ipv4: number;
  ipv6Index: number;
  mac: number;
  replies: number;
  gratuitous: number;
  requests: number;
  neighborAdverts: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  firstFrame: number;
}

const MAX_CLAIMS = 1024;

/** The report's "who claimed the anycast IP" table. */
export interface ClaimsSection {
  /** In the order first seen. */
  claims: Claim[];
  /** Claim frames not in `claims`: the table was full. */
  claimsNotTracked: number;
}

/**
 * Who claimed each anycast IP, and how: ARP replies, gratuitous ARP,
 * requests sent "tell <anycast IP>", and IPv6 neighbor advertisements. Not
 * a judgement — the table the report shows under the findings.
 */
export class AnycastClaimsTracker implements Detector {
  /** Claim frames not counted because the table was full (MAX_CLAIMS different MAC/address pairs). */
  notTracked = 0;
  /** Claims in the order first seen. */
  private readonly claims: Claim[] = [];
  /**
   * Claim index by twice its bucket key (bucket + probe / 2, kept exact as an
   * integer), as two int32 words: the key is wider than 32 bits, and as a Map
   * key it would be a heap number allocated per lookup.
   */
  private readonly byKey = new PairIndex();

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.arp) !== 0) {
      const a = d.arp;
      if (!a.complete || !a.isEthernetIpv4() || !ctx.anycast.isAnycastIpv4(a.spa)) return;
      const c = this.claim(a.spa, -1, a.sha, d);
      if (c === undefined) return;
      if (a.op === ArpOp.reply) c.replies++;
      else if (a.op === ArpOp.request && a.tpa === a.spa) c.gratuitous++;
      else if (a.op === ArpOp.request) c.requests++;
      return;
    }
    if ((d.layers & Layer.icmpv6) !== 0 && d.icmpv6.type === Icmpv6Type.neighborAdvert && d.icmpv6.hasTarget) {
      const index = ctx.anycast.anycastIpv6Index(d.icmpv6.target);
      if (index < 0) return;
      const mac = d.icmpv6.targetLinkAddr >= 0 ? d.icmpv6.targetLinkAddr : d.l2Src;
      const c = this.claim(-1, index, mac, d);
      if (c !== undefined) c.neighborAdverts++;
    }
  }

  private claim(ipv4: number, ipv6Index: number, mac: number, d: DecodedFrame): Claim | undefined {
    // Bucket by address and the MAC's low bits, then confirm the MAC: exact, and no string keys.
    // Probes step the key by 0.5, so twice the key is an integer: the probe's index word pair.
    const bucket = ipv4 >= 0 ? ipv4 * 2 ** 16 + (mac % 65536) : -(ipv6Index + 1) * 2 ** 16 - (mac % 65536);
    for (let probe = 0; probe < 8; probe++) {
      const twice = bucket * 2 + probe;
      const hi = highWord(twice);
      const lo = twice | 0;
      const i = this.byKey.get(hi, lo);
      if (i < 0) {
        if (this.claims.length >= MAX_CLAIMS) {
          this.notTracked++;
          return undefined;
        }
        const fresh: Claim = {
          ipv4,
          ipv6Index,
          mac,
          replies: 0,
          gratuitous: 0,
          requests: 0,
          neighborAdverts: 0,
          firstSec: d.tsSec,
          firstNsec: d.tsNsec,
          lastSec: d.tsSec,
          lastNsec: d.tsNsec,
          firstFrame: d.number,
        };
        this.byKey.set(hi, lo, this.claims.length);
        this.claims.push(fresh);
        return fresh;
      }
      const c = this.claims[i]!;
      if (c.mac === mac && c.ipv4 === ipv4 && c.ipv6Index === ipv6Index) {
        c.lastSec = d.tsSec;
        c.lastNsec = d.tsNsec;
        return c;
      }
    }
    return undefined;
  }

  list(): Claim[] {
    return [...this.claims].sort((x, y) => x.firstFrame - y.firstFrame);
  }

  finish(): void {}
}

/** Raises no finding: it builds the "who claimed the anycast IP" table. */
export const anycastClaims: DetectorDefinition<never, never, AnycastClaimsTracker, ClaimsSection> = {
  id: 'anycast-claims',
  title: 'Every MAC that claimed an anycast IP, and how (a report table, not a finding)',
  docs: 'README.md#who-claimed-the-anycast-ip',
  kinds: [],
  causes: [],
  needs: Layer.arp | Layer.icmpv6,
  capture: ['arp', 'icmp6'],
  create: () => new AnycastClaimsTracker(),
  section: {
    of: (d) => ({ claims: d.list(), claimsNotTracked: d.notTracked }),
    absent: () => ({ claims: [], claimsNotTracked: 0 }),
  },
};
