/**
 * A bounded hash table of flows or pending requests in typed arrays: four
 * 32-bit key words, a timestamp, and a few numeric values per slot. No
 * objects per entry, no strings. Linear probing within a short window; when
 * the window is full of live entries the oldest is evicted and counted, so
 * a flood of unique flows costs accuracy (reported), never memory.
 */
const PROBE_WINDOW = 16;

export class FlowTable {
  readonly capacity: number;
  private readonly mask: number;
  /**
   * The four key words of slot s at keys[4s .. 4s+3]: one cache line holds
   * a whole key, where four separate arrays cost four misses per compare.
   * Int32 rather than Uint32: callers pass words as `x | 0` (Smis in V8, never
   * boxed across a call), and the stored words compare with them directly.
   */
  private readonly keys: Int32Array;
  /**
   * 0 = unused; else 8 bits of the key's hash, never 0. A probe compares
   * this one byte per slot (the window is 16 bytes, one cache line) and
   * reads the key words only when it matches; the tag is a function of the
   * key, so a tag mismatch is a key mismatch and the result is unchanged.
   */
  private readonly tag: Uint8Array;
  /** Capture time (s) the slot was last touched. */
  readonly time: Float64Array;
  /** Value slots: a MAC (48-bit, in a double), a gateway index, a spare number. */
  readonly mac: Float64Array;
  readonly gateway: Int32Array;
  readonly extra: Float64Array;
  evictions = 0;
  /**
   * Capture time (s) of the frame being observed: set once per frame by the
   * caller instead of passed to find/upsert, where a double argument to a
   * call V8 does not inline is boxed into a fresh heap number every time.
   */
  now = 0;
  private readonly idle: number;

  constructor(maxEntries: number, idleSeconds: number) {
    let cap = 16;
    while (cap < maxEntries) cap *= 2;
    this.capacity = cap;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap * 4);
    this.tag = new Uint8Array(cap);
    this.time = new Float64Array(cap);
    this.mac = new Float64Array(cap);
    this.gateway = new Int32Array(cap);
    this.extra = new Float64Array(cap);
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

  /**
   * Slot holding this key within the probe window, or -(1 + the first unused
   * slot's index), or -(1 + capacity) when the window is full without it.
   * Probing stops at the first unused slot, as inserts never skip one.
   */
  private locate(a: number, b: number, c: number, d: number, h: number): number {
    const mask = this.mask;
    const tag = this.tag;
    const keys = this.keys;
    const t = ((h >>> 24) & 0xff) | 1;
    let s = h & mask;
    for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & mask) {
      const g = tag[s]!;
      if (g === 0) return -1 - s;
      if (g === t) {
        const k = s << 2;
        if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return s;
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
    a |= 0; b |= 0; c |= 0; d |= 0;
    const s = this.locate(a, b, c, d, this.hash(a, b, c, d));
    if (s < 0) return -1;
    return this.now - this.time[s]! > this.idle ? -1 : s;
  }

  /**
   * Slot for this key (words as int32, as for find): the existing live one,
   * or a fresh one (values reset: mac -1, gateway -1, extra 0); touched at `this.now`.
   */
  upsert(a: number, b: number, c: number, d: number): number {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const now = this.now;
    const h = this.hash(a, b, c, d);
    const found = this.locate(a, b, c, d, h);
    if (found >= 0) {
      if (now - this.time[found]! > this.idle) this.reset(found);
      this.time[found] = now;
      return found;
    }
    let victim = -1 - found;
    if (victim === this.capacity) {
      // The window is full of other keys: evict the first expired slot, else the least recently touched.
      const mask = this.mask;
      const time = this.time;
      const idle = this.idle;
      let victimTime = Infinity;
      let s = h & mask;
      for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & mask) {
        const ts = time[s]!;
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
    this.tag[victim] = ((h >>> 24) & 0xff) | 1;
    const k = victim << 2;
    this.keys[k] = a;
    this.keys[k + 1] = b;
    this.keys[k + 2] = c;
    this.keys[k + 3] = d;
    this.reset(victim);
    this.time[victim] = now;
    return victim;
  }

  private reset(s: number): void {
    this.mac[s] = -1;
    this.gateway[s] = -1;
    this.extra[s] = 0;
  }
}

/** Folds an IPv6 address (four words) into 32 bits for a flow key; collisions are rare and only cost a mispairing. */
export function foldIpv6(w: ArrayLike<number>): number {
  let h = Math.imul(w[0]! ^ 0x27d4eb2f, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ w[1]!, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15) ^ w[2]!, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15) ^ w[3]!, 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}
