import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { highWord } from '../decode/read.js';

/**
 * A bounded hash table of flows or pending requests in typed arrays: four
 * 32-bit key words, a timestamp, a MAC and a gateway index per slot. No
 * objects per entry, no strings. Linear probing within a short window; when
 * the window is full of live entries the oldest is evicted and counted, so
 * a flood of unique flows costs accuracy (reported), never memory.
 */
const PROBE_WINDOW = 16;

/**
 * Int32 words per slot in `slots`: the four key words, the MAC's low 32
 * bits, a word of MAC high bits / MAC-present flag / gateway (see VALUES_*),
 * and the capture time as a float64 in the last two words. A power of two,
 * so a slot never straddles two cache lines: a hit reads its key, time and
 * values from one line, where an array per field cost a line each.
 */
const STRIDE = 8;
const MAC_LO = 4;
const VALUES = 5;
/** Index of slot s's time in the float64 view of `slots` is s * TIME_STRIDE + TIME_AT. */
const TIME_STRIDE = STRIDE / 2;
const TIME_AT = 3;
/**
 * The VALUES word: bits 0-15 the MAC's high 16 bits, bit 16 set when a MAC
 * is stored, bits 17-31 the gateway index (signed, -1 = none; there are at
 * most MAX_GATEWAYS = 64, far below 2^14).
 */
const VALUES_MAC_HI = 0xffff;
const VALUES_HAS_MAC = 0x10000;
const VALUES_GATEWAY_SHIFT = 17;
const VALUES_EMPTY = -1 << VALUES_GATEWAY_SHIFT;
const TWO_32 = 4294967296;

export class FlowTable {
  readonly capacity: number;
  private readonly mask: number;
  /**
   * 0 = unused; else 8 bits of the key's hash, never 0. A probe compares
   * this one byte per slot (the window is 16 bytes, one cache line) and
   * reads the key words only when it matches; the tag is a function of the
   * key, so a tag mismatch is a key mismatch and the result is unchanged.
   * Kept apart from `slots`: a miss on a full table scans the whole window.
   */
  private readonly tag: Uint8Array;
  /**
   * Key words and values of slot s at slots[8s .. 8s+7] (see STRIDE). Int32
   * rather than Uint32: callers pass words as `x | 0` (Smis in V8, never
   * boxed across a call), and the stored words compare with them directly.
   */
  private readonly slots: Int32Array;
  /**
   * The same memory as float64: the capture time (s) slot s was last touched,
   * at times[4s + 3]. An eviction thus reads the window's times from 8 lines
   * (adjacent, so prefetched) instead of 2; a separate time array measured no
   * faster overall, as every hit then touched one more line.
   */
  private readonly times: Float64Array;
  /**
   * One bit per hash of a key's first word, set when a key is stored, never
   * cleared: a clear bit proves no key with that first word was ever stored,
   * so find() answers the miss without a probe. The asymmetric-reply flow
   * lookup is keyed by the packet's destination as the flow's client, which
   * for most client → gateway packets (a server) never was one; on a full
   * table each such miss would otherwise scan a whole window. Bits only go
   * stale towards "maybe", so results are exactly those of a probe.
   */
  private readonly firstWords: Int32Array;
  private readonly firstWordShift: number;
  evictions = 0;
  /** claim() calls refused for want of a free slot. */
  refused = 0;
  /**
   * Capture time (s) of the frame being observed: set once per frame by the
   * caller instead of passed to find/upsert, where a double argument to a
   * call V8 does not inline is boxed into a fresh heap number every time.
   */
  now = 0;
  private readonly idle: number;

  constructor(maxEntries: number, idleSeconds: number) {
    let cap = 16;
    let bits = 4;
    while (cap < maxEntries) {
      cap *= 2;
      bits++;
    }
    this.capacity = cap;
    this.mask = cap - 1;
    this.tag = new Uint8Array(cap);
    this.slots = new Int32Array(cap * STRIDE);
    this.times = new Float64Array(this.slots.buffer);
    // As many filter bits as slots (8 KiB for 65536): small enough to stay in cache.
    this.firstWords = new Int32Array(Math.max(1, cap >>> 5));
    this.firstWordShift = 32 - bits;
    this.idle = idleSeconds;
  }

