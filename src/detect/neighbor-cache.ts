import { ArpOp } from '../decode/arp.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Icmpv6Type, NaFlag } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { BROADCAST_MAC, highWord, isGroupMac } from '../decode/read.js';
import type { DetectContext } from './detector.js';
import { PairIndex } from './pair-index.js';

/** How a frame told hosts which MAC an anycast address is at. */
export const Telling = {
  /** An ARP reply (sender IP = the anycast IP). */
  reply: 1,
  /** A gratuitous ARP (sender IP = target IP = the anycast IP): overrides any cache at once. */
  gratuitous: 2,
  /** A request a gateway sends itself with the anycast IP as sender: the host asked learns it, the others refresh. */
  request: 3,
  /** A neighbor advertisement for an anycast IPv6 address with a target link-layer address. */
  advert: 4,
} as const;

export type TellingValue = (typeof Telling)[keyof typeof Telling];

/** The listener that stands for every host on the segment: what was broadcast (or multicast) is heard by all. */
export const EVERY_HOST = BROADCAST_MAC;

/**
 * The kernel keeps the first of several different ARP answers that arrive
 * within `locktime` (net.ipv4.neigh.*.locktime, 1 s by default; arp_process
 * in net/ipv4/arp.c: "use the FIRST one"), unless the later one is
 * gratuitous. So the bridge and the macvlan of a gateway with arp_filter off
 * answering the same request are not a change of mind: only a later,
 * separate answer moves the cache.
 */
export const ARP_LOCKTIME = 1.0;

/** `NeighborCacheModel.holding`'s address for "any anycast IPv4 address" (the router a forwarded frame went to). */
export const ANY_IPV4 = -2;

/**
 * One frame read as telling: which host (`listener`) learns which MAC for
 * which anycast address. One object, overwritten by every `read`, so the
 * per-frame path allocates nothing.
 */
export class AnycastTelling {
  how: TellingValue = Telling.reply;
  /** The MAC the listener is told, the unicast host that hears it, or EVERY_HOST. */
  mac = -1;
  listener = -1;
  /** The anycast IPv4 address (uint32), or -1 for IPv6. */
  ipv4 = -1;
  /** Index of the anycast IPv6 address in ctx.anycast.v6, or -1 for IPv4. */
  ipv6Index = -1;
  /** The answer replaces a different MAC at once: an NA's override flag; a gratuitous ARP; a request to the host asked (else ARP_LOCKTIME decides). */
  override = false;

  /** Whether frame `d` tells some host where an anycast address is; the fields describe it when true. */
  read(d: DecodedFrame, ctx: DetectContext): boolean {
    if ((d.layers & Layer.arp) !== 0) return this.readArp(d, ctx);
    if ((d.layers & Layer.icmpv6) !== 0) return this.readAdvert(d, ctx);
    return false;
  }

  private readArp(d: DecodedFrame, ctx: DetectContext): boolean {
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4() || a.sha < 0) return false;
    if (a.op !== ArpOp.reply && a.op !== ArpOp.request) return false;
    if (!ctx.anycast.isAnycastIpv4(a.spa)) return false;
    const gratuitous = a.tpa === a.spa;
    this.how = gratuitous ? Telling.gratuitous : a.op === ArpOp.reply ? Telling.reply : Telling.request;
    this.mac = a.sha;
    this.ipv4 = a.spa;
    this.ipv6Index = -1;
    // The frame's destination is who hears it; a capture without one (Linux cooked) falls back to the target MAC.
    const dst = d.l2Dst >= 0 ? d.l2Dst : a.op === ArpOp.reply && a.tha > 0 ? a.tha : BROADCAST_MAC;
    if (this.how === Telling.request) {
      // The host asked for learns the asker at once (neigh_event_ns, with override): unicast to it, or
      // broadcast to the host that claimed the target IP in this capture. Other hosts only refresh.
      const target = isGroupMac(dst) ? ctx.gateways.ownerOf(a.tpa) : dst;
      this.listener = target >= 0 ? target : EVERY_HOST;
      this.override = target >= 0;
      return true;
    }
    this.listener = isGroupMac(dst) ? EVERY_HOST : dst;
    this.override = gratuitous;
    return true;
  }

  private readAdvert(d: DecodedFrame, ctx: DetectContext): boolean {
    const n = d.icmpv6;
    // Without a target link-layer address option an NA cannot change the MAC a host keeps (RFC 4861 §7.2.5).
    if (n.type !== Icmpv6Type.neighborAdvert || !n.hasTarget || n.targetLinkAddr < 0 || ctx.anycast.v6.length === 0) return false;
    const index = ctx.anycast.anycastIpv6Index(n.target);
    if (index < 0) return false;
    this.how = Telling.advert;
    this.mac = n.targetLinkAddr;
    this.listener = d.l2Dst < 0 || isGroupMac(d.l2Dst) ? EVERY_HOST : d.l2Dst;
    this.ipv4 = -1;
    this.ipv6Index = index;
    this.override = n.naFlags >= 0 && (n.naFlags & NaFlag.override) !== 0;
    return true;
  }
}

