import type { DecodedFrame } from '../decode/decoded-frame.js';
import { AnycastAddresses } from './anycast-addresses.js';
import { anycastClaims, type Claim } from './anycast-claims.js';
import { asymmetricReply } from './asymmetric-reply.js';
import { clientStory, type ClientStory } from './client-story.js';
import { gatewayAnswers, type MacAnswers } from './gateway-answers.js';
import { hasAnycast, type AnycastConfig } from './config.js';
import type { DetectContext, Detector, DetectorDefinition, InstanceOf } from './detector.js';
import { recordFacts } from './facts.js';
import { FindingStore, type Finding } from './findings.js';
import { GatewayRegistry, type Gateway } from './gateways.js';
import type { InferredAnycast } from './inference.js';
import { interGatewayTraffic, type InterGatewayPair } from './inter-gateway-traffic.js';
import { movedConnection } from './moved-connection.js';
import { settleCauses } from './policy.js';
import { unansweredAnycast } from './unanswered-anycast.js';
import { selectDetectors } from './registry.js';

/**
 * 'no-anycast': nothing in the frames looks like an anycast address;
 * 'undecided': some addresses look like anycast ones but the frames cannot
 * settle which (AnalysisResult.candidates say what would): nothing that
 * depends on them was judged.
 */
export type Verdict = 'healthy' | 'problems' | 'no-anycast' | 'undecided';

/** Everything an analysis found, as plain data for the renderers. */
export interface AnalysisResult {
  verdict: Verdict;
  config: AnycastConfig;
  inferred: InferredAnycast[];
  /** Addresses that look like anycast ones but that the inference could not settle (not judged). */
  candidates: InferredAnycast[];
  gateways: Gateway[];
  findings: Finding[];
  interGateway: InterGatewayPair[];
  totalBytes: number;
  totalPackets: number;
  claims: Claim[];
  /** Claim frames not in `claims`: the table was full. */
  claimsNotTracked: number;
  /** Per gateway (same order as `gateways`), the ARP/NA/RA/DHCP answers its MACs sent. */
  gatewayAnswers: Omit<MacAnswers, 'mac'>[];
  /** The story of the client named with --client, or null. */
  client: ClientStory | null;
  evictions: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

type Dispatch = (frame: DecodedFrame, ctx: DetectContext) => void;

/**
 * The per-frame dispatch over `running`, generated from each definition's
 * `needs`: one `if` on the frame's layer bits and one call site per
 * detector. Each call site sees one detector class only (monomorphic, so
 * V8 inlines it), which a loop over an array of detectors would not give:
 * there, one call site sees them all. The gates are data (the definitions);
 * only their unrolling is generated.
 */
function compileDispatch(running: readonly { needs: number; detector: Detector }[]): Dispatch {
  const names = running.map((_, i) => `d${i}`);
  const body = running
    .map((r, i) => (r.needs === 0 ? `d${i}.observe(frame, ctx);` : `if ((layers & ${r.needs | 0}) !== 0) d${i}.observe(frame, ctx);`))
    .join('\n    ');
  const make = new Function(...names, `return function observe(frame, ctx) {\n    const layers = frame.layers;\n    ${body}\n  };`) as (
    ...detectors: Detector[]
  ) => Dispatch;
  return make(...running.map((r) => r.detector));
}

/**
 * Runs the selected detectors over the frames of one capture (or live
 * stream) in capture order. Frames go in through `observe`; `finish` lets
 * every detector finish, draws the cross-detector conclusions (policy.ts)
 * and returns the result.
 */
export class Analysis {
  readonly ctx: DetectContext & { config: AnycastConfig };
  private readonly running: { definition: DetectorDefinition; detector: Detector; needs: number }[];
  private readonly dispatch: Dispatch;
  private inferred: InferredAnycast[];
  private firstSec = -1;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;

