import type { AnycastConfig } from './config.js';
import { ipv6Equal } from './config.js';

/** Fast membership tests for the anycast IPs (numeric sets), shared by the detectors. */
export class AnycastAddresses {
  private readonly v4 = new Set<number>();
  readonly v6: Uint32Array[] = [];
  /**
   * The IPv4 set again as an open-addressing table of int32 words, for the
   * per-frame test: Set.has is a builtin call (never inlined) and boxes an
   * address ≥ 2^31 into a heap number; this is a multiply and a compare or two
   * (the generic PairIndex was measured slower here: see MacIndex in gateways.ts).
   */
  private v4Words = new Int32Array(0);
  /** 1 where v4Words holds an address (0.0.0.0 is a valid word, so no sentinel). */
  private v4Used = new Uint8Array(0);
  private v4Shift = 0;

  constructor(config: AnycastConfig) {
    for (const ip of config.anycastIpv4) this.v4.add(ip);
    for (const ip of config.anycastIpv6) this.v6.push(ip);
    this.buildTable();
  }

  /** One more anycast IPv4 address, learned after the analysis began (rare: the table is rebuilt). */
  addIpv4(ip: number): void {
    if (this.v4.has(ip)) return;
    this.v4.add(ip);
    this.buildTable();
  }

  /** One more anycast IPv6 address, learned after the analysis began. */
  addIpv6(ip: Uint32Array): void {
    if (this.anycastIpv6Index(ip) < 0) this.v6.push(ip);
  }

  private buildTable(): void {
    let bits = 3;
    while (1 << bits < this.v4.size * 4) bits++;
    this.v4Words = new Int32Array(1 << bits);
    this.v4Used = new Uint8Array(1 << bits);
    this.v4Shift = 32 - bits;
    const mask = (1 << bits) - 1;
    for (const ip of this.v4) {
      let s = Math.imul(ip | 0, 0x9e3779b1) >>> this.v4Shift;
      while (this.v4Used[s] !== 0) s = (s + 1) & mask;
      this.v4Used[s] = 1;
      this.v4Words[s] = ip | 0;
    }
  }

  /** `ip` is a uint32 (or its int32 word); the table is a quarter full at most, so probing ends soon. */
  isAnycastIpv4(ip: number): boolean {
    const w = ip | 0;
    const used = this.v4Used;
    const mask = used.length - 1;
    for (let s = Math.imul(w, 0x9e3779b1) >>> this.v4Shift; used[s] !== 0; s = (s + 1) & mask) {
      if (this.v4Words[s] === w) return true;
    }
    return false;
  }

  /** Index into v6 of a matching anycast IPv6 address, or -1. */
  anycastIpv6Index(words: ArrayLike<number>): number {
    for (let i = 0; i < this.v6.length; i++) if (ipv6Equal(this.v6[i]!, words)) return i;
    return -1;
  }

  get hasIpv4(): boolean {
    return this.v4.size > 0;
  }

  ipv4List(): number[] {
    return [...this.v4];
  }
}
