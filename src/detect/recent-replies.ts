import { highWord } from '../decode/read.js';
import { PairIndex } from './pair-index.js';

/**
 * Client MAC → the unicast ARP replies it received recently: (capture time,
 * finding id) pairs, at most one per finding. Replaces a Map of arrays of
 * `{ time, finding }` objects, which cost an object per reply and a heap
 * number per MAC lookup. Entries are singly linked lists in typed arrays
 * with a free list; the pool grows (doubling) when full, so memory follows
 * the live entries, and `clear` drops everything at once.
 */
export class RecentReplies {
  private readonly clients = new PairIndex();
  /** Per client (PairIndex value): first entry of its list, or -1. */
  private head = new Int32Array(64);
  private time = new Float64Array(64);
  private finding = new Int32Array(64);
  private next = new Int32Array(64);
  /** Entries handed out so far (the pool's high-water mark) and the free list of returned ones. */
  private used = 0;
  private free = -1;
  /** Entries older than this many seconds before `now` are expired. */
  private readonly window: number;
  /** Capture time (s) of the frame being observed, set by the caller (see ClientTimes.now). */
  now = 0;

  constructor(windowSeconds: number) {
    this.window = windowSeconds;
  }

  /** Number of clients with a list. */
  get size(): number {
    return this.clients.size;
  }

  /** The client's list (first entry id, -1 when empty); walk it with `nextOf`, read it with `live`/`findingOf`. */
  first(mac: number): number {
    const c = this.clients.get(highWord(mac), mac | 0);
    return c < 0 ? -1 : this.head[c]!;
  }

  nextOf(entry: number): number {
    return this.next[entry]!;
  }

  /** The entry is at most the window old at `now`. */
  live(entry: number): boolean {
    return this.now - this.time[entry]! <= this.window;
  }

  findingOf(entry: number): number {
    return this.finding[entry]!;
  }

  /**
   * Record a reply to `mac` for finding `findingId` at `now`, first dropping
   * the client's expired entries and its earlier entry for the same finding.
   */
  add(mac: number, findingId: number): void {
    const now = this.now;
    const window = this.window;
    const hi = highWord(mac);
    let c = this.clients.get(hi, mac | 0);
    if (c < 0) {
      c = this.clients.size;
      if (c === this.head.length) this.head = grownInt32(this.head);
      this.clients.set(hi, mac | 0, c);
      this.head[c] = -1;
    } else {
      let prev = -1;
      for (let e = this.head[c]!; e >= 0; ) {
        const after = this.next[e]!;
        if (now - this.time[e]! <= window && this.finding[e] !== findingId) {
          prev = e;
        } else {
          if (prev < 0) this.head[c] = after;
          else this.next[prev] = after;
          this.next[e] = this.free;
          this.free = e;
        }
        e = after;
      }
    }
    const e = this.take();
    this.time[e] = now;
    this.finding[e] = findingId;
    // Order within a list does not matter: each entry credits a different finding.
    this.next[e] = this.head[c]!;
    this.head[c] = e;
  }

  clear(): void {
    this.clients.clear();
    this.used = 0;
    this.free = -1;
  }

  private take(): number {
    if (this.free >= 0) {
      const e = this.free;
      this.free = this.next[e]!;
      return e;
    }
    if (this.used === this.time.length) {
      const bigger = new Float64Array(this.used * 2);
      bigger.set(this.time);
      this.time = bigger;
      this.finding = grownInt32(this.finding);
      this.next = grownInt32(this.next);
    }
    return this.used++;
  }
}

function grownInt32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
