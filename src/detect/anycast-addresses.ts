import type { AnycastConfig } from './config.js';
import { ipv6Equal } from './config.js';

/** Fast membership tests for the anycast IPs (numeric sets), shared by the detectors. */
export class AnycastAddresses {
  private readonly v4 = new Set<number>();
  readonly v6: Uint32Array[] = [];

  constructor(config: AnycastConfig) {
    for (const ip of config.anycastIpv4) this.v4.add(ip);
    for (const ip of config.anycastIpv6) this.v6.push(ip);
  }

  isAnycastIpv4(ip: number): boolean {
    return this.v4.size !== 0 && this.v4.has(ip);
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