  /** The full 32-bit hash; the slot is its low bits, the tag its high byte. */
  private hash(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** Bit index of a first key word in `firstWords` (multiplicative hash, top bits). */
  private firstWordBit(a: number): number {
    return Math.imul(a, 0x9e3779b1) >>> this.firstWordShift;
  }

  /**
   * Slot holding this key within the probe window, or -(1 + the first unused
   * slot's index), or -(1 + capacity) when the window is full without it.
   * Probing stops at the first unused slot, as inserts never skip one.
   */
  private locate(a: number, b: number, c: number, d: number, h: number): number {
    const mask = this.mask;
    const tag = this.tag;
    const slots = this.slots;
    const t = ((h >>> 24) & 0xff) | 1;
    let s = h & mask;
    for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & mask) {
      const g = tag[s]!;
      if (g === 0) return -1 - s;
      if (g === t) {
        const k = s * STRIDE;
        if (slots[k] === a && slots[k + 1] === b && slots[k + 2] === c && slots[k + 3] === d) return s;
      }
    }
    return -1 - this.capacity;
  }

  /**
   * Slot of a live entry with this key (four 32-bit words, passed as int32:
   * `x | 0`), or -1. Entries idle longer than the table's limit (as of
   * `this.now`) are dead.
   */
  find(a: number, b: number, c: number, d: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const f = this.firstWordBit(a);
    if ((this.firstWords[f >>> 5]! & (1 << (f & 31))) === 0) return -1;
    const s = this.locate(a, b, c, d, this.hash(a, b, c, d));
    if (s < 0) return -1;
    return this.now - this.times[s * TIME_STRIDE + TIME_AT]! > this.idle ? -1 : s;
  }

