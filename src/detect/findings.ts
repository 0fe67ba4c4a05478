import { highWord } from '../decode/read.js';
import { PairIndex } from './pair-index.js';

/**
 * Findings are typed records, deduplicated by a numeric key: the same
 * problem seen a thousand times is one finding with a count, first/last
 * capture time and a few sample frame numbers. Words come later, in report/.
 */
export const FindingKind = {
  unicastArpReply: 'unicast-arp-reply',
  unicastNeighborAdvert: 'unicast-neighbor-advert',
  anycastReplyUnicastMac: 'anycast-reply-unicast-mac',
  asymmetricReply: 'asymmetric-reply',
  gatewaySwitch: 'gateway-switch',
  interGatewayTraffic: 'inter-gateway-traffic',
} as const;
export type FindingKindValue = (typeof FindingKind)[keyof typeof FindingKind];

export type Severity = 'error' | 'warning' | 'info';

/** Likely causes, each tied to one fix from the anycast recipe (report/ words them). */
export const Cause = {
  arpFilterOff: 'arp-filter-off',
  sourceRouteMissing: 'source-route-missing',
  wrongGatewayReturn: 'wrong-gateway-return',
  flowMovedGateway: 'flow-moved-gateway',
  interGatewayVolume: 'inter-gateway-volume',
  ndpFromBridge: 'ndp-from-bridge',
} as const;
export type CauseValue = (typeof Cause)[keyof typeof Cause];

export const MAX_SAMPLE_FRAMES = 5;
export const MAX_LISTED_PEERS = 16;

export interface Finding {
  kind: FindingKindValue;
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
  /** Detector-specific numbers (flow addresses, bytes…), kept small and flat. */
  detail: Record<string, number | string>;
}

interface TimeRef {
  tsSec: number;
  tsNsec: number;
  number: number;
}

/** What a detector fills in for a new finding; the store adds the counts and times. */
export type FindingFields = Omit<Finding, 'count' | 'firstSec' | 'firstNsec' | 'lastSec' | 'lastNsec' | 'frames' | 'clientMacs' | 'clientCount'>;

/** Client sets stop growing here; clients beyond it are counted without being deduplicated. */
const MAX_CLIENT_SET = 4096;

/**
 * Findings by dedupe key. The key (findingKey's number) is two int32 words
 * in a PairIndex, not a Map key: above 2^31 it would be a heap number
 * allocated at every lookup. Per frame, a detector calls `find` with the
 * key's parts and `count` when the finding exists, and builds the fields
 * for `add` only when it does not: no closure or object per repeat frame.
 */
export class FindingStore {
  private readonly ids = new PairIndex();
  /** Findings in the order they were first raised (id = position). */
  private readonly list: Finding[] = [];
  private readonly clientSets = new Map<Finding, PairIndex>();
  /** Called once per finding, the moment it is first raised (live view: print it as it happens). */
  onNew: ((f: Finding) => void) | undefined;

  /**
   * Count one offending frame under `key`; `create` builds the finding the
   * first time. Returns the finding so the caller can add detail.
   * (Allocates a closure per call at the call site: hot paths use find/count/add.)
   */
  raise(key: number, frame: TimeRef, create: () => FindingFields): Finding {
    const hi = highWord(key);
    const lo = key | 0;
    const id = this.ids.get(hi, lo);
    if (id >= 0) return this.count(id, frame);
    return this.list[this.addByWords(hi, lo, frame, create())]!;
  }

  /** Id of the finding under findingKey(kindIndex, a, b), or -1 if none was raised yet. */
  find(kindIndex: number, a: number, b: number): number {
    return this.ids.get(keyHigh(kindIndex, a), b | 0);
  }

  /** Count one more offending frame for finding `id`; returns the finding. */
  count(id: number, frame: TimeRef): Finding {
    const f = this.list[id]!;
    f.count++;
    f.lastSec = frame.tsSec;
    f.lastNsec = frame.tsNsec;
    if (f.frames.length < MAX_SAMPLE_FRAMES) f.frames.push(frame.number);
    return f;
  }

  /** Raise a new finding under findingKey(kindIndex, a, b) (find returned -1), counting `frame`; returns its id. */
  add(kindIndex: number, a: number, b: number, frame: TimeRef, fields: FindingFields): number {
    return this.addByWords(keyHigh(kindIndex, a), b | 0, frame, fields);
  }

  get(id: number): Finding {
    return this.list[id]!;
  }

  private addByWords(hi: number, lo: number, frame: TimeRef, fields: FindingFields): number {
    const f: Finding = {
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
    this.list.push(f);
    this.ids.set(hi, lo, id);
    this.onNew?.(f);
    return id;
  }

  /** Record a client MAC as affected by finding `f` (deduplicated, listed up to MAX_LISTED_PEERS). */
  addClient(f: Finding, mac: number): void {
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

/** findingKey's number above its low 32 bits, as one int32 word. */
function keyHigh(kindIndex: number, a: number): number {
  return (kindIndex * 65536 + (a & 0xffff)) | 0;
}

/** Numeric dedupe keys: kind in the top bits, then up to ~45 bits of identity. */
export function findingKey(kindIndex: number, a: number, b: number): number {
  // a < 2^16 (gateway indices, small ids), b < 2^32 (an address): exact in a double.
  return kindIndex * 2 ** 48 + (a & 0xffff) * 2 ** 32 + (b >>> 0);
}
