/**
 * A hash map from a key of two int32 words to an int32 value, in typed
 * arrays. It stands in for `Map<number, …>` where the number is wider than
 * 32 bits (a 48-bit MAC, a finding key): such a number is a heap number in
 * V8, so every Map.get/set with it allocates one. Callers split the key into
 * words passed as `x | 0` (Smis, never boxed across a call) — see `highWord` in decode/read.ts.
 *
 * Open addressing with linear probing, no deletion (only `clear`); it grows
 * (rehashes into twice the slots) past half full, so a lookup always ends at
 * an unused slot.
 */
export class PairIndex {
  private hi: Int32Array;
  private lo: Int32Array;
  private values: Int32Array;
  /** 1 = slot in use (every word value is a valid key, so no sentinel key). */
  private used: Uint8Array;
  private mask: number;
  size = 0;

  constructor(initialSlots = 64) {
    let cap = 16;
    while (cap < initialSlots) cap *= 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** The value stored under (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    hi |= 0;
    lo |= 0;
    const mask = this.mask;
    for (let s = slotOf(hi, lo) & mask; ; s = (s + 1) & mask) {
      if (this.used[s] === 0) return -1;
      if (this.lo[s] === lo && this.hi[s] === hi) return this.values[s]!;
    }
  }

  /** Store `value` (≥ 0) under (hi, lo), replacing any value there. */
  set(hi: number, lo: number, value: number): void {
    hi |= 0;
    lo |= 0;
    const mask = this.mask;
    let s = slotOf(hi, lo) & mask;
    for (; this.used[s] !== 0; s = (s + 1) & mask) {
      if (this.lo[s] === lo && this.hi[s] === hi) {
        this.values[s] = value;
        return;
      }
    }
    this.used[s] = 1;
    this.hi[s] = hi;
    this.lo[s] = lo;
    this.values[s] = value;
    if (++this.size * 2 > this.used.length) this.grow();
  }

  clear(): void {
    this.used.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const { hi, lo, values, used } = this;
    const cap = used.length * 2;
    this.hi = new Int32Array(cap);
    this.lo = new Int32Array(cap);
    this.values = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let s = 0; s < used.length; s++) if (used[s] !== 0) this.set(hi[s]!, lo[s]!, values[s]!);
  }
}

function slotOf(hi: number, lo: number): number {
  const h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  return h ^ (h >>> 15);
}
