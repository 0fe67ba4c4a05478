import type { DecodedFrame } from '../decode/decoded-frame.js';
import type { AnycastAddresses } from './anycast-addresses.js';
import type { CaptureClause } from '../core/capture-clause.js';
import type { AnycastConfig } from './config.js';
import type { FindingOf, FindingStore } from './findings.js';
import type { GatewayRegistry } from './gateways.js';

/** Shared state every detector reads: the configuration, known gateways, where findings go, capture time. */
export interface DetectContext {
  readonly config: AnycastConfig;
  readonly anycast: AnycastAddresses;
  readonly gateways: GatewayRegistry;
  readonly findings: FindingStore;
  /** Capture time of the current frame in seconds (float; windows only — findings keep exact sec/nsec). */
  now: number;
}

/**
 * One running detector, made by its definition's `create` once per
 * analysis.
 *
 * Lifecycle: created; `observe` 0..n times, in capture order, only for
 * frames with one of the layers its definition `needs`; `finish` once.
 * The frame is reused for the next one: copy the numbers you keep, never
 * the frame. A detector reads decoded fields only (never bytes), returns
 * early for frames it does not care about, raises findings only through
 * `ctx.findings` (its own; never another detector's) and never touches the
 * terminal: words live in report/.
 */
export interface Detector {
  observe(frame: DecodedFrame, ctx: DetectContext): void;
  finish(ctx: DetectContext): void;
}

/** The evidence a finding kind carries: a typed record whose `kind` names the finding kind. */
export interface EvidenceRecord {
  readonly kind: string;
}

/**
 * A part of the analysis result (AnalysisResult) that one detector fills:
 * fields of its own (a report table, a story), read from its running
 * instance, or what they are when it does not run. The registry collects
 * every definition's fields into the result's type (`ReportSections`), so
 * the renderers read them typed and analysis.ts names no detector.
 */
export interface ReportSection<D extends Detector, S extends object> {
  /** The fields from the running detector: at the end, once it finished, and while it runs for the live view. */
  of(detector: D, ctx: DetectContext): S;
  /** The fields when the detector was not selected. */
  absent(ctx: DetectContext): S;
}

/**
 * What a detector is, declared once. The registry (registry.ts) lists the
 * definitions; from them come the per-frame dispatch (`needs`), the finding
 * kinds and causes (and their types: `E` and `C`), the `detectors`
 * listing, `--detectors`/`--skip-detectors`, the live view's counters,
 * `watch`'s default capture filter (`capture`), the once-per-problem
 * announcement (`problemKey`), the evictions in the statistics
 * (`evictions`), the report sections (`section`, typed `S`) and the schema
 * test.
 *
 * `E` is the evidence of every kind it raises (a union with one member per
 * kind), `C` the causes it can name, `D` the detector it creates and `S`
 * the fields it adds to the analysis result.
 */
export interface DetectorDefinition<
  E extends EvidenceRecord = EvidenceRecord,
  C extends string = string,
  D extends Detector = Detector,
  S extends object = object,
> {
  /** Stable name, used by --detectors/--skip-detectors (for a finding detector: its main kind). */
  readonly id: string;
  /** One line: what it finds. */
  readonly title: string;
  /** Where the README explains it. */
  readonly docs: string;
  /** Finding kinds it can raise; empty for one that only builds a report section. */
  readonly kinds: readonly E['kind'][];
  /** Likely causes its findings can name. */
  readonly causes: readonly C[];
  /** Layer bits (decode/layer.ts): `observe` sees only frames where one of them decoded; 0 = every frame. */
  readonly needs: number;
  /**
   * What `watch`'s default filter must capture for it (core/capture-clause.ts):
   * the filter is the union over the detectors that run, so a detector not
   * selected costs the kernel nothing. Every layer in `needs` is let through
   * by one of these clauses or named in `notLive` (registry.test.ts checks).
   */
  readonly capture: readonly CaptureClause[];
  /**
   * Layers of `needs` it reads in a capture file but not live, because no
   * clause brings them in at a cost worth paying (the definition says why).
   * None by default.
   */
  readonly notLive?: number;
  /**
   * false: runs only when asked for (--detectors +ID), because what it costs
   * is not yet paid back on every capture (the README says what it costs).
   */
  readonly onByDefault?: false;
  create(): D;
  /**
   * What tells one of its findings from another of the same kind, MAC,
   * anycast address and gateways, where one MAC can raise several (an RA's
   * content, a DHCP server, a client): the live stream announces each
   * problem once by that whole key (Analysis.problemKey). None by default:
   * the common part tells them apart.
   */
  problemKey?(finding: FindingOf<E>): string;
  /** Flows and requests it left out of full tables (`stats.evictions`, summed over the detectors); none by default. */
  evictions?(detector: D): number;
  /** The fields it adds to the analysis result; none by default (its findings are its report). */
  readonly section?: ReportSection<D, S>;
  /** Types only, never set: the evidence and cause types the registry collects. */
  readonly evidenceType?: E;
  readonly causeType?: C;
}

/** The evidence type a definition declares. */
export type EvidenceOf<T> = T extends DetectorDefinition<infer E, string, Detector, object> ? E : never;
/** The cause type a definition declares. */
export type CauseOf<T> = T extends DetectorDefinition<EvidenceRecord, infer C, Detector, object> ? C : never;
/** The fields a definition adds to the analysis result (`object`: none). */
export type SectionOf<T> = T extends DetectorDefinition<EvidenceRecord, string, Detector, infer S> ? S : never;
