import type { DecodedFrame } from '../decode/decoded-frame.js';
import type { AnycastAddresses } from './anycast-addresses.js';
import type { AnycastConfig } from './config.js';
import type { FindingStore } from './findings.js';
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
 * What a detector is, declared once. The registry (registry.ts) lists the
 * definitions; from them come the per-frame dispatch (`needs`), the finding
 * kinds and causes (and their types: `E` and `C`), the `detectors`
 * listing, `--detectors`/`--skip-detectors`, the live view's counters and
 * the schema test.
 *
 * `E` is the evidence of every kind it raises (a union with one member per
 * kind), `C` the causes it can name.
 */
export interface DetectorDefinition<E extends EvidenceRecord = EvidenceRecord, C extends string = string, D extends Detector = Detector> {
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
   * false: runs only when asked for (--detectors +ID), because what it costs
   * is not yet paid back on every capture (the README says what it costs).
   */
  readonly onByDefault?: false;
  create(): D;
  /** Types only, never set: the evidence and cause types the registry collects. */
  readonly evidenceType?: E;
  readonly causeType?: C;
}

/** The evidence type a definition declares. */
export type EvidenceOf<T> = T extends DetectorDefinition<infer E, string, Detector> ? E : never;
/** The cause type a definition declares. */
export type CauseOf<T> = T extends DetectorDefinition<EvidenceRecord, infer C, Detector> ? C : never;
/** The detector a definition creates. */
export type InstanceOf<T> = T extends DetectorDefinition<EvidenceRecord, string, infer D> ? D : never;
