import type { AnycastConfig } from './config.js';
import { ipv6Equal } from './config.js';
import { PairIndex } from './pair-index.js';

/** Fast membership tests for the anycast IPs (numeric sets), shared by the detectors. */
export class AnycastAddresses {
  private readonly v4 = new Set<number>();
  readonly v6: Uint32Array[] = [];
  /**
   * The IPv4 set again as a PairIndex of int32 words, for the per-frame test:
   * Set.has is a builtin call (never inlined) and boxes an address ≥ 2^31
   * into a heap number.
   */
  private readonly v4Index = new PairIndex(16);

  constructor(config: AnycastConfig) {
    for (const ip of config.anycastIpv4) this.addIpv4(ip);
    for (const ip of config.anycastIpv6) this.v6.push(ip);
  }

  /** One more anycast IPv4 address (also learned after the analysis began). */
  addIpv4(ip: number): void {
    this.v4.add(ip);
    this.v4Index.set(0, ip | 0, 0);
  }

  /** `ip` is a uint32 (or its int32 word). */
  isAnycastIpv4(ip: number): boolean {
    return this.v4Index.get(0, ip | 0) >= 0;
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
