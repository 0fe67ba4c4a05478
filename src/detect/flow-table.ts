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
  private readonly k1: Uint32Array;
  private readonly k2: Uint32Array;
  private readonly k3: Uint32Array;
  private readonly k4: Uint32Array;
  private readonly used: Uint8Array;
  /** Capture time (s) the slot was last touched. */
  readonly time: Float64Array;
  /** Value slots: a MAC (48-bit, in a double), a gateway index, a spare number. */
  readonly mac: Float64Array;
  readonly gateway: Int32Array;
  readonly extra: Float64Array;
  evictions = 0;
  private readonly idle: number;

  constructor(maxEntries: number, idleSeconds: number) {
    let cap = 16;
    while (cap < maxEntries) cap *= 2;
    this.capacity = cap;
    this.mask = cap - 1;
    this.k1 = new Uint32Array(cap);
    this.k2 = new Uint32Array(cap);
    this.k3 = new Uint32Array(cap);
    this.k4 = new Uint32Array(cap);
    this.used = new Uint8Array(cap);
    this.time = new Float64Array(cap);
    this.mac = new Float64Array(cap);
    this.gateway = new Int32Array(cap);
    this.extra = new Float64Array(cap);
    this.idle = idleSeconds;
  }

  private hash(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ c, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ d, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & this.mask;
  }

  /** Slot of a live entry with this key, or -1. Entries idle longer than the table's limit are dead. */
  find(a: number, b: number, c: number, d: number, now: number): number {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let s = this.hash(a, b, c, d);
    for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & this.mask) {
      if (this.used[s] === 0) return -1;
      if (this.k1[s] === a && this.k2[s] === b && this.k3[s] === c && this.k4[s] === d) {
        return now - this.time[s]! > this.idle ? -1 : s;
      }
    }
    return -1;
  }

  /** Slot for this key: the existing live one, or a fresh one (values reset: mac -1, gateway -1, extra 0). */
  upsert(a: number, b: number, c: number, d: number, now: number): number {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let s = this.hash(a, b, c, d);
    let victim = -1;
    let victimTime = Infinity;
    for (let i = 0; i < PROBE_WINDOW; i++, s = (s + 1) & this.mask) {
      if (this.used[s] === 0) {
        victim = s;
        break;
      }
      if (this.k1[s] === a && this.k2[s] === b && this.k3[s] === c && this.k4[s] === d) {
        if (now - this.time[s]! > this.idle) this.reset(s);
        this.time[s] = now;
        return s;
      }
      const expired = now - this.time[s]! > this.idle;
      const t = expired ? -Infinity : this.time[s]!;
      if (t < victimTime) {
        victimTime = t;
        victim = s;
      }
    }
    if (victimTime !== -Infinity && victimTime !== Infinity && this.used[victim] === 1) this.evictions++;
    this.used[victim] = 1;
    this.k1[victim] = a;
    this.k2[victim] = b;
    this.k3[victim] = c;
    this.k4[victim] = d;
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
