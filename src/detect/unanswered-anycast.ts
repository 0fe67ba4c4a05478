import type { DecodedFrame } from '../decode/decoded-frame.js';
import { IpProtocol } from '../decode/dispatch.js';
import { ArpOp } from '../decode/arp.js';
import { IcmpType } from '../decode/icmp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { highWord } from '../decode/read.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import type { FindingOf } from './findings.js';
import { FlowTable, foldIpv6 } from './flow-table.js';
import { PairIndex } from './pair-index.js';

const KIND = 'unanswered-anycast';

/** A client's echo requests sent to the anycast gateway that got no reply, ping-style. */
export interface UnansweredAnycastEvidence {
  readonly kind: typeof KIND;
  /** The client's MAC and (IPv4) address, -1 for IPv6. */
  readonly client: number;
  readonly clientIpv4: number;
  /** Echo requests to the anycast IP itself: sent and left unanswered. */
  toAnycastSent: number;
  toAnycastLost: number;
  /** Echo requests forwarded through the anycast gateway (sent to the anycast MAC, addressed beyond it). */
  forwardedSent: number;
  forwardedLost: number;
  /** ARP who-has and neighbor solicitations for the anycast addresses: sent, and left without an answer to this client. */
  arpSent: number;
  arpLost: number;
  nsSent: number;
  nsLost: number;
}

export type UnansweredAnycastCause = 'forwarded-dropped' | 'anycast-unanswered';

/** Clients whose requests are counted; more are not (a flood of sources costs coverage, said in the report's evictions). 1,024: with 4,096, a million unanswered pings from 4,096 clients took 113 MiB in replay (bench/flood.sh); 91 MiB with 1,024. */
const MAX_CLIENTS = 1024;
/** What a pending request is: its counters per client are [kind * 2] sent and [kind * 2 + 1] lost. */
const Request = { toAnycast: 0, forwarded: 1, arp: 2, ns: 3 } as const;
const COUNTERS = 8;
/** Protocol word of an ARP or NS request's key in the pending table (no IP protocol has these numbers). */
const ARP_KEY = 0x10806;
const NS_KEY = 0x186dd;
/** FlowTable gateway field of a pending request: answered. */
const ANSWERED = 1;

/**
 * `unanswered-anycast`: ICMP and ICMPv6 echo requests sent to the anycast
 * MAC that get no reply within Defaults.unansweredTimeout of capture time —
 * to the anycast IP itself, or forwarded through the anycast gateway. Strict
 * rp_filter shows as the second with the first answered: with the source
 * rule in place the kernel still answers pings to the anycast IP but drops
 * clients' forwarded traffic (test/lab/FINDINGS.md, rp-filter-strict).
 * Requests within the timeout of the capture's end are not judged: their
 * reply may simply not have been captured. One finding per client, with its
 * loss like ping's summary.
 */
export class UnansweredAnycastDetector implements Detector {
  private pending: FlowTable | undefined;
  /** Requests in the order sent: slot in `pending`, kind, client index, capture time and frame. */
  private queueSlot = new Int32Array(1024);
  private queueKind = new Uint8Array(1024);
  private queueClient = new Int32Array(1024);
  private queueTime = new Float64Array(1024);
  private queueSec = new Float64Array(1024);
  private queueNsec = new Int32Array(1024);
  private queueFrame = new Float64Array(1024);
  /** The request's key words, to tell our slot from one the table gave a later request. */
  private queueKey = new Int32Array(1024 * 4);
  private queueHead = 0;
  private queueLength = 0;
  private readonly clients = new PairIndex();
  private readonly clientMacs: number[] = [];
  private readonly clientIps: number[] = [];
  private readonly counters = new Float64Array(MAX_CLIENTS * COUNTERS);
  /** Finding id per client index, -1 until the client's first loss. */
  private readonly findingOf = new Int32Array(MAX_CLIENTS).fill(-1);
  private readonly timeRef = { tsSec: 0, tsNsec: 0, number: 0 };
  private readonly key = new Int32Array(4);
  /** Requests not judged: the queue was at its bound, or the client one too many. */
  private notJudged = 0;