  /**
   * Slot for this key (words as int32, as for find): the existing live one,
   * or a fresh one (values reset: no MAC, gateway -1); touched at `this.now`.
   */
  upsert(a: number, b: number, c: number, d: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const now = this.now;
    const times = this.times;
    const h = this.hash(a, b, c, d);
    const found = this.locate(a, b, c, d, h);
    if (found >= 0) {
      this.refresh(found);
      return found;
    }
    let victim = -1 - found;
    if (victim === this.capacity) {
      // The window is full of other keys: evict the first expired slot, else the least recently touched.
      const mask = this.mask;
      const idle = this.idle;
      let victimTime = Infinity;
      let s = h & mask;
      for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & mask) {
        const ts = times[s * TIME_STRIDE + TIME_AT]!;
        if (now - ts > idle) {
          victim = s;
          victimTime = -Infinity;
          break;
        }
        if (ts < victimTime) {
          victimTime = ts;
          victim = s;
        }
      }
      if (victimTime !== -Infinity) this.evictions++;
    }
    this.store(victim, a, b, c, d, h);
    return victim;
  }

  /**
   * Like upsert, but never evicts a live entry: -1 when the key's probe
   * window is full of live ones. For pending requests that must each be
   * judged: under a flood, evicting the oldest would drop every request
   * before its timeout (none judged, the fault hidden); refusing new ones
   * keeps judging a sample, and the caller counts what it refused.
   */
  claim(a: number, b: number, c: number, d: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const h = this.hash(a, b, c, d);
    const found = this.locate(a, b, c, d, h);
    if (found >= 0) {
      this.refresh(found);
      return found;
    }
    let free = -1 - found;
    if (free === this.capacity) {
      free = -1;
      const mask = this.mask;
      let s = h & mask;
      for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & mask) {
        if (this.now - this.times[s * TIME_STRIDE + TIME_AT]! > this.idle) {
          free = s;
          break;
        }
      }
      if (free < 0) {
        this.refused++;
        return -1;
      }
    }
    this.store(free, a, b, c, d, h);
    return free;
  }

  /** Capture time (s) slot s was last touched. */
  touchedAt(s: number): number {
    return this.times[s * TIME_STRIDE + TIME_AT]!;
  }

  /** Ends slot s's entry now (it reads as idle): a judged request makes room for the next. */
  release(s: number): void {
    this.times[s * TIME_STRIDE + TIME_AT] = -Infinity;
  }

  /** Touches the live-or-idle slot s found for a key: an idle one keeps its key but forgets its values. */
  private refresh(s: number): void {
    const ti = s * TIME_STRIDE + TIME_AT;
    if (this.now - this.times[ti]! > this.idle) this.slots[s * STRIDE + VALUES] = VALUES_EMPTY;
    this.times[ti] = this.now;
  }

  /** Fills slot s with a fresh entry for the key (hash h): no MAC, gateway -1, touched now. */
  private store(s: number, a: number, b: number, c: number, d: number, h: number): void {
    const f = this.firstWordBit(a);
    this.firstWords[f >>> 5]! |= 1 << (f & 31);
    this.tag[s] = ((h >>> 24) & 0xff) | 1;
    const k = s * STRIDE;
    const slots = this.slots;
    slots[k] = a;
    slots[k + 1] = b;
    slots[k + 2] = c;
    slots[k + 3] = d;
    slots[k + VALUES] = VALUES_EMPTY;
    this.times[s * TIME_STRIDE + TIME_AT] = this.now;
  }

  /** Marks a live slot as touched at `this.now` (it stays alive another idle period). */
  touch(s: number): void {
    this.times[s * TIME_STRIDE + TIME_AT] = this.now;
  }

  /** The MAC stored in slot s (48-bit), or -1 if none since it was (re)filled. */
  mac(s: number): number {
    const k = s * STRIDE;
    const v = this.slots[k + VALUES]!;
    // Arithmetic, not `has ? mac : -1`: a phi of a small integer and a double makes V8 box the MAC per call.
    const has = (v & VALUES_HAS_MAC) >>> 16;
    return has * ((v & VALUES_MAC_HI) * TWO_32 + (this.slots[k + MAC_LO]! >>> 0) + 1) - 1;
  }

  /**
   * The MAC stored in slot s as its high 16 bits and low 32 bits (int32), for
   * per-frame callers: the 48-bit MAC returned as one number from a call V8
   * does not inline is boxed into a heap number per call. 0 when none.
   */
  macHigh(s: number): number {
    return this.slots[s * STRIDE + VALUES]! & VALUES_MAC_HI;
  }

  macLow(s: number): number {
    return this.slots[s * STRIDE + MAC_LO]!;
  }

  /** Whether a MAC was stored in slot s since it was (re)filled. */
  hasMac(s: number): boolean {
    return (this.slots[s * STRIDE + VALUES]! & VALUES_HAS_MAC) !== 0;
  }

  /** Stores a MAC (48-bit, ≥ 0) in slot s. */
  setMac(s: number, mac: number): void {
    this.setMacWords(s, highWord(mac), mac | 0); // ToInt32: the low 32 bits
  }

  /**
   * Stores a MAC given as its high 16 bits and its low 32 bits (as int32) in
   * slot s: per-frame callers pass the words, as a 48-bit MAC passed as one
   * number to a call V8 does not inline is boxed into a heap number per call.
   */
  setMacWords(s: number, high: number, low: number): void {
    const k = s * STRIDE;
    const slots = this.slots;
    slots[k + MAC_LO] = low;
    slots[k + VALUES] = (slots[k + VALUES]! & ~(VALUES_HAS_MAC | VALUES_MAC_HI)) | VALUES_HAS_MAC | (high & VALUES_MAC_HI);
  }

  /** The gateway index stored in slot s, -1 if none. */
  gateway(s: number): number {
    return this.slots[s * STRIDE + VALUES]! >> VALUES_GATEWAY_SHIFT;
  }

  /** Stores a gateway index (-1 … 2^14 - 1) in slot s. */
  setGateway(s: number, gateway: number): void {
    const i = s * STRIDE + VALUES;
    this.slots[i] = (this.slots[i]! & (VALUES_HAS_MAC | VALUES_MAC_HI)) | (gateway << VALUES_GATEWAY_SHIFT);
  }
}

/**
 * Folds an IPv6 address (four words) into 32 bits for a flow key, as int32
 * (a Smi: an unsigned result above 2^31 would be boxed when returned from a
 * call V8 does not inline); collisions are rare and only cost a mispairing.
 */
export function foldIpv6(w: ArrayLike<number>): number {
  let h = Math.imul(w[0]! ^ 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ w[1]!, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ w[2]!, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ w[3]!, 0x27d4eb2f);
  return h ^ (h >>> 16);
}

/**
 * A frame's source or destination address as a flow key word, for a frame
 * with IPv4 or IPv6 decoded: IPv4 as int32, IPv6 folded. Both are Smis, so
 * a caller mixing the two never boxes the address into a heap number.
 */
export function srcKey(d: DecodedFrame): number {
  return (d.layers & Layer.ipv4) !== 0 ? d.ipv4.src | 0 : foldIpv6(d.ipv6.src);
}

export function dstKey(d: DecodedFrame): number {
  return (d.layers & Layer.ipv4) !== 0 ? d.ipv4.dst | 0 : foldIpv6(d.ipv6.dst);
}
