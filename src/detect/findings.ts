import { highWord } from '../decode/read.js';
import type { EvidenceRecord } from './detector.js';
import { PairIndex } from './pair-index.js';
import type { FindingCause, FindingEvidence } from './registry.js';

/**
 * Findings are typed records, deduplicated by a numeric key: the same
 * problem seen a thousand times is one finding with a count, first/last
 * capture time and a few sample frame numbers. Each kind's evidence is a
 * typed record declared by its detector; the registry collects them into
 * one discriminated union (`FindingEvidence`, on `kind`). Words come later,
 * in report/.
 */
export type FindingKindValue = FindingEvidence['kind'];
export type CauseValue = FindingCause;

export type Severity = 'error' | 'warning' | 'info';

export const MAX_SAMPLE_FRAMES = 5;
export const MAX_LISTED_PEERS = 16;

/** What every finding has, whatever its kind. */
export interface FindingCommon {
  severity: Severity;
  cause: CauseValue;
  /** Gateway index that misbehaves (-1: not attributable to one gateway). */
  gateway: number;
  /** The other gateway involved (the expected one for asymmetric replies, the receiver for inter-gateway traffic), or -1. */
  otherGateway: number;
  count: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
  frames: number[];
  /** The anycast IPv4 address involved, or -1. */
  anycastIpv4: number;
  /** The anycast IPv6 address involved (4 words), or null. */
  anycastIpv6: Uint32Array | null;
  /** The offending MAC (the unicast MAC that answered or sourced), or -1. */
  mac: number;
  /** Clients told / affected (MACs, up to MAX_LISTED_PEERS) and how many in all. */
  clientMacs: number[];
  clientCount: number;
}

/** A finding of the kinds whose evidence is `E`. */
export interface FindingOf<E extends EvidenceRecord> extends FindingCommon {
  kind: E['kind'];
  evidence: E;
}

/** Any finding: narrow on `evidence.kind` to read its evidence. */
export type Finding = FindingOf<FindingEvidence>;

interface TimeRef {
  tsSec: number;
  tsNsec: number;
  number: number;
}

/** What a detector fills in for a new finding; the store adds the counts and times. */
export type FindingFields<E extends EvidenceRecord> = Omit<
  FindingOf<E>,
  'count' | 'firstSec' | 'firstNsec' | 'lastSec' | 'lastNsec' | 'frames' | 'clientMacs' | 'clientCount'
>;

/** Client sets stop growing here; clients beyond it are counted without being deduplicated. */
const MAX_CLIENT_SET = 4096;

/**
 * Findings by dedupe key: (kind, a, b), where `a` is a small number (a
 * gateway index + 1, an address index) and `b` a 32-bit one (an address).
 * The key is two int32 words in a PairIndex, not a Map key: as one number
 * above 2^31 it would be a heap number allocated at every lookup. Kinds get
 * their index here, in the order first used, so no detector picks one. Per
 * frame, a detector calls `find` with the key's parts and `count` when the
 * finding exists, and builds the fields for `add` only when it does not: no
 * closure or object per repeat frame.
 */
export class FindingStore {
  private readonly ids = new PairIndex();
  private readonly kindIndexes = new Map<string, number>();
  /** Findings in the order they were first raised (id = position). */
  private readonly list: Finding[] = [];
  private readonly clientSets = new Map<FindingCommon, PairIndex>();
  /** Called once per finding, the moment it is first raised (live view: print it as it happens). */
  onNew: ((f: Finding) => void) | undefined;

  /** The key's top word: the kind's index and `a`. */
  private keyHigh(kind: string, a: number): number {
    let index = this.kindIndexes.get(kind);
    if (index === undefined) {
      index = this.kindIndexes.size + 1;
      this.kindIndexes.set(kind, index);
    }
    return (index * 65536 + (a & 0xffff)) | 0;
  }

  /**
   * Count one offending frame under (kind, a, b); `create` builds the
   * finding the first time. Returns the finding so the caller can add
   * evidence. (Allocates a closure per call at the call site: per-frame
   * paths use find/count/add.)
   */
  raise<E extends FindingEvidence>(kind: E['kind'], a: number, b: number, frame: TimeRef, create: () => FindingFields<E>): FindingOf<E> {
    const id = this.find(kind, a, b);
    if (id >= 0) return this.count<E>(id, frame);
    return this.get<E>(this.add(a, b, frame, create()));
  }

  /** Id of the finding under (kind, a, b), or -1 if none was raised yet. */
  find(kind: FindingKindValue, a: number, b: number): number {
    return this.ids.get(this.keyHigh(kind, a), b | 0);
  }

  /** Count one more offending frame for finding `id` (of evidence `E`); returns the finding. */
  count<E extends FindingEvidence = FindingEvidence>(id: number, frame: TimeRef): FindingOf<E> {
    const f = this.get<E>(id);
    f.count++;
    f.lastSec = frame.tsSec;
    f.lastNsec = frame.tsNsec;
    if (f.frames.length < MAX_SAMPLE_FRAMES) f.frames.push(frame.number);
    return f;
  }

  /** Raise a new finding of `fields.kind` under (kind, a, b) (find returned -1), counting `frame`; returns its id. */
  add<E extends FindingEvidence>(a: number, b: number, frame: TimeRef, fields: FindingFields<E>): number {
    const f: FindingOf<E> = {
      ...fields,
      count: 1,
      firstSec: frame.tsSec,
      firstNsec: frame.tsNsec,
      lastSec: frame.tsSec,
      lastNsec: frame.tsNsec,
      frames: [frame.number],
      clientMacs: [],
      clientCount: 0,
    };
    const id = this.list.length;
    this.list.push(f as unknown as Finding);
    this.ids.set(this.keyHigh(fields.kind, a), b | 0, id);
    this.onNew?.(f as unknown as Finding);
    return id;
  }

  /**
   * Finding `id`. A detector reads back only findings it raised itself, so it
   * names their evidence type `E` (the ids it holds came from its own `add`).
   */
  get<E extends FindingEvidence = FindingEvidence>(id: number): FindingOf<E> {
    return this.list[id] as unknown as FindingOf<E>;
  }

  /** Record a client MAC as affected by finding `f` (deduplicated, listed up to MAX_LISTED_PEERS). */
  addClient(f: FindingCommon, mac: number): void {
    if (mac < 0) return;
    let set = this.clientSets.get(f);
    if (set === undefined) {
      set = new PairIndex(16);
      this.clientSets.set(f, set);
    }
    const hi = highWord(mac);
    if (set.get(hi, mac | 0) >= 0) return;
    if (set.size < MAX_CLIENT_SET) set.set(hi, mac | 0, 0);
    f.clientCount++;
    if (f.clientMacs.length < MAX_LISTED_PEERS) f.clientMacs.push(mac);
  }

  all(): Finding[] {
    return [...this.list];
  }
}
