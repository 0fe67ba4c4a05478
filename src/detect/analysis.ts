import type { DecodedFrame } from '../decode/decoded-frame.js';
import { AnycastAddresses } from './anycast-addresses.js';
import { hasAnycast, type AnycastConfig } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { recordFacts } from './facts.js';
import { FindingStore, type Finding } from './findings.js';
import { GatewayRegistry, type Gateway } from './gateways.js';
import type { InferredAnycast } from './inference.js';
import { settleCauses } from './policy.js';
import { DETECTORS, selectDetectors, type ReportSections } from './registry.js';

/**
 * 'no-anycast': nothing in the frames looks like an anycast address;
 * 'unsure': some addresses look like anycast ones but the frames cannot
 * settle which (AnalysisResult.candidates say what would): nothing that
 * depends on them was judged.
 */
export type Verdict = 'healthy' | 'problems' | 'no-anycast' | 'unsure';

/** What every analysis result has, whichever detectors ran. */
export interface AnalysisCommon {
  verdict: Verdict;
  config: AnycastConfig;
  inferred: InferredAnycast[];
  /** Addresses that look like anycast ones but that the inference could not settle (not judged). */
  candidates: InferredAnycast[];
  gateways: Gateway[];
  findings: Finding[];
  /** Flows and requests left out of full tables, summed over the detectors that count them (their `evictions`). */
  evictions: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
}

/**
 * Everything an analysis found, as plain data for the renderers: the common
 * part and every detector's report section (the inter-gateway matrix, the
 * claims table, the gateways' answers, the client's story), each filled by
 * the definition that declares it.
 */
export type AnalysisResult = AnalysisCommon & ReportSections;

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
  /** The running definition of each finding kind. */
  private readonly byKind = new Map<string, DetectorDefinition>();
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
    for (const definition of detectors) for (const kind of definition.kinds) this.byKind.set(kind, definition);
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

  /**
   * The report sections as they stand: each running detector's (its
   * definition's `section.of`), and for each registered one not running what
   * it says when absent. The live view reads them while frames come;
   * finish() puts the final ones in the result.
   */
  sections(): ReportSections {
    const ctx = this.ctx;
    const fields: Record<string, unknown> = {};
    for (const definition of DETECTORS) {
      if (definition.section !== undefined && !this.running.some((r) => r.definition === definition)) Object.assign(fields, definition.section.absent(ctx));
    }
    for (const r of this.running) if (r.definition.section !== undefined) Object.assign(fields, r.definition.section.of(r.detector, ctx));
    // Every registered definition's fields are in: those of the detectors running and those of the rest.
    return fields as ReportSections;
  }

  /**
   * What tells the problem `f` from every other one, the same in a judgement
   * again from the look-back: its kind, MAC, anycast address and gateways,
   * and what its definition's `problemKey` adds where one MAC can raise
   * several of a kind. The live stream announces each key once; every
   * finding the report holds has a key of its own.
   */
  problemKey(f: Finding): string {
    // Gateways by their first MAC, which a judgement again gives them too (their indices may differ):
    // inter-gateway traffic has no MAC of its own, one finding per direction.
    const gateways = this.ctx.gateways.list;
    const gatewayMacs = `${gateways[f.gateway]?.macs[0] ?? -1}>${gateways[f.otherGateway]?.macs[0] ?? -1}`;
    const extra = this.byKind.get(f.kind)?.problemKey?.(f) ?? '';
    const v6 = f.anycastIpv6 === null ? '' : f.anycastIpv6.join(':');
    return `${f.kind}|${f.mac}|${f.anycastIpv4}|${v6}|${gatewayMacs}|${extra}`;
  }

  finish(): AnalysisResult {
    const ctx = this.ctx;
    for (const r of this.running) r.detector.finish(ctx);
    ctx.gateways.resolveLearnedAddresses((ip) => ctx.anycast.isAnycastIpv4(ip));
    const findings = ctx.findings.all();
    settleCauses(findings);
    findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.firstSec - b.firstSec || a.firstNsec - b.firstNsec);
    const problems = findings.some((f) => f.severity !== 'info');
    let evictions = 0;
    for (const r of this.running) evictions += r.definition.evictions?.(r.detector) ?? 0;
    return {
      verdict: problems ? 'problems' : hasAnycast(ctx.config) ? 'healthy' : 'no-anycast',
      config: ctx.config,
      inferred: this.inferred,
      candidates: [],
      gateways: ctx.gateways.list,
      findings,
      evictions,
      ...this.sections(),
      firstSec: Math.max(this.firstSec, 0),
      firstNsec: this.firstNsec,
      lastSec: this.lastSec,
      lastNsec: this.lastNsec,
    };
  }
}
