import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { ArpOp } from '../decode/arp.js';
import { FrameDecoder } from '../decode/frame-decoder.js';
import { IcmpType } from '../decode/icmp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import type { LiveCapture } from '../source/live-cap.js';
import type { Injector } from '../source/inject.js';
import { ProbeFrames } from '../source/probe-frames.js';
import { ipv6Equal } from '../detect/config.js';
import type { LivePipeline } from './live-pipeline.js';
import type { ProbeAnswer, ProbeAnswerKind, ProbePlan, ProbeResult } from '../core/probe.js';
import type { InferredAnycast } from '../detect/inference.js';

/**
 * `probe`'s ceilings, which no flag lifts: at most this many packets per
 * second (one every 50 ms) and in all. A probe asks; it never floods.
 */
export const PROBE_LIMITS = {
  maxPacketsPerSecond: 20,
  maxPackets: 100,
  maxCount: 20,
  minInterval: 0.05,
  maxInterval: 10,
  maxTimeout: 10,
} as const;

/**
 * Watches the captured frames for our requests (their capture times, for
 * round trips) and the answers to them. The capture sees the frames this
 * host sends, so both ends of a round trip carry kernel timestamps. Every
 * frame also goes to the analysis, so the same detectors judge the answers.
 */
export class ProbeCollector implements FrameSink {
  private readonly d = new FrameDecoder();
  private readonly lastArpSent: number[];
  private readonly lastNsSent: number[];
  private readonly echoSentAt = new Map<number, number>();
  private readonly echoSeen = new Set<number>();
  readonly answers: ProbeAnswer[] = [];
  readonly echoAnswered: number[];

  constructor(
    private readonly plan: ProbePlan,
    private readonly pipeline: LivePipeline,
  ) {
    this.lastArpSent = plan.anycastIpv4.map(() => -1);
    this.lastNsSent = plan.anycastIpv6.map(() => -1);
    this.echoAnswered = [...plan.anycastIpv4, ...plan.anycastIpv6].map(() => 0);
  }

  frame(rec: FrameRecord): void {
    this.pipeline.frame(rec);
    const d = this.d;
    d.decode(rec);
    const t = d.tsSec + d.tsNsec / 1e9;
    if ((d.layers & Layer.arp) !== 0) this.arp(d, t);
    else if ((d.layers & Layer.icmp) !== 0) this.icmp(d, t);
    else if ((d.layers & Layer.icmpv6) !== 0) this.icmpv6(d, t);
  }

  private ipv6Index(words: ArrayLike<number>): number {
    return this.plan.anycastIpv6.findIndex((a) => ipv6Equal(a, words));
  }

  private icmpv6(d: FrameDecoder, t: number): void {
    const plan = this.plan;
    const n = d.icmpv6;
    if (n.type === Icmpv6Type.neighborSolicit && n.hasTarget && d.l2Src === plan.sourceMac) {
      const i = this.ipv6Index(n.target);
      if (i >= 0) this.lastNsSent[i] = t;
      return;
    }
    if (n.type === Icmpv6Type.neighborAdvert && n.hasTarget && d.l2Src !== plan.sourceMac) {
      const i = this.ipv6Index(n.target);
      if (i < 0) return;
      // The MAC a host caches is the target link-layer address option (the Ethernet source only without it).
      const mac = n.targetLinkAddr >= 0 ? n.targetLinkAddr : d.l2Src;
      const sent = this.lastNsSent[i]!;
      this.count(-1, i, 'na', mac, d.l2Src >= 0 && d.l2Src !== mac ? d.l2Src : -1, sent >= 0 ? t - sent : -1);
      return;
    }
    if (n.id !== plan.echoId) return;
    const peer = n.type === Icmpv6Type.echoRequest ? d.ipv6.dst : d.ipv6.src;
    const i = this.ipv6Index(peer);
    if (i < 0) return;
    const key = (plan.anycastIpv4.length + i) * 65536 + n.seq;
    if (n.type === Icmpv6Type.echoRequest && d.l2Src === plan.sourceMac) {
      this.echoSentAt.set(key, t);
      return;
    }
    if (n.type !== Icmpv6Type.echoReply || d.l2Dst !== plan.sourceMac) return;
    if (!this.echoSeen.has(key)) {
      this.echoSeen.add(key);
      this.echoAnswered[plan.anycastIpv4.length + i]!++;
    }
    const sent = this.echoSentAt.get(key);
    this.count(-1, i, 'echo6', d.l2Src, -1, sent === undefined ? -1 : t - sent);
  }