  constructor(config: AnycastConfig, inferred: InferredAnycast[] = [], detectors: readonly DetectorDefinition[] = selectDetectors(undefined)) {
    this.inferred = inferred;
    this.ctx = {
      config,
      anycast: new AnycastAddresses(config),
      gateways: new GatewayRegistry(config),
      findings: new FindingStore(),
      now: 0,
    };
    this.running = detectors.map((definition) => ({ definition, detector: definition.create(), needs: definition.needs }));
    this.dispatch = compileDispatch(this.running);
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
    recordFacts(d, ctx);
    this.dispatch(d, ctx);
  }

  /**
   * Anycast addresses learned while this analysis runs: frames from now on
   * are judged with them, frames already seen are not (the one-pass judge
   * uses this only when it can no longer replay the frames from the start).
   */
  adoptInferred(inferred: InferredAnycast[], config: AnycastConfig): void {
    const ctx = this.ctx;
    for (const ip of config.anycastIpv4) ctx.anycast.addIpv4(ip);
    for (const ip of config.anycastIpv6) ctx.anycast.addIpv6(ip);
    for (const mac of config.anycastMacs) ctx.gateways.addAnycastMac(mac);
    ctx.config = config;
    this.inferred = inferred;
  }

  /** The running instance of `definition`, or undefined when it was not selected. */
  instance<T extends DetectorDefinition>(definition: T): InstanceOf<T> | undefined {
    return this.running.find((r) => r.definition === definition)?.detector as InstanceOf<T> | undefined;
  }

  /** Inter-gateway pairs so far, for the live view (finish() computes the final ones). */
  interGatewaySoFar(): InterGatewayPair[] {
    return this.instance(interGatewayTraffic)?.snapshot(this.ctx.gateways.list.length) ?? [];
  }

  /** The answers of each gateway's MACs, summed. */
  private answersPerGateway(): Omit<MacAnswers, 'mac'>[] {
    const tracker = this.instance(gatewayAnswers);
    return this.ctx.gateways.list.map((g) => {
      const sum = { arp: 0, na: 0, ra: 0, dhcp: 0 };
      for (const mac of g.macs) {
        const a = tracker?.of(mac);
        if (a === undefined) continue;
        sum.arp += a.arp;
        sum.na += a.na;
        sum.ra += a.ra;
        sum.dhcp += a.dhcp;
      }
      return sum;
    });
  }

  finish(): AnalysisResult {
    const ctx = this.ctx;
    for (const r of this.running) r.detector.finish(ctx);
    ctx.gateways.resolveLearnedAddresses((ip) => ctx.anycast.isAnycastIpv4(ip));
    const findings = ctx.findings.all();
    settleCauses(findings);
    findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.firstSec - b.firstSec || a.firstNsec - b.firstNsec);
    const problems = findings.some((f) => f.severity !== 'info');
    const igt = this.instance(interGatewayTraffic);
    return {
      verdict: problems ? 'problems' : hasAnycast(ctx.config) ? 'healthy' : 'no-anycast',
      config: ctx.config,
      inferred: this.inferred,
      candidates: [],
      gateways: ctx.gateways.list,
      findings,
      interGateway: igt?.pairs ?? [],
      totalBytes: igt?.totalBytes ?? 0,
      totalPackets: igt?.totalPackets ?? 0,
      claims: this.instance(anycastClaims)?.list() ?? [],
      claimsNotTracked: this.instance(anycastClaims)?.notTracked ?? 0,
      client: this.instance(clientStory)?.result() ?? null,
      gatewayAnswers: this.answersPerGateway(),
      evictions:
        (this.instance(asymmetricReply)?.evictions ?? 0) +
        (this.instance(unansweredAnycast)?.evictions ?? 0) +
        (this.instance(movedConnection)?.evictions ?? 0),
      firstSec: Math.max(this.firstSec, 0),
      firstNsec: this.firstNsec,
      lastSec: this.lastSec,
      lastNsec: this.lastNsec,
    };
  }
}
