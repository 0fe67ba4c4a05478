import type { AnycastConfig } from './config.js';

/**
 * Every gateway the analysis knows: configured ones by name, and learned
 * ones (a unicast MAC seen claiming an anycast IP, or answering traffic a
 * client sent to the anycast MAC, or sending DHCP offers: each gateway of
 * the recipe runs its own DHCP server). MAC → gateway index is one Map lookup
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

export type GatewayEvidence =
  | 'configured'
  | 'interface'
  | 'claimed-anycast-ip'
  | 'sourced-anycast-ip'
  | 'answered-anycast-traffic'
  | 'answered-gateway-traffic'
  | 'sent-router-advert'
  | 'dhcp-server';

/** Gateways beyond this are not tracked (matrix size); a mesh has a handful. */
export const MAX_GATEWAYS = 64;

/**
 * MAC → gateway index in typed arrays. A MAC is a 48-bit double; as a Map
 * key every lookup would box it into a heap number, and this lookup runs
 * two or three times per frame. Open addressing on the low 32 bits, linear
 * probing, and at most MAX_GATEWAYS * 4 MACs, so it never fills.
 * Not the generic PairIndex, on purpose: with it (a high word computed per
 * lookup, two key arrays) and the anycast set below on it too, configured
 * analyze of the 5M bench capture took 1.31-1.39 s against 1.21-1.33 s
 * (3 interleaved runs), on the thread that bounds the run.
 */
class MacIndex {
  private readonly keys = new Float64Array(1024).fill(-1);
  private readonly values = new Int32Array(1024);

  get(mac: number): number {
    let s = (Math.imul(mac >>> 0, 0x9e3779b1) >>> 22) & 1023;
    for (;;) {
      const k = this.keys[s]!;
      // The empty-slot test first: NO_MAC (-1, a capture with no destination MAC) equals the sentinel.
      if (k === -1) return -1;
      if (k === mac) return this.values[s]!;
      s = (s + 1) & 1023;
    }
  }

  set(mac: number, value: number): void {
    let s = (Math.imul(mac >>> 0, 0x9e3779b1) >>> 22) & 1023;
    while (this.keys[s] !== -1 && this.keys[s] !== mac) s = (s + 1) & 1023;
    this.keys[s] = mac;
    this.values[s] = value;
  }
}

/** Marks an anycast MAC in the index (gateway indices are ≥ 0). */
export const ANYCAST_MAC = -2;
/** MACs per gateway kept in the index; more are listed but not looked up. */
const MAX_INDEXED_MACS = 768;

export class GatewayRegistry {
  readonly list: Gateway[] = [];
  private readonly byMac = new MacIndex();
  private indexed = 0;
  private readonly ipOwner = new Map<number, number>();

  constructor(config: AnycastConfig) {
    for (const mac of config.anycastMacs) this.addAnycastMac(mac);
    for (const g of config.gateways) {
      const gw = this.add(g.name, false, g.fromInterface === true ? 'interface' : 'configured', 0);
      if (gw === undefined) continue;
      for (const mac of g.macs) this.addMac(gw, mac);
      for (const ip of g.ipv4) gw.ipv4.push(ip);
    }
  }

  isAnycastMac(mac: number): boolean {
    return this.byMac.get(mac) === ANYCAST_MAC;
  }

  /**
   * A gateway index (≥ 0) for a unicast gateway MAC, ANYCAST_MAC for an
   * anycast MAC, else -1: indexOf and isAnycastMac in one lookup, for
   * per-frame code that asks both about the same MAC.
   */
  role(mac: number): number {
    return this.byMac.get(mac);
  }

  addAnycastMac(mac: number): void {
    if (this.isAnycastMac(mac) || this.indexed >= MAX_INDEXED_MACS) return;
    this.byMac.set(mac, ANYCAST_MAC);
    this.indexed++;
  }

  /** Gateway index of a unicast gateway MAC, or -1. */
  indexOf(mac: number): number {
    const i = this.byMac.get(mac);
    return i < 0 ? -1 : i;
  }

  get(index: number): Gateway {
    return this.list[index]!;
  }

  /** Remember which MAC claimed an IPv4 address (for naming learned gateways). */
  noteIpClaim(ip: number, mac: number): void {
    // First claim wins, and the anycast MAC names no gateway (its macvlan may answer for a gateway's IP).
    if (this.isAnycastMac(mac) || this.ipOwner.has(ip) || this.ipOwner.size >= 65536) return;
    this.ipOwner.set(ip, mac);
  }

  /** The gateway for this unicast MAC, learning it with `evidence` if unknown. -1 when the table is full. */
  learn(mac: number, evidence: GatewayEvidence, frame: number): number {
    const known = this.indexOf(mac);
    if (known >= 0 || this.isAnycastMac(mac)) return known;
    const gw = this.add('', true, evidence, frame);
    if (gw === undefined) return -1;
    this.addMac(gw, mac);
    return gw.index;
  }

  /** The unicast MAC that first claimed `ip` in ARP, or -1. */
  ownerOf(ip: number): number {
    return this.ipOwner.get(ip) ?? -1;
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
      return undefined;
    }
    const gw: Gateway = { index: this.list.length, name, macs: [], ipv4: [], learned, evidence, evidenceFrame: frame };
    this.list.push(gw);
    return gw;
  }

  private addMac(gw: Gateway, mac: number): void {
    gw.macs.push(mac);
    if (this.indexed >= MAX_INDEXED_MACS || this.byMac.get(mac) !== -1) return;
    this.byMac.set(mac, gw.index);
    this.indexed++;
  }
}
