import { ArpOp } from '../decode/arp.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { DhcpMessageType } from '../decode/dhcp.js';
import { Icmpv6Type, NaFlag } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { highWord, isGroupMac } from '../decode/read.js';
import { linkLocalFromMac } from '../core/address.js';
import { Defaults } from './config.js';
import { foldIpv6 } from './flow-table.js';
import { PairIndex } from './pair-index.js';

/**
 * What the wire says about which addresses are shared by the gateways, as
 * tallies an anycast decision (inference-decide.ts) reads — facts, never a
 * judgement:
 *
 * - ARP and NDP answers per address and MAC: how many, and how many from one
 *   MAC to one request (several gateways answering with one shared MAC);
 * - which MAC uses an address as its own: the sender of its ARP requests,
 *   gratuitous ARPs and neighbor solicitations, and (traffic) the source of
 *   its IP packets;
 * - DHCP: the router and DNS server every server hands out, by server;
 * - router advertisements: their source MAC, whether their link-local is the
 *   MAC's EUI-64 one, and the DNS server (RDNSS) they name;
 * - traffic (fed only while the one-pass analysis keeps its look-back, see
 *   observeTraffic): per MAC the addresses it sends from and to, so that the
 *   decision can tell a MAC that forwards (sends from addresses no host on
 *   the mesh claims: a gateway's unicast MAC, as replies to forwarded
 *   traffic leave a gateway from it) from one that clients route through.
 *
 * Bounded everywhere (a flood of addresses costs coverage, never memory):
 * MAX_ADDRESSES addresses, MAX_MACS MACs, a few entries per list.
 */
export const Family = { v4: 4, v6: 6 } as const;
export type FamilyValue = (typeof Family)[keyof typeof Family];

const MAX_ADDRESSES = 4096;
const MAX_MACS = 4096;
/** Addresses remembered per MAC as its own / as its traffic's source and destination; more are only counted. */
const MAX_OWN = 16;
const MAX_TRAFFIC = 8;
/** DHCP servers and RA sources remembered per address. */
const MAX_NAMERS = 8;

/** One MAC's answers (ARP replies, neighbor advertisements) for one address. */
export interface AnswerTally {
  readonly mac: number;
  readonly macId: number;
  answers: number;
  /** Most answers from this MAC to one request (ARP who-has, NS) of one host. */
  maxPerRequest: number;
  inRequest: number;
  lastRequest: number;
  /** Neighbor advertisements with the override flag set / clear. */
  overrideSet: number;
  overrideClear: number;
  readonly firstFrame: number;
}

export interface AddressTally {
  readonly id: number;
  readonly family: FamilyValue;
  /** IPv4 as uint32 (-1 for IPv6); IPv6 as four words (null for IPv4). */
  readonly ipv4: number;
  readonly ipv6: Uint32Array | null;
  /** The address as one int32 key word: IPv4 itself, IPv6 folded. */
  readonly key: number;
  readonly firstFrame: number;
  readonly answers: AnswerTally[];
  /** Requests (ARP who-has, NS) for it, and from how many hosts (MAC ids, the first MAX_OWN). */
  requests: number;
  readonly askers: number[];
  /** Capture time and requester of the last request, to count answers per request. */
  lastRequestTime: number;
  lastRequester: number;
  /** Server identifiers (or server MACs) of the DHCP offers/acks naming it as router / DNS server. */
  readonly dhcpRouterBy: number[];
  readonly dhcpDnsBy: number[];
  /** MAC ids of the RA sources naming it as DNS server (RDNSS). */
  readonly rdnssBy: number[];
  /** MACs that use it as their own in ARP/NDP (MacTally.own lists it). */
  owners: number;
}

export interface MacTally {
  readonly id: number;
  readonly mac: number;
  /** Address ids it sent ARP requests or NS from, or announced (its interface addresses). */
  readonly own: number[];
  /** Address ids it answered for. */
  readonly answered: number[];
  /** Address keys (family in `srcFamily`) it sent IP packets from; `srcMore` counts those past the list. */
  readonly srcKeys: number[];
  readonly srcFamily: number[];
  srcMore: number;
  /** Address keys it received unicast IP packets for. */
  readonly dstKeys: number[];
  readonly dstFamily: number[];
  dstMore: number;
  /** Router advertisements from it, and how many carried its EUI-64 link-local as source. */
  routerAdverts: number;
  eui64RouterAdverts: number;
  /** DHCP offers and acks from it. */
  dhcpReplies: number;
}

