import { highWord } from '../decode/read.js';
import { PairIndex } from './pair-index.js';

/**
 * MAC → a capture time (s), like `Map<number, number>` but with no heap
 * number per lookup: the MAC is split into two int32 words (PairIndex) and
 * the times sit in a Float64Array by entry. No deletion, only `clear`.
 */
export class ClientTimes {
  private readonly index = new PairIndex();
  private times = new Float64Array(64);
  /**
   * Capture time (s) of the frame being observed, set by the caller: a double
   * passed to or returned from a call V8 does not inline is boxed each time.
   */
  now = 0;

  get size(): number {
    return this.index.size;
  }

  /** Whether `mac` has a time at most `seconds` before `now`. */
  within(mac: number, seconds: number): boolean {
    const e = this.index.get(highWord(mac), mac | 0);
    return e >= 0 && this.now - this.times[e]! <= seconds;
  }

  /** Store `now` for `mac`. */
  touch(mac: number): void {
    const hi = highWord(mac);
    let e = this.index.get(hi, mac | 0);
    if (e < 0) {
      e = this.index.size;
      if (e === this.times.length) {
        const bigger = new Float64Array(e * 2);
        bigger.set(this.times);
        this.times = bigger;
      }
      this.index.set(hi, mac | 0, e);
    }
    this.times[e] = this.now;
  }

  clear(): void {
    this.index.clear();
  }
}