  observe(d: DecodedFrame, ctx: DetectContext): void {
    this.expire(ctx, ctx.now);
    if ((d.layers & Layer.arp) !== 0) {
      this.resolution(d, ctx);
      return;
    }
    // ICMP and its own IP version only: ICMPv4 in IPv6 (next header 1) decodes as ICMP, but its
    // addresses are IPv6 ones, and d.ipv4 would still hold an earlier frame's.
    const v4 = (d.layers & (Layer.icmp | Layer.ipv4)) === (Layer.icmp | Layer.ipv4);
    if (!v4 && (d.layers & (Layer.icmpv6 | Layer.ipv6)) !== (Layer.icmpv6 | Layer.ipv6)) return;
    if (!v4 && (d.icmpv6.type === Icmpv6Type.neighborSolicit || d.icmpv6.type === Icmpv6Type.neighborAdvert)) {
      this.resolution(d, ctx);
      return;
    }
    const type = v4 ? d.icmp.type : d.icmpv6.type;
    const isRequest = v4 ? type === IcmpType.echoRequest : type === Icmpv6Type.echoRequest;
    const isReply = v4 ? type === IcmpType.echoReply : type === Icmpv6Type.echoReply;
    if (!isRequest && !isReply) return;
    const id = v4 ? d.icmp.id : d.icmpv6.id;
    const seq = v4 ? d.icmp.seq : d.icmpv6.seq;
    if (id < 0 || seq < 0) return;
    const src = v4 ? d.ipv4.src | 0 : foldIpv6(d.ipv6.src);
    const dst = v4 ? d.ipv4.dst | 0 : foldIpv6(d.ipv6.dst);
    const proto = v4 ? IpProtocol.icmp : IpProtocol.icmpv6;
    const idSeq = (id << 16) | seq | 0;
    const table = this.table(ctx);
    table.now = ctx.now;
    if (isReply) {
      const s = table.find(dst, src, idSeq, proto);
      if (s >= 0) table.setGateway(s, ANSWERED);
      return;
    }
    if (!ctx.gateways.isAnycastMac(d.l2Dst)) return;
    const toAnycast = v4 ? ctx.anycast.isAnycastIpv4(d.ipv4.dst) : ctx.anycast.anycastIpv6Index(d.ipv6.dst) >= 0;
    const client = this.client(d.l2Src, v4 ? d.ipv4.src : -1);
    if (client < 0) return;
    const s = table.claim(src, dst, idSeq, proto);
    if (s < 0 || this.queueFull(table)) return;
    table.setGateway(s, 0);
    this.key[0] = src;
    this.key[1] = dst;
    this.key[2] = idSeq;
    this.key[3] = proto;
    this.request(s, toAnycast ? Request.toAnycast : Request.forwarded, client, ctx.now, d);
  }

  /** Counts a request of `kind` by `client`, pending in slot `slot` (its key in this.key), and queues it for judging. */
  private request(slot: number, kind: number, client: number, now: number, d: DecodedFrame): void {
    this.counters[client * COUNTERS + kind * 2]!++;
    this.enqueue(slot, kind, client, now, d);
  }

  /**
   * ARP who-has and NS for an anycast address from a client: pending until
   * an ARP reply / NA for that address reaches the client. Retries count as
   * requests of their own, as the kernel sends them.
   */
  private resolution(d: DecodedFrame, ctx: DetectContext): void {
    const table = this.table(ctx);
    table.now = ctx.now;
    if ((d.layers & Layer.arp) !== 0) {
      const a = d.arp;
      if (!a.complete || !a.isEthernetIpv4()) return;
      if (a.op === ArpOp.reply) {
        if (!ctx.anycast.isAnycastIpv4(a.spa)) return;
        const s = table.find(a.tpa | 0, a.spa | 0, 0, ARP_KEY);
        if (s >= 0) table.setGateway(s, ANSWERED);
        return;
      }
      // A client's who-has for the anycast IP (not a gateway's own request, not a probe from 0.0.0.0).
      if (a.op !== ArpOp.request || a.spa === 0 || a.spa === a.tpa || !ctx.anycast.isAnycastIpv4(a.tpa) || ctx.gateways.role(a.sha) !== -1) return;
      const client = this.client(a.sha, a.spa);
      if (client < 0) return;
      this.keyOf(a.spa | 0, a.tpa | 0, ARP_KEY);
      const s = table.claim(a.spa | 0, a.tpa | 0, 0, ARP_KEY);
      if (s < 0 || this.queueFull(table)) return;
      table.setGateway(s, 0);
      this.request(s, Request.arp, client, ctx.now, d);
      return;
    }
    const n = d.icmpv6;
    if (!n.hasTarget || ctx.anycast.v6.length === 0 || ctx.anycast.anycastIpv6Index(n.target) < 0) return;
    const target = foldIpv6(n.target);
    if (n.type === Icmpv6Type.neighborAdvert) {
      const s = table.find(foldIpv6(d.ipv6.dst), target, 0, NS_KEY);
      if (s >= 0) table.setGateway(s, ANSWERED);
      return;
    }
    // A client's NS (duplicate address detection, from ::, is not a question for the gateways).
    const src = d.ipv6.src;
    if (n.type !== Icmpv6Type.neighborSolicit || (src[0] === 0 && src[1] === 0 && src[2] === 0 && src[3] === 0)) return;
    if (ctx.gateways.role(d.l2Src) !== -1) return;
    const client = this.client(d.l2Src, -1);
    if (client < 0) return;
    this.keyOf(foldIpv6(src), target, NS_KEY);
    const s = table.claim(foldIpv6(src), target, 0, NS_KEY);
    if (s < 0 || this.queueFull(table)) return;
    table.setGateway(s, 0);
    this.request(s, Request.ns, client, ctx.now, d);
  }