export class AnycastEvidence {
  readonly addresses: AddressTally[] = [];
  readonly macs: MacTally[] = [];
  /** (family, key) → address id. */
  private readonly addressIds = new PairIndex();
  /** MAC → mac id. */
  private readonly macIds = new PairIndex();
  /** (address id, mac id) → index into that address's answers. */
  private readonly answerIndex = new PairIndex();
  /** Frames decoded from a Linux cooked capture (no destination MAC). */
  cookedFrames = 0;
  /**
   * Bumped whenever a decision may change: a new answer or answering MAC,
   * a new own address, a DHCP or RA naming (traffic: trafficVersion). Counts past the first do not bump it,
   * so a follower recomputes the decision rarely.
   */
  version = 0;
  /** Bumped when a MAC is first seen sending from or to an address (observeTraffic): a follower reads it less often. */
  trafficVersion = 0;
  private readonly linkLocal = new Uint32Array(4);

  /** ARP, NDP, RA and DHCP frames: always (they are few). */
  observe(d: DecodedFrame): void {
    const layers = d.layers;
    if ((layers & Layer.sll) !== 0) this.cookedFrames++;
    if ((layers & Layer.arp) !== 0) this.arp(d);
    else if ((layers & (Layer.icmpv6 | Layer.ipv6)) === (Layer.icmpv6 | Layer.ipv6)) this.ndp(d);
    else if ((layers & Layer.dhcp) !== 0) this.dhcp(d);
  }

  /**
   * The addresses an IP frame is sent from and to, by MAC: every frame, but
   * only while the caller can still judge again from the first frame (it
   * costs two lookups per frame).
   */
  observeTraffic(d: DecodedFrame): void {
    const layers = d.layers;
    if ((layers & (Layer.ipv4 | Layer.ipv6)) === 0 || (layers & Layer.arp) !== 0) return;
    const v4 = (layers & Layer.ipv4) !== 0;
    const family = v4 ? Family.v4 : Family.v6;
    if (d.l2Src >= 0 && !isGroupMac(d.l2Src)) {
      const src = v4 ? d.ipv4.src : -1;
      // Link-local and unspecified IPv6 sources say nothing of forwarding: every interface has one.
      if (v4 ? src !== 0 : !isLinkLocalOrUnspecified(d.ipv6.src)) {
        const m = this.macId(d.l2Src);
        if (m >= 0) this.noteTraffic(this.macs[m]!, true, family, v4 ? src | 0 : foldIpv6(d.ipv6.src));
      }
    }
    if (d.l2Dst >= 0 && !isGroupMac(d.l2Dst)) {
      const dst = v4 ? d.ipv4.dst : -1;
      if (v4 && (dst === 0xffffffff || dst >>> 28 === 14)) return;
      if (!v4 && (d.ipv6.dst[0]! >>> 24 === 0xff || isLinkLocalOrUnspecified(d.ipv6.dst))) return;
      const m = this.macId(d.l2Dst);
      if (m >= 0) this.noteTraffic(this.macs[m]!, false, family, v4 ? dst | 0 : foldIpv6(d.ipv6.dst));
    }
  }

  /** The tally of (family, key), or undefined. */
  address(family: FamilyValue, key: number): AddressTally | undefined {
    const id = this.addressIds.get(family, key | 0);
    return id < 0 ? undefined : this.addresses[id];
  }

  /** The tally of a MAC, or undefined. */
  mac(mac: number): MacTally | undefined {
    const id = this.macIds.get(highWord(mac), mac | 0);
    return id < 0 ? undefined : this.macs[id];
  }

