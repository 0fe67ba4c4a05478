import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import type { DetectContext, Detector } from './detector.js';

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

/**
 * Who claimed each anycast IP, and how: ARP replies, gratuitous ARP,
 * requests sent "tell <anycast IP>", and IPv6 neighbor advertisements. Not
 * a judgement — the table the report shows under the findings.
 */
export class AnycastClaimsTracker implements Detector {
  readonly id = 'anycast-claims';
  readonly description = 'Every MAC that claimed an anycast IP, and how';
  readonly docs = 'README.md#who-claimed-the-anycast-ip';
  private readonly claims = new Map<number, Claim>();

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.arp) !== 0) {
      const a = d.arp;
      if (!a.complete || !a.isEthernetIpv4() || !ctx.anycast.isAnycastIpv4(a.spa)) return;
      const c = this.claim(a.spa * 2 ** 16 + (a.sha % 65536), a.spa, -1, a.sha, d);
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
      const c = this.claim(-(index + 1) * 2 ** 16 - (mac % 65536), -1, index, mac, d);
      if (c !== undefined) c.neighborAdverts++;
    }
  }

  private claim(bucket: number, ipv4: number, ipv6Index: number, mac: number, d: DecodedFrame): Claim | undefined {
    // Bucket by address and the MAC's low bits, then confirm the MAC: exact, and no string keys.
    let key = bucket;
    for (let probe = 0; probe < 8; probe++, key += 0.5) {
      const c = this.claims.get(key);
      if (c === undefined) {
        if (this.claims.size >= MAX_CLAIMS) return undefined;
        const fresh: Claim = {
          ipv4, ipv6Index, mac, replies: 0, gratuitous: 0, requests: 0, neighborAdverts: 0,
          firstSec: d.tsSec, firstNsec: d.tsNsec, lastSec: d.tsSec, lastNsec: d.tsNsec, firstFrame: d.number,
        };
        this.claims.set(key, fresh);
        return fresh;
      }
      if (c.mac === mac && c.ipv4 === ipv4 && c.ipv6Index === ipv6Index) {
        c.lastSec = d.tsSec;
        c.lastNsec = d.tsNsec;
        return c;
      }
    }
    return undefined;
  }

  list(): Claim[] {
    return [...this.claims.values()].sort((x, y) => x.firstFrame - y.firstFrame);
  }

  finish(): void {}
}