  /**
   * Counts a request refused for want of room. Each queued request holds a
   * live slot of the pending table, so the queue stays within the table's
   * size but for retries of one request (the same key queued again): twice
   * the table is the hard bound.
   */
  private queueFull(table: FlowTable): boolean {
    if (this.queueLength < table.capacity * 2) return false;
    this.notJudged++;
    return true;
  }

  private keyOf(src: number, dst: number, proto: number): void {
    this.key[0] = src;
    this.key[1] = dst;
    this.key[2] = 0;
    this.key[3] = proto;
  }

  private table(ctx: DetectContext): FlowTable {
    this.pending ??= new FlowTable(ctx.config.maxFlows, Defaults.echoReplyWindow);
    return this.pending;
  }

  private client(mac: number, ipv4: number): number {
    let c = this.clients.get(highWord(mac), mac | 0);
    if (c >= 0) return c;
    if (this.clientMacs.length >= MAX_CLIENTS) {
      // One client too many: its request is not judged (counted).
      this.notJudged++;
      return -1;
    }
    c = this.clientMacs.length;
    this.clients.set(highWord(mac), mac | 0, c);
    this.clientMacs.push(mac);
    this.clientIps.push(ipv4);
    return c;
  }

  private enqueue(slot: number, kind: number, client: number, now: number, d: DecodedFrame): void {
    if (this.queueLength === this.queueSlot.length) this.growQueue();
    const at = (this.queueHead + this.queueLength) % this.queueSlot.length;
    this.queueSlot[at] = slot;
    this.queueKind[at] = kind;
    this.queueClient[at] = client;
    this.queueTime[at] = now;
    this.queueSec[at] = d.tsSec;
    this.queueNsec[at] = d.tsNsec;
    this.queueFrame[at] = d.number;
    this.queueKey.set(this.key, at * 4);
    this.queueLength++;
  }

  private growQueue(): void {
    const n = this.queueSlot.length;
    const order = (i: number): number => (this.queueHead + i) % n;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(old: T, fresh: T): T => {
      for (let i = 0; i < this.queueLength; i++) fresh[i] = old[order(i)]!;
      return fresh;
    };
    this.queueSlot = grow(this.queueSlot, new Int32Array(n * 2));
    this.queueKind = grow(this.queueKind, new Uint8Array(n * 2));
    this.queueClient = grow(this.queueClient, new Int32Array(n * 2));
    this.queueTime = grow(this.queueTime, new Float64Array(n * 2));
    this.queueSec = grow(this.queueSec, new Float64Array(n * 2));
    this.queueNsec = grow(this.queueNsec, new Int32Array(n * 2));
    this.queueFrame = grow(this.queueFrame, new Float64Array(n * 2));
    const keys = new Int32Array(n * 2 * 4);
    for (let i = 0; i < this.queueLength; i++) keys.set(this.queueKey.subarray(order(i) * 4, order(i) * 4 + 4), i * 4);
    this.queueKey = keys;
    this.queueHead = 0;
  }

  /** Judges the requests sent more than the timeout before `now`: unanswered ones are lost. */
  private expire(ctx: DetectContext, now: number): void {
    const n = this.queueSlot.length;
    while (this.queueLength > 0 && this.queueTime[this.queueHead]! + Defaults.unansweredTimeout < now) {
      const at = this.queueHead;
      this.queueHead = (at + 1) % n;
      this.queueLength--;
      const table = this.pending!;
      const k = at * 4;
      const slot = table.find(this.queueKey[k]!, this.queueKey[k + 1]!, this.queueKey[k + 2]!, this.queueKey[k + 3]!);
      // Not our entry any more (it went idle past the table's limit): not judged.
      if (slot !== this.queueSlot[at]) continue;
      // Judged: the slot makes room for the next request — unless a retry of it (the same key, as
      // the kernel's ARP retries are) was queued since and still waits on it.
      if (table.touchedAt(slot) <= this.queueTime[at]!) table.release(slot);
      if (table.gateway(slot) === ANSWERED) continue;
      this.lose(ctx, at);
    }
  }

