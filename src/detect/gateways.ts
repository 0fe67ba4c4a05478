import type { AnycastConfig } from './config.js';

/**
 * Every gateway the analysis knows: configured ones by name, and learned
 * ones (a unicast MAC seen claiming an anycast IP, or answering traffic a
 * client sent to the anycast MAC). MAC → gateway index is one Map lookup
 * with a numeric key.
 */
export interface Gateway {
  index: number;
  name: string;
  macs: number[];
  ipv4: number[];
  learned: boolean;
  /** Why a learned gateway is believed to be one (first evidence, with its frame). */
  evidence: GatewayEvidence;
  evidenceFrame: number;
}

export type GatewayEvidence = 'configured' | 'interface' | 'claimed-anycast-ip' | 'sourced-anycast-ip' | 'answered-anycast-traffic' | 'answered-gateway-traffic';

/** Gateways beyond this are not tracked (matrix size); a mesh has a handful. */
export const MAX_GATEWAYS = 64;

export class GatewayRegistry {
  readonly list: Gateway[] = [];
  private readonly byMac = new Map<number, number>();
  private readonly anycastMacs = new Set<number>();
  private readonly ipOwner = new Map<number, number>();
  dropped = 0;

  constructor(config: AnycastConfig) {
    for (const mac of config.anycastMacs) this.anycastMacs.add(mac);
    for (const g of config.gateways) {
      const gw = this.add(g.name, false, g.fromInterface === true ? 'interface' : 'configured', 0);
      if (gw === undefined) continue;
      for (const mac of g.macs) this.addMac(gw, mac);
      for (const ip of g.ipv4) gw.ipv4.push(ip);
    }
  }

  isAnycastMac(mac: number): boolean {
    return this.anycastMacs.has(mac);
  }

  addAnycastMac(mac: number): void {
    this.anycastMacs.add(mac);
  }

  /** Gateway index of a unicast gateway MAC, or -1. */
  indexOf(mac: number): number {
    const i = this.byMac.get(mac);
    return i === undefined ? -1 : i;
  }

  get(index: number): Gateway {
    return this.list[index]!;
  }

  /** Remember which MAC claimed an IPv4 address (for naming learned gateways). */
  noteIpClaim(ip: number, mac: number): void {
    // First claim wins, and the anycast MAC names no gateway (its macvlan may answer for a gateway's IP).
    if (this.anycastMacs.has(mac) || this.ipOwner.has(ip) || this.ipOwner.size >= 65536) return;
    this.ipOwner.set(ip, mac);
  }

  /** The gateway for this unicast MAC, learning it with `evidence` if unknown. -1 when the table is full. */
  learn(mac: number, evidence: GatewayEvidence, frame: number): number {
    const known = this.indexOf(mac);
    if (known >= 0 || this.anycastMacs.has(mac)) return known;
    const gw = this.add('', true, evidence, frame);
    if (gw === undefined) return -1;
    this.addMac(gw, mac);
    return gw.index;
  }

  /** Give learned gateways the unicast IPv4 address their MAC claimed in ARP (their name in reports). */
  resolveLearnedAddresses(isAnycastIpv4: (ip: number) => boolean): void {
    for (const gw of this.list) {
      if (!gw.learned || gw.ipv4.length > 0) continue;
      for (const [ip, owner] of this.ipOwner) {
        if (owner === gw.macs[0] && !isAnycastIpv4(ip)) {
          gw.ipv4.push(ip);
          break;
        }
      }
    }
  }

  private add(name: string, learned: boolean, evidence: GatewayEvidence, frame: number): Gateway | undefined {
    if (this.list.length >= MAX_GATEWAYS) {
      this.dropped++;
      return undefined;
    }
    const gw: Gateway = { index: this.list.length, name, macs: [], ipv4: [], learned, evidence, evidenceFrame: frame };
    this.list.push(gw);
    return gw;
  }

  private addMac(gw: Gateway, mac: number): void {
    gw.macs.push(mac);
    this.byMac.set(mac, gw.index);
  }
}
