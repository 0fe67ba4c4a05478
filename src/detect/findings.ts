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

export class FindingStore {
  private readonly byKey = new Map<number, Finding>();
  private readonly clientSets = new Map<Finding, Set<number>>();
  /** Called once per finding, the moment it is first raised (live view: print it as it happens). */
  onNew: ((f: Finding) => void) | undefined;

  /**
   * Count one offending frame under `key`; `create` builds the finding the
   * first time. Returns the finding so the caller can add detail.
   */
  raise(key: number, frame: TimeRef, create: () => Omit<Finding, 'count' | 'firstSec' | 'firstNsec' | 'lastSec' | 'lastNsec' | 'frames' | 'clientMacs' | 'clientCount'>): Finding {
    let f = this.byKey.get(key);
    if (f === undefined) {
      f = {
        ...create(),
        count: 0,
        firstSec: frame.tsSec,
        firstNsec: frame.tsNsec,
        lastSec: frame.tsSec,
        lastNsec: frame.tsNsec,
        frames: [],
        clientMacs: [],
        clientCount: 0,
      };
      this.byKey.set(key, f);
      f.count++;
      if (f.frames.length < MAX_SAMPLE_FRAMES) f.frames.push(frame.number);
      this.onNew?.(f);
      return f;
    }
    f.count++;
    f.lastSec = frame.tsSec;
    f.lastNsec = frame.tsNsec;
    if (f.frames.length < MAX_SAMPLE_FRAMES) f.frames.push(frame.number);
    return f;
  }

  /** Record a client MAC as affected by finding `f` (deduplicated, listed up to MAX_LISTED_PEERS). */
  addClient(f: Finding, mac: number): void {
    if (mac < 0) return;
    let set = this.clientSets.get(f);
    if (set === undefined) {
      set = new Set();
      this.clientSets.set(f, set);
    }
    if (set.has(mac)) return;
    if (set.size < 4096) set.add(mac);
    f.clientCount++;
    if (f.clientMacs.length < MAX_LISTED_PEERS) f.clientMacs.push(mac);
  }

  all(): Finding[] {
    return [...this.byKey.values()];
  }
}

/** Numeric dedupe keys: kind in the top bits, then up to ~45 bits of identity. */
export function findingKey(kindIndex: number, a: number, b: number): number {
  // a < 2^16 (gateway indices, small ids), b < 2^32 (an address): exact in a double.
  return kindIndex * 2 ** 48 + (a & 0xffff) * 2 ** 32 + (b >>> 0);
}
