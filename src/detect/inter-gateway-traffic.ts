import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { MAX_GATEWAYS } from './gateways.js';

const KIND = 'inter-gateway-traffic';

/** Volume between one ordered pair of gateways. */
export interface InterGatewayTrafficEvidence {
  readonly kind: typeof KIND;
  readonly bytes: number;
  /** Share of all bytes read. */
  readonly share: number;
  readonly peakPerSecond: number;
}

export interface InterGatewayPair {
  from: number;
  to: number;
  packets: number;
  bytes: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  firstFrame: number;
  /** Most packets seen in one second of capture time. */
  peakPerSecond: number;
}

/** The report's matrix of traffic between gateways. */
export interface InterGatewaySection {
  /** Every ordered pair with traffic, by gateway index. */
  interGateway: InterGatewayPair[];
  /** Every frame read and its bytes: what a pair's share is of. */
  totalBytes: number;
  totalPackets: number;
}

/**
 * `inter-gateway-traffic`: frames from one gateway's unicast MAC to
 * another's, per ordered pair — packets, bytes, first/last, peak per
 * second, share of all bytes. Always measured (the matrix is in every
 * report); a warning only when the share passes the configured threshold.
 * Counters are typed arrays indexed by gateway pair: two Map lookups per
 * frame are the whole cost for frames that are not between gateways.
 */
export class InterGatewayTrafficDetector implements Detector {
  private readonly packets = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS);
  private readonly bytes = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS);
  private readonly first = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS * 3);
  private readonly last = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS * 2);
  private readonly second = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS);
  private readonly inSecond = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS);
  private readonly peak = new Float64Array(MAX_GATEWAYS * MAX_GATEWAYS);
  totalBytes = 0;
  totalPackets = 0;
  pairs: InterGatewayPair[] = [];

  observe(d: DecodedFrame, ctx: DetectContext): void {
    this.totalBytes += d.wireLen;
    this.totalPackets++;
    if (d.l2Src < 0 || d.l2Dst < 0) return;
    const gateways = ctx.gateways;
    const from = gateways.indexOf(d.l2Src);
    if (from < 0) return;
    const to = gateways.indexOf(d.l2Dst);
    if (to < 0 || to === from) return;
    const p = from * MAX_GATEWAYS + to;
    if (this.packets[p] === 0) {
      this.first[p * 3] = d.tsSec;
      this.first[p * 3 + 1] = d.tsNsec;
      this.first[p * 3 + 2] = d.number;
      this.second[p] = d.tsSec;
    }
    this.packets[p]!++;
    this.bytes[p]! += d.wireLen;
    this.last[p * 2] = d.tsSec;
    this.last[p * 2 + 1] = d.tsNsec;
    if (this.second[p] !== d.tsSec) {
      this.second[p] = d.tsSec;
      this.inSecond[p] = 0;
    }
    this.inSecond[p]!++;
    if (this.inSecond[p]! > this.peak[p]!) this.peak[p] = this.inSecond[p]!;
  }

  /** Every ordered pair with traffic so far. */
  snapshot(gatewayCount: number): InterGatewayPair[] {
    const pairs: InterGatewayPair[] = [];
    for (let from = 0; from < gatewayCount; from++) {
      for (let to = 0; to < gatewayCount; to++) {
        const p = from * MAX_GATEWAYS + to;
        if (this.packets[p] === 0) continue;
        pairs.push({
          from,
          to,
          packets: this.packets[p]!,
          bytes: this.bytes[p]!,
          firstSec: this.first[p * 3]!,
          firstNsec: this.first[p * 3 + 1]!,
          firstFrame: this.first[p * 3 + 2]!,
          lastSec: this.last[p * 2]!,
          lastNsec: this.last[p * 2 + 1]!,
          peakPerSecond: this.peak[p]!,
        });
      }
    }
    return pairs;
  }

  finish(ctx: DetectContext): void {
    this.pairs = this.snapshot(ctx.gateways.list.length);
    for (const pair of this.pairs) {
      const { from, to } = pair;
      const share = this.totalBytes > 0 ? pair.bytes / this.totalBytes : 0;
      const warn = share >= ctx.config.interGatewayWarnShare && pair.packets >= Defaults.interGatewayMinPackets;
      const f = ctx.findings.raise<InterGatewayTrafficEvidence>(
        KIND,
        from + 1,
        to + 1,
        { tsSec: pair.firstSec, tsNsec: pair.firstNsec, number: pair.firstFrame },
        () => ({
          kind: KIND,
          severity: warn ? 'warning' : 'info',
          cause: 'inter-gateway-volume',
          gateway: from,
          otherGateway: to,
          anycastIpv4: -1,
          anycastIpv6: null,
          mac: -1,
          evidence: { kind: KIND, bytes: pair.bytes, share, peakPerSecond: pair.peakPerSecond },
        }),
      );
      f.count = pair.packets;
      f.lastSec = pair.lastSec;
      f.lastNsec = pair.lastNsec;
    }
  }
}

export const interGatewayTraffic: DetectorDefinition<InterGatewayTrafficEvidence, 'inter-gateway-volume', InterGatewayTrafficDetector, InterGatewaySection> = {
  id: KIND,
  title: 'Traffic between two gateways (their unicast MACs): volume, rate and share',
  docs: 'README.md#inter-gateway-traffic',
  kinds: [KIND],
  causes: ['inter-gateway-volume'],
  // Every frame: the share is of all bytes read.
  needs: 0,
  // Live: every frame between the gateways known as the capture starts (others only as far as the other clauses bring them).
  capture: ['gateway-pairs'],
  create: () => new InterGatewayTrafficDetector(),
  section: {
    of: (d, ctx) => ({ interGateway: d.snapshot(ctx.gateways.list.length), totalBytes: d.totalBytes, totalPackets: d.totalPackets }),
    absent: () => ({ interGateway: [], totalBytes: 0, totalPackets: 0 }),
  },
};