/** Anycast addresses as small slot numbers (a mesh has a handful): part of a cache entry's key. */
class AddressSlots {
  readonly keys: number[] = [];

  /** The slot of an IPv4 address (uint32) or, with ipv4 = -1, of anycast IPv6 address `ipv6Index`; -1 when all 256 are taken. */
  slot(ipv4: number, ipv6Index: number): number {
    const key = ipv4 >= 0 ? ipv4 : -1 - ipv6Index;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    if (keys.length >= 256) return -1;
    keys.push(key);
    return keys.length - 1;
  }
}

/**
 * What each host's neighbour cache holds for each anycast address, as far
 * as the frames tell: per (listener, address) the MAC it keeps now, the one
 * before, and when it changed. A model of the kernel's rules (ARP_LOCKTIME;
 * an NA overrides a different MAC only with its override flag), fed the
 * frames that tell; `EVERY_HOST` stands for what every host heard.
 *
 * Bounded: beyond `maxEntries` (listener, address) pairs new listeners are
 * not tracked (counted in `notTracked`).
 */
export class NeighborCacheModel {
  private readonly index = new PairIndex();
  private readonly slots = new AddressSlots();
  private capacity = 64;
  current = new Float64Array(this.capacity);
  previous = new Float64Array(this.capacity);
  /** Capture time of the last change of MAC, and of the last answer the kernel took (the locktime runs from it). */
  changedAt = new Float64Array(this.capacity);
  updatedAt = new Float64Array(this.capacity);
  /** When the listener was told its current MAC (exact capture time and frame), and how. */
  toldSec = new Float64Array(this.capacity);
  toldNsec = new Int32Array(this.capacity);
  toldFrame = new Float64Array(this.capacity);
  toldHow = new Uint8Array(this.capacity);
  /** The same for the MAC held before (`previous`). */
  previousSec = new Float64Array(this.capacity);
  previousNsec = new Int32Array(this.capacity);
  previousFrame = new Float64Array(this.capacity);
  previousHow = new Uint8Array(this.capacity);
  size = 0;
  notTracked = 0;
  /** Address of each entry: the IPv4 address (uint32), or -1 - the IPv6 index. */
  addressOf = new Float64Array(this.capacity);
  /** Set by `apply`: the listener's MAC changed (not its first learning, not a repeat). */
  changed = false;
  /** Set by `apply` on a change: the new MAC is the one held before the last change (back and forth)… */
  returned = false;
  /** …and this long (s) after that change. */
  sinceLastChange = 0;

  constructor(private readonly maxEntries: number) {}