  private arp(d: FrameDecoder, t: number): void {
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4()) return;
    const plan = this.plan;
    if (a.op === ArpOp.request && a.sha === plan.sourceMac) {
      const i = plan.anycastIpv4.indexOf(a.tpa);
      if (i >= 0) this.lastArpSent[i] = t;
      return;
    }
    if (a.op !== ArpOp.reply || (a.tha !== plan.sourceMac && d.l2Dst !== plan.sourceMac)) return;
    const i = plan.anycastIpv4.indexOf(a.spa);
    if (i < 0) return;
    const sent = this.lastArpSent[i]!;
    this.count(a.spa, -1, 'arp', a.sha, d.l2Src >= 0 && d.l2Src !== a.sha ? d.l2Src : -1, sent >= 0 ? t - sent : -1);
  }

  private icmp(d: FrameDecoder, t: number): void {
    const plan = this.plan;
    const c = d.icmp;
    if (c.id !== plan.echoId) return;
    const i = plan.anycastIpv4.indexOf(c.type === IcmpType.echoRequest ? d.ipv4.dst : d.ipv4.src);
    if (i < 0) return;
    const key = i * 65536 + c.seq;
    if (c.type === IcmpType.echoRequest && d.ipv4.src === plan.sourceIp) {
      this.echoSentAt.set(key, t);
      return;
    }
    if (c.type !== IcmpType.echoReply || d.ipv4.dst !== plan.sourceIp) return;
    if (!this.echoSeen.has(key)) {
      this.echoSeen.add(key);
      this.echoAnswered[i]!++;
    }
    const sent = this.echoSentAt.get(key);
    this.count(d.ipv4.src, -1, 'echo', d.l2Src, -1, sent === undefined ? -1 : t - sent);
  }

  private count(anycastIp: number, anycastIpv6Index: number, kind: ProbeAnswerKind, mac: number, ethernetSource: number, rtt: number): void {
    let a = this.answers.find((x) => x.anycastIp === anycastIp && x.anycastIpv6Index === anycastIpv6Index && x.kind === kind && x.mac === mac);
    if (a === undefined) {
      a = { anycastIp, anycastIpv6Index, kind, mac, ethernetSource, replies: 0, rttMin: Number.POSITIVE_INFINITY, rttMax: 0, rttSum: 0, rttCount: 0 };
      this.answers.push(a);
    }
    a.replies++;
    if (rtt < 0) return;
    a.rttMin = Math.min(a.rttMin, rtt);
    a.rttMax = Math.max(a.rttMax, rtt);
    a.rttSum += rtt;
    a.rttCount++;
  }

  /** The MAC that answered ARP or NS most often so far (where to send the echo requests when no anycast MAC is given), or -1. */
  mostAnswering(): number {
    let best: ProbeAnswer | undefined;
    for (const a of this.answers) if ((a.kind === 'arp' || a.kind === 'na') && (best === undefined || a.replies > best.replies)) best = a;
    return best?.mac ?? -1;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the plan's requests, paced (never faster than
 * PROBE_LIMITS.maxPacketsPerSecond, never more than maxPackets), while
 * `capture` delivers frames to `collector`; waits `timeout` after the last
 * one, stops the capture and returns what answered. `stopped()` ends it
 * early (Ctrl-C).
 */