  private lose(ctx: DetectContext, at: number): void {
    const client = this.queueClient[at]!;
    this.counters[client * COUNTERS + this.queueKind[at]! * 2 + 1]!++;
    const ref = this.timeRef;
    ref.tsSec = this.queueSec[at]!;
    ref.tsNsec = this.queueNsec[at]!;
    ref.number = this.queueFrame[at]!;
    const id = this.findingOf[client]!;
    if (id >= 0) {
      ctx.findings.count(id, ref);
      return;
    }
    const mac = this.clientMacs[client]!;
    this.findingOf[client] = ctx.findings.add<UnansweredAnycastEvidence>(0, client, ref, {
      kind: KIND,
      severity: 'warning',
      cause: 'anycast-unanswered',
      gateway: -1,
      otherGateway: -1,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: -1,
      evidence: {
        kind: KIND,
        client: mac,
        clientIpv4: this.clientIps[client]!,
        toAnycastSent: 0,
        toAnycastLost: 0,
        forwardedSent: 0,
        forwardedLost: 0,
        arpSent: 0,
        arpLost: 0,
        nsSent: 0,
        nsLost: 0,
      },
    });
    ctx.findings.addClient(ctx.findings.get(this.findingOf[client]!), mac);
  }

  /** Requests not judged: refused by the full pending table (a flood: the rest are judged), or queued past its bound. */
  get evictions(): number {
    return (this.pending?.refused ?? 0) + this.notJudged;
  }

  finish(ctx: DetectContext): void {
    // Requests within the timeout of the last frame are left unjudged: their reply may be past the capture's end.
    this.expire(ctx, ctx.now);
    for (let client = 0; client < this.clientMacs.length; client++) {
      const id = this.findingOf[client]!;
      if (id < 0) continue;
      const f: FindingOf<UnansweredAnycastEvidence> = ctx.findings.get<UnansweredAnycastEvidence>(id);
      const c = client * COUNTERS;
      const e = f.evidence;
      e.toAnycastSent = this.counters[c + Request.toAnycast * 2]!;
      e.toAnycastLost = this.counters[c + Request.toAnycast * 2 + 1]!;
      e.forwardedSent = this.counters[c + Request.forwarded * 2]!;
      e.forwardedLost = this.counters[c + Request.forwarded * 2 + 1]!;
      e.arpSent = this.counters[c + Request.arp * 2]!;
      e.arpLost = this.counters[c + Request.arp * 2 + 1]!;
      e.nsSent = this.counters[c + Request.ns * 2]!;
      e.nsLost = this.counters[c + Request.ns * 2 + 1]!;
      // The gateway answers pings to its anycast IP but not the client's forwarded ones: strict rp_filter
      // (or a firewall) drops forwarded traffic that arrives on the anycast interface.
      const anycastAnswered = e.toAnycastSent > e.toAnycastLost;
      f.cause = e.forwardedLost > 0 && (anycastAnswered || e.toAnycastSent === 0) ? 'forwarded-dropped' : 'anycast-unanswered';
    }
  }
}

export const unansweredAnycast: DetectorDefinition<UnansweredAnycastEvidence, UnansweredAnycastCause, UnansweredAnycastDetector> = {
  id: KIND,
  title: 'Echo requests sent to the anycast gateway (to the anycast IP, or forwarded through it) that get no reply',
  docs: 'README.md#unanswered-anycast',
  kinds: [KIND],
  causes: ['forwarded-dropped', 'anycast-unanswered'],
  needs: Layer.icmp | Layer.icmpv6 | Layer.arp,
  capture: ['arp', 'icmp', 'icmp6'],
  // Tracking every echo request to the anycast MAC until its reply costs the bounding thread 35-45 %
  // on the bench capture (a million echo pairs) and 14 MB: on request until that is brought down.
  onByDefault: false,
  create: () => new UnansweredAnycastDetector(),
  // One finding per client.
  problemKey: (f) => String(f.evidence.client),
  evictions: (d) => d.evictions,
};