  /**
   * Applies telling `t` (frame `d`, capture time `now`) to its listener's
   * cache; returns the entry, or -1 when it is not tracked.
   */
  apply(t: AnycastTelling, d: DecodedFrame, now: number): number {
    this.changed = false;
    const slot = this.slots.slot(t.ipv4, t.ipv6Index);
    if (slot < 0) return -1;
    const hi = highWord(t.listener) + slot * 65536;
    let e = this.index.get(hi, t.listener | 0);
    if (e < 0) {
      if (this.size >= this.maxEntries) {
        this.notTracked++;
        return -1;
      }
      e = this.size++;
      if (e === this.capacity) this.grow();
      this.index.set(hi, t.listener | 0, e);
      this.addressOf[e] = t.ipv4 >= 0 ? t.ipv4 : -1 - t.ipv6Index;
      this.previous[e] = -1;
      this.take(e, t, d, now);
      this.changedAt[e] = now;
      return e;
    }
    if (t.mac === this.current[e]) {
      this.updatedAt[e] = now;
      return e;
    }
    const override = t.how === Telling.advert ? t.override : t.override || now - this.updatedAt[e]! > ARP_LOCKTIME;
    if (!override) return e;
    this.returned = t.mac === this.previous[e];
    this.sinceLastChange = now - this.changedAt[e]!;
    this.previous[e] = this.current[e]!;
    this.previousSec[e] = this.toldSec[e]!;
    this.previousNsec[e] = this.toldNsec[e]!;
    this.previousFrame[e] = this.toldFrame[e]!;
    this.previousHow[e] = this.toldHow[e]!;
    this.take(e, t, d, now);
    this.changedAt[e] = now;
    this.changed = true;
    return e;
  }

  /** The entry of `listener` for an address (as in AnycastTelling: ipv4, or -1 and ipv6Index), or -1. */
  find(listener: number, ipv4: number, ipv6Index: number): number {
    const slot = this.slots.slot(ipv4, ipv6Index);
    if (slot < 0) return -1;
    return this.index.get(highWord(listener) + slot * 65536, listener | 0);
  }

  /**
   * The entry of `listener` whose MAC is, or was just before, `mac`, for
   * the address (ipv4, or -1 and ipv6Index), or for any anycast IPv4 address
   * when ipv4 is ANY_IPV4; -1 if none. `heldBefore` says which: the frames a
   * host sends are better evidence of what it holds than the model's
   * reading of the override rules.
   */
  holding(listener: number, mac: number, ipv4: number, ipv6Index: number): number {
    this.heldBefore = false;
    if (ipv4 !== ANY_IPV4) return this.holds(this.find(listener, ipv4, ipv6Index), mac);
    const keys = this.slots.keys;
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot]! < 0) continue;
      const e = this.holds(this.index.get(highWord(listener) + slot * 65536, listener | 0), mac);
      if (e >= 0) return e;
    }
    return -1;
  }

  /** Set by `holding`: the entry holds the MAC as `previous`, not `current`. */
  heldBefore = false;

  private holds(e: number, mac: number): number {
    if (e < 0) return -1;
    if (this.current[e] === mac) return e;
    if (this.previous[e] !== mac) return -1;
    this.heldBefore = true;
    return e;
  }

  private take(e: number, t: AnycastTelling, d: DecodedFrame, now: number): void {
    this.current[e] = t.mac;
    this.updatedAt[e] = now;
    this.toldSec[e] = d.tsSec;
    this.toldNsec[e] = d.tsNsec;
    this.toldFrame[e] = d.number;
    this.toldHow[e] = t.how;
  }

  private grow(): void {
    const n = this.capacity * 2;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.current = f64(this.current);
    this.previous = f64(this.previous);
    this.changedAt = f64(this.changedAt);
    this.updatedAt = f64(this.updatedAt);
    this.toldSec = f64(this.toldSec);
    this.toldFrame = f64(this.toldFrame);
    this.previousSec = f64(this.previousSec);
    this.previousFrame = f64(this.previousFrame);
    this.addressOf = f64(this.addressOf);
    const nsec = new Int32Array(n);
    nsec.set(this.toldNsec);
    this.toldNsec = nsec;
    const how = new Uint8Array(n);
    how.set(this.toldHow);
    this.toldHow = how;
    const previousNsec = new Int32Array(n);
    previousNsec.set(this.previousNsec);
    this.previousNsec = previousNsec;
    const previousHow = new Uint8Array(n);
    previousHow.set(this.previousHow);
    this.previousHow = previousHow;
    this.capacity = n;
  }
}