export async function runProbe(
  plan: ProbePlan,
  capture: LiveCapture,
  injector: Injector,
  collector: ProbeCollector,
  stopped: () => boolean,
): Promise<ProbeResult> {
  const frames = new ProbeFrames();
  const gapMs = 1000 / PROBE_LIMITS.maxPacketsPerSecond;
  let sent = 0;
  let lastSend = 0;
  let echoMac = plan.anycastMac;
  let arpSent = 0;
  let echoSent = 0;
  let nsSent = 0;
  let echo6Sent = 0;
  const v6 = plan.sourceIpv6;
  const send = async (length: number): Promise<boolean> => {
    if (sent >= PROBE_LIMITS.maxPackets || stopped()) return false;
    // A timer may fire up to a millisecond early (setTimeout drops the fraction, the loop's clock is
    // cached): wait again until the gap has really passed, so no second holds more than the ceiling.
    for (let wait = lastSend + gapMs - performance.now(); wait > 0; wait = lastSend + gapMs - performance.now()) await sleep(Math.ceil(wait));
    injector.send(frames.buffer, 0, length);
    lastSend = performance.now();
    sent++;
    return true;
  };
  for (let round = 0; round < plan.count && !stopped(); round++) {
    const roundStart = performance.now();
    for (const ip of plan.anycastIpv4) if (await send(frames.arpRequest(plan.sourceMac, plan.sourceIp, ip))) arpSent++;
    if (v6 !== null) for (const ip of plan.anycastIpv6) if (await send(frames.neighborSolicit(plan.sourceMac, v6, ip))) nsSent++;
    if (echoMac < 0) {
      // Not given: the echo requests go to the MAC that answered ARP/NS most often after a moment. Whether it is
      // the anycast MAC is settled after the run, from all the answers (settleAnycastMac).
      await sleep(Math.min(plan.timeout, 0.3) * 1000);
      echoMac = collector.mostAnswering();
    }
    if (echoMac >= 0) {
      for (const ip of plan.anycastIpv4) if (await send(frames.echoRequest(plan.sourceMac, echoMac, plan.sourceIp, ip, plan.echoId, round + 1))) echoSent++;
      if (v6 !== null)
        for (const ip of plan.anycastIpv6) if (await send(frames.echo6Request(plan.sourceMac, echoMac, v6, ip, plan.echoId, round + 1))) echo6Sent++;
    }
    const rest = roundStart + plan.interval * 1000 - performance.now();
    if (round + 1 < plan.count && rest > 0) await sleep(rest);
  }
  const deadline = performance.now() + plan.timeout * 1000;
  while (performance.now() < deadline && !stopped()) await sleep(50);
  capture.stop();
  await capture.done;
  return {
    plan,
    anycastMac: plan.anycastMac,
    anycastMacSource: plan.anycastMac >= 0 ? 'given' : 'unknown',
    echoMac,
    arpSent,
    echoSent,
    nsSent,
    echo6Sent,
    echoAnswered: collector.echoAnswered,
    answers: collector.answers,
  };
}

/**
 * The anycast MAC from the answers, when none was given: the one the
 * analysis of the captured frames inferred and judged with, if the evidence
 * is the anycast MAC's own — it answered a request several times (once per
 * gateway), with no other MAC as strong a case, for every probed address.
 * One MAC answering each request once is not enough: a single gateway's
 * anycast MAC does that, and so does a gateway's bridge answering for the
 * anycast IP (arp_filter off, the source route missing). Then the MAC stays
 * unknown (and the probe says so) rather than guessed; taking the analysis's
 * own pick keeps the probe and its detector section from disagreeing.
 */
export function settleAnycastMac(result: ProbeResult, inferred: readonly InferredAnycast[]): ProbeResult {
  if (result.anycastMacSource === 'given' || inferred.length === 0) return result;
  const macs = new Set(inferred.map((i) => i.mac));
  const shared = inferred.every((i) => i.decided && i.maxRepliesPerRequest >= 2);
  if (macs.size !== 1 || !shared) return result;
  return { ...result, anycastMac: inferred[0]!.mac, anycastMacSource: 'answers' };
}