  private arp(d: DecodedFrame): void {
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4() || a.sha < 0 || isGroupMac(a.sha)) return;
    if (a.op !== ArpOp.reply && a.op !== ArpOp.request) return;
    const now = d.tsSec + d.tsNsec / 1e9;
    const mac = this.macId(a.sha);
    if (mac < 0) return;
    if (a.op === ArpOp.request) {
      // A probe from 0.0.0.0 (duplicate address detection) claims nothing.
      if (a.spa !== 0) this.noteOwn(mac, this.ipv4Id(a.spa, d.number));
      if (a.tpa === a.spa || a.tpa === 0) return;
      const asked = this.ipv4Id(a.tpa, d.number);
      if (asked < 0) return;
      this.noteRequest(this.addresses[asked]!, mac, a.sha, now);
      return;
    }
    if (a.spa === 0) return;
    const ip = this.ipv4Id(a.spa, d.number);
    if (ip < 0) return;
    // The host asked is the reply's target: the same request is the last one seen from it, within the window.
    this.noteAnswer(this.addresses[ip]!, mac, a.sha, a.tha, now, d.number, -1);
  }

  private ndp(d: DecodedFrame): void {
    const n = d.icmpv6;
    const now = d.tsSec + d.tsNsec / 1e9;
    if (n.type === Icmpv6Type.routerAdvert) {
      this.routerAdvert(d);
      return;
    }
    if (!n.hasTarget || (n.type !== Icmpv6Type.neighborSolicit && n.type !== Icmpv6Type.neighborAdvert)) return;
    if (isLinkLocalOrMulticast(n.target)) return;
    const target = this.ipv6Id(n.target, d.number);
    if (target < 0) return;
    const src = d.ipv6.src;
    if (n.type === Icmpv6Type.neighborSolicit) {
      if (d.l2Src < 0 || isGroupMac(d.l2Src)) return;
      const mac = this.macId(d.l2Src);
      if (mac < 0) return;
      // From :: it is duplicate address detection: the sender wants the address, it does not have it yet.
      if (src[0] === 0 && src[1] === 0 && src[2] === 0 && src[3] === 0) return;
      if (!isLinkLocalOrMulticast(src)) this.noteOwn(mac, this.ipv6Id(src, d.number));
      // The requester as the NA will name it: its address, folded (a cooked capture has no destination MAC).
      this.noteRequest(this.addresses[target]!, mac, foldIpv6(src), now);
      return;
    }
    const answerMac = n.targetLinkAddr >= 0 ? n.targetLinkAddr : d.l2Src;
    if (answerMac < 0 || isGroupMac(answerMac)) return;
    const mac = this.macId(answerMac);
    if (mac < 0) return;
    this.noteAnswer(this.addresses[target]!, mac, answerMac, foldIpv6(d.ipv6.dst), now, d.number, n.naFlags);
  }

  private routerAdvert(d: DecodedFrame): void {
    if (d.l2Src < 0 || isGroupMac(d.l2Src)) return;
    const mac = this.macId(d.l2Src);
    if (mac < 0) return;
    const m = this.macs[mac]!;
    m.routerAdverts++;
    const ll = linkLocalFromMac(d.l2Src, this.linkLocal);
    const src = d.ipv6.src;
    if (src[0] === ll[0] && src[1] === ll[1] && src[2] === ll[2] && src[3] === ll[3]) m.eui64RouterAdverts++;
    if (d.icmpv6.rdnssCount === 0 || isLinkLocalOrMulticast(d.icmpv6.raRdnss)) return;
    const named = this.ipv6Id(d.icmpv6.raRdnss, d.number);
    if (named >= 0 && addOnce(this.addresses[named]!.rdnssBy, mac, MAX_NAMERS)) this.version++;
  }

  private dhcp(d: DecodedFrame): void {
    const h = d.dhcp;
    if (h.messageType !== DhcpMessageType.offer && h.messageType !== DhcpMessageType.ack) return;
    // A server is its identifier, or its MAC where it sends none (two servers behind the anycast MAC differ by identifier).
    // (A MAC is kept apart from the identifiers, which are IPv4 addresses, above 2^32.)
    const server = h.serverId >= 0 ? h.serverId : d.l2Src >= 0 ? d.l2Src + 4294967296 : -1;
    if (server < 0) return;
    if (d.l2Src >= 0 && !isGroupMac(d.l2Src)) {
      const mac = this.macId(d.l2Src);
      if (mac >= 0) this.macs[mac]!.dhcpReplies++;
    }
    if (h.routerCount > 0 && h.router > 0) {
      const ip = this.ipv4Id(h.router, d.number);
      if (ip >= 0 && addOnce(this.addresses[ip]!.dhcpRouterBy, server, MAX_NAMERS)) this.version++;
    }
    if (h.dnsCount > 0 && h.dns > 0) {
      const ip = this.ipv4Id(h.dns, d.number);
      if (ip >= 0 && addOnce(this.addresses[ip]!.dhcpDnsBy, server, MAX_NAMERS)) this.version++;
    }
  }

  private noteRequest(address: AddressTally, mac: number, requester: number, now: number): void {
    address.requests++;
    address.lastRequestTime = now;
    address.lastRequester = requester;
    addOnce(address.askers, mac, MAX_OWN);
  }

  /**
   * Counts an answer for `address` from MAC id `mac`. `askedBy` names the
   * host it answers as the request named it (the reply's target MAC for ARP,
   * the NA's destination address, folded, for NDP): the same request is the
   * last one seen from that host within the reply window. A second request
   * resets the count, so a host asking twice and a host answering twice is
   * not mistaken for two gateways.
   */
  private noteAnswer(address: AddressTally, mac: number, macAddress: number, askedBy: number, now: number, frame: number, naFlags: number): void {
    let i = this.answerIndex.get(address.id, mac);
    if (i < 0) {
      i = address.answers.length;
      address.answers.push({
        mac: macAddress,
        macId: mac,
        answers: 0,
        maxPerRequest: 0,
        inRequest: 0,
        lastRequest: -1,
        overrideSet: 0,
        overrideClear: 0,
        firstFrame: frame,
      });
      this.answerIndex.set(address.id, mac, i);
      const m = this.macs[mac]!;
      if (m.answered.length < MAX_OWN) m.answered.push(address.id);
      this.version++;
    }
    const t = address.answers[i]!;
    t.answers++;
    if (naFlags >= 0) {
      if ((naFlags & NaFlag.override) !== 0) t.overrideSet++;
      else t.overrideClear++;
    }
    if (address.lastRequester !== askedBy || now - address.lastRequestTime > Defaults.arpReplyWindow) return;
    if (t.lastRequest === address.lastRequestTime) t.inRequest++;
    else t.inRequest = 1;
    t.lastRequest = address.lastRequestTime;
    if (t.inRequest > t.maxPerRequest) {
      t.maxPerRequest = t.inRequest;
      if (t.maxPerRequest === 2) this.version++;
    }
  }

  private noteOwn(mac: number, address: number): void {
    if (address < 0) return;
    if (!addOnce(this.macs[mac]!.own, address, MAX_OWN)) return;
    this.addresses[address]!.owners++;
    this.version++;
  }

  private noteTraffic(m: MacTally, source: boolean, family: number, key: number): void {
    const keys = source ? m.srcKeys : m.dstKeys;
    const families = source ? m.srcFamily : m.dstFamily;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key && families[i] === family) return;
    if (keys.length >= MAX_TRAFFIC) {
      if (source) m.srcMore++;
      else m.dstMore++;
      return;
    }
    keys.push(key);
    families.push(family);
    this.trafficVersion++;
  }

  private macId(mac: number): number {
    const hi = highWord(mac);
    let id = this.macIds.get(hi, mac | 0);
    if (id >= 0) return id;
    if (this.macs.length >= MAX_MACS) return -1;
    id = this.macs.length;
    this.macIds.set(hi, mac | 0, id);
    this.macs.push({
      id,
      mac,
      own: [],
      answered: [],
      srcKeys: [],
      srcFamily: [],
      srcMore: 0,
      dstKeys: [],
      dstFamily: [],
      dstMore: 0,
      routerAdverts: 0,
      eui64RouterAdverts: 0,
      dhcpReplies: 0,
    });
    return id;
  }

  private ipv4Id(ip: number, frame: number): number {
    return this.addressId(Family.v4, ip | 0, ip, null, frame);
  }

  private ipv6Id(words: Uint32Array, frame: number): number {
    const key = foldIpv6(words);
    const known = this.addressIds.get(Family.v6, key);
    return known >= 0 ? known : this.addressId(Family.v6, key, -1, Uint32Array.from(words), frame);
  }

  private addressId(family: FamilyValue, key: number, ipv4: number, ipv6: Uint32Array | null, frame: number): number {
    let id = this.addressIds.get(family, key);
    if (id >= 0) return id;
    if (this.addresses.length >= MAX_ADDRESSES) return -1;
    id = this.addresses.length;
    this.addressIds.set(family, key, id);
    this.addresses.push({
      id,
      family,
      ipv4,
      ipv6,
      key,
      firstFrame: frame,
      answers: [],
      requests: 0,
      askers: [],
      lastRequestTime: -Infinity,
      lastRequester: -1,
      dhcpRouterBy: [],
      dhcpDnsBy: [],
      rdnssBy: [],
      owners: 0,
    });
    return id;
  }
}

/** Appends `value` to `list` unless it is there or the list is full; true when appended. */
function addOnce(list: number[], value: number, max: number): boolean {
  for (let i = 0; i < list.length; i++) if (list[i] === value) return false;
  if (list.length >= max) return false;
  list.push(value);
  return true;
}

/** fe80::/10 and :: (an interface's own link-local, duplicate address detection). */
function isLinkLocalOrUnspecified(w: ArrayLike<number>): boolean {
  return w[0]! >>> 22 === 0xfe80 >>> 6 || (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0);
}

/** fe80::/10 and ff00::/8: a link-local router address or a group is never the anycast address. */
function isLinkLocalOrMulticast(w: ArrayLike<number>): boolean {
  const top = w[0]! >>> 16;
  return top >>> 6 === 0xfe80 >>> 6 || top >>> 8 === 0xff;
}
