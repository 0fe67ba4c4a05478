import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { AnycastAddresses } from './anycast-addresses.js';
import type { Claim } from './anycast-claims.js';
import { hasAnycast, type AnycastConfig } from './config.js';
import type { DetectContext } from './detector.js';
import { Cause, FindingKind, FindingStore, type Finding } from './findings.js';
import { GatewayRegistry, type Gateway } from './gateways.js';
import type { InferredAnycast } from './inference.js';
import type { InterGatewayPair } from './inter-gateway-traffic.js';
import { createDetectors, type DetectorSet } from './registry.js';

export type Verdict = 'healthy' | 'problems' | 'no-anycast';

/** Everything an analysis found, as plain data for the renderers. */
export interface AnalysisResult {
  verdict: Verdict;
  config: AnycastConfig;
  inferred: InferredAnycast[];
  gateways: Gateway[];
  findings: Finding[];
  interGateway: InterGatewayPair[];
  totalBytes: number;
  totalPackets: number;
  claims: Claim[];
  /** Requests sent to a gateway's unicast MAC but answered by the anycast MAC, per gateway index. */
  pinnedAnswers: Map<number, number>;
  evictions: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Runs every detector over the frames of one capture (or live stream) in
 * capture order. Frames go in through `observe`; `finish` settles causes
 * that need several detectors' evidence and returns the result.
 */
export class Analysis {
  readonly ctx: DetectContext;
  private readonly detectors: DetectorSet;
  private readonly inferred: InferredAnycast[];
  private firstSec = -1;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;

  constructor(config: AnycastConfig, inferred: InferredAnycast[] = []) {
    this.inferred = inferred;
    this.ctx = {
      config,
      anycast: new AnycastAddresses(config),
      gateways: new GatewayRegistry(config),
      findings: new FindingStore(),
      now: 0,
    };
    this.detectors = createDetectors();
  }

  observe(d: DecodedFrame): void {
    const ctx = this.ctx;
    ctx.now = d.tsSec + d.tsNsec * 1e-9;
    if (this.firstSec < 0) {
      this.firstSec = d.tsSec;
      this.firstNsec = d.tsNsec;
    }
    this.lastSec = d.tsSec;
    this.lastNsec = d.tsNsec;
    // One dispatch by layer bits instead of a loop over `all`: each call site sees one detector
    // class (monomorphic, inlinable), and a frame skips detectors whose first check would return
    // at once. The gates repeat each detector's own early return; the order is the array's.
    const set = this.detectors;
    const layers = d.layers;
    if ((layers & (Layer.ipv4 | Layer.ipv6)) !== 0 && d.l2Src >= 0) set.anycastReplyUnicastMac.observe(d, ctx);
    if ((layers & Layer.arp) !== 0) set.unicastArpReply.observe(d, ctx);
    if ((layers & Layer.icmpv6) !== 0) set.unicastNeighborAdvert.observe(d, ctx);
    if ((layers & (Layer.icmp | Layer.icmpv6 | Layer.tcp | Layer.udp)) !== 0) set.asymmetricReply.observe(d, ctx);
    set.interGatewayTraffic.observe(d, ctx);
    if ((layers & (Layer.arp | Layer.icmpv6)) !== 0) set.anycastClaims.observe(d, ctx);
  }

  /** Inter-gateway pairs so far, for the live view (finish() computes the final ones). */
  interGatewaySoFar(): InterGatewayPair[] {
    return this.detectors.interGatewayTraffic.snapshot(this.ctx.gateways.list.length);
  }

  finish(): AnalysisResult {
    const ctx = this.ctx;
    for (const detector of this.detectors.all) detector.finish(ctx);
    ctx.gateways.resolveLearnedAddresses((ip) => ctx.anycast.isAnycastIpv4(ip));
    const findings = ctx.findings.all();
    settleArpCauses(findings);
    findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.firstSec - b.firstSec || a.firstNsec - b.firstNsec);
    const problems = findings.some((f) => f.severity !== 'info');
    const igt = this.detectors.interGatewayTraffic;
    return {
      verdict: problems ? 'problems' : hasAnycast(ctx.config) ? 'healthy' : 'no-anycast',
      config: ctx.config,
      inferred: this.inferred,
      gateways: ctx.gateways.list,
      findings,
      interGateway: igt.pairs,
      totalBytes: igt.totalBytes,
      totalPackets: igt.totalPackets,
      claims: this.detectors.anycastClaims.list(),
      pinnedAnswers: this.detectors.asymmetricReply.pinnedAnswers,
      evictions: this.detectors.asymmetricReply.evictions,
      firstSec: Math.max(this.firstSec, 0),
      firstNsec: this.firstNsec,
      lastSec: this.lastSec,
      lastNsec: this.lastNsec,
    };
  }
}

/**
 * The likely cause of a unicast ARP answer for the anycast IP, from what
 * the real kernel does (test/lab/FINDINGS.md):
 * - the same gateway also sources anycast-IP packets from its unicast MAC:
 *   the source route is missing (replies from the anycast IP are routed out
 *   of the bridge, and with arp_filter=1 the bridge then answers ARP);
 * - the anycast MAC also answered the same clients: arp_filter is off
 *   (bridge and macvlan both answer);
 * - only unicast MACs answer: arp_filter is on but the source route is
 *   missing (the kernel answers only through the bridge).
 */
function settleArpCauses(findings: Finding[]): void {
  const sourcesAnycastFromUnicast = new Set<number>();
  for (const f of findings) if (f.kind === FindingKind.anycastReplyUnicastMac) sourcesAnycastFromUnicast.add(f.gateway);
  for (const f of findings) {
    if (f.kind !== FindingKind.unicastArpReply) continue;
    if (sourcesAnycastFromUnicast.has(f.gateway)) f.cause = Cause.sourceRouteMissing;
    else if (Number(f.detail['anycastAlsoAnswered'] ?? 0) > 0) f.cause = Cause.arpFilterOff;
    else f.cause = Cause.sourceRouteMissing;
  }
}
