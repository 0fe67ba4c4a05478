import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { highWord, isGroupMac } from '../decode/read.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { MAX_LISTED_PEERS } from './findings.js';
import { AnycastTelling, ANY_IPV4, EVERY_HOST, NeighborCacheModel, Telling, type TellingValue } from './neighbor-cache.js';
import { PairIndex } from './pair-index.js';

const KIND = 'client-pinned';

/** How a pinned client came to hold the gateway's MAC: a telling seen in the capture, or before it began. */
export type ToldBy = 'reply' | 'gratuitous' | 'request' | 'advert' | 'before-capture';

/** One pinned client: when it was told, and what it sent the wrong way. */
export interface PinnedClient {
  readonly mac: number;
  /** The client's IPv4 source address in its first wrong-way frame, or -1 (IPv6). */
  readonly ipv4: number;
  readonly toldBy: ToldBy;
  /** Capture time and frame of the telling; -1 when it was before the capture. */
  readonly toldSec: number;
  readonly toldNsec: number;
  readonly toldFrame: number;
  /** Frames to the anycast IP itself, and frames forwarded through the gateway (the anycast IP as router), sent to the unicast MAC. */
  toAnycastFrames: number;
  forwardedFrames: number;
  /** When a later telling moved it back to the anycast MAC (or another MAC): its frame, -1 while still pinned. */
  releasedSec: number;
  releasedNsec: number;
  releasedFrame: number;
}

/** The clients pinned to one gateway for one anycast address. */
export interface ClientPinnedEvidence {
  readonly kind: typeof KIND;
  /** The first clients pinned (up to MAX_LISTED_PEERS), in the order their first wrong-way frame was seen. */
  readonly clients: PinnedClient[];
  toAnycastFrames: number;
  forwardedFrames: number;
}

const TOLD_BY: Record<TellingValue, ToldBy> = {
  [Telling.reply]: 'reply',
  [Telling.gratuitous]: 'gratuitous',
  [Telling.request]: 'request',
  [Telling.advert]: 'advert',
};

/**
 * `client-pinned`: a client that was told (a unicast ARP reply, a
 * gratuitous ARP, a gateway's own request with the anycast IP as sender, or
 * an NA) that an anycast address is at a gateway's unicast MAC, and whose
 * frames then go to that MAC instead of the anycast MAC: to the anycast IP
 * itself, or through it as the router (to an address no host on the mesh
 * claimed in ARP). A client that sends to the anycast IP through a
 * gateway's unicast MAC with no telling in the capture was told before it
 * began. One finding per gateway and anycast address, listing its clients.
 */
export class ClientPinnedDetector implements Detector {
  private readonly telling = new AnycastTelling();
  private caches: NeighborCacheModel | undefined;
  /** (client, gateway) → index into `pinned` (the clients listed in their finding's evidence). */
  private readonly pinnedIndex = new PairIndex();
  private readonly pinned: PinnedClient[] = [];

  observe(d: DecodedFrame, ctx: DetectContext): void {
    this.caches ??= new NeighborCacheModel(ctx.config.maxFlows);
    const caches = this.caches;
    const t = this.telling;
    if (t.read(d, ctx)) {
      // A MAC that claims an anycast address and is not the anycast MAC is a gateway's.
      if (!ctx.gateways.isAnycastMac(t.mac)) ctx.gateways.learn(t.mac, 'claimed-anycast-ip', d.number);
      const e = caches.apply(t, d, ctx.now);
      if (e >= 0 && caches.changed && t.listener !== EVERY_HOST) this.release(t.listener, caches.previous[e]!, d, ctx);
      return;
    }
    const gw = ctx.gateways.role(d.l2Dst);
    if (gw < 0) return;
    // Only a client sends this way: not a gateway, the anycast MAC, or a group address.
    const client = d.l2Src;
    if (client < 0 || isGroupMac(client) || ctx.gateways.role(client) !== -1) return;
    let ipv4 = -1;
    let ipv6Index = -1;
    let toAnycast = true;
    if ((d.layers & Layer.ipv4) !== 0) {
      const dst = d.ipv4.dst;
      if (ctx.anycast.isAnycastIpv4(dst)) ipv4 = dst;
      else if (ctx.gateways.ownerOf(dst) >= 0)
        return; // an address on the mesh: the frame is not routed
      else {
        ipv4 = ANY_IPV4;
        toAnycast = false;
      }
    } else if ((d.layers & Layer.ipv6) !== 0) {
      ipv6Index = ctx.anycast.v6.length > 0 ? ctx.anycast.anycastIpv6Index(d.ipv6.dst) : -1;
      if (ipv6Index < 0) return;
    } else {
      return;
    }
    const mac = d.l2Dst;
    let e = caches.holding(client, mac, ipv4, ipv6Index);
    if (e < 0) e = caches.holding(EVERY_HOST, mac, ipv4, ipv6Index);
    // Told before the capture: only a frame to the anycast IP itself says so, and only for a client told nothing since.
    if (e < 0 && (!toAnycast || caches.find(client, ipv4, ipv6Index) >= 0)) return;
    this.count(d, ctx, gw, e, toAnycast, ipv4, ipv6Index);
  }

  /** A pinned client told another MAC for the address: no longer pinned to the gateway of `oldMac`. */
  private release(client: number, oldMac: number, d: DecodedFrame, ctx: DetectContext): void {
    const gw = ctx.gateways.role(oldMac);
    if (gw < 0) return;
    const p = this.pinnedIndex.get(highWord(client) + (gw + 1) * 65536, client | 0);
    if (p < 0) return;
    const entry = this.pinned[p]!;
    entry.releasedSec = d.tsSec;
    entry.releasedNsec = d.tsNsec;
    entry.releasedFrame = d.number;
  }

  /** Counts a wrong-way frame of this frame's client to gateway `gw`, told by cache entry `e` (-1: before the capture). */
  private count(d: DecodedFrame, ctx: DetectContext, gw: number, e: number, toAnycast: boolean, ipv4: number, ipv6Index: number): void {
    const caches = this.caches!;
    const address = e >= 0 ? caches.addressOf[e]! : ipv4 >= 0 ? ipv4 : -1 - ipv6Index;
    const b = address >= 0 ? address | 0 : -1 - address;
    const a = (gw + 1) | (address >= 0 ? 0 : 0x4000);
    let id = ctx.findings.find(KIND, a, b);
    if (id >= 0) ctx.findings.count(id, d);
    else id = this.add(d, ctx, gw, a, b, address);
    const f = ctx.findings.get<ClientPinnedEvidence>(id);
    if (toAnycast) f.evidence.toAnycastFrames++;
    else f.evidence.forwardedFrames++;
    const client = d.l2Src;
    const hi = highWord(client) + (gw + 1) * 65536;
    let p = this.pinnedIndex.get(hi, client | 0);
    if (p < 0) {
      ctx.findings.addClient(f, client);
      if (f.evidence.clients.length >= MAX_LISTED_PEERS) return;
      p = this.pinned.length;
      this.pinnedIndex.set(hi, client | 0, p);
      const told = e >= 0;
      const before = caches.heldBefore;
      const entry: PinnedClient = {
        mac: client,
        ipv4: (d.layers & Layer.ipv4) !== 0 ? d.ipv4.src : -1,
        toldBy: told ? TOLD_BY[(before ? caches.previousHow[e]! : caches.toldHow[e]!) as TellingValue] : 'before-capture',
        toldSec: told ? (before ? caches.previousSec[e]! : caches.toldSec[e]!) : -1,
        toldNsec: told ? (before ? caches.previousNsec[e]! : caches.toldNsec[e]!) : -1,
        toldFrame: told ? (before ? caches.previousFrame[e]! : caches.toldFrame[e]!) : -1,
        toAnycastFrames: 0,
        forwardedFrames: 0,
        releasedSec: -1,
        releasedNsec: -1,
        releasedFrame: -1,
      };
      this.pinned.push(entry);
      f.evidence.clients.push(entry);
    }
    const entry = this.pinned[p]!;
    // Sending the wrong way again after a release: pinned again (told anew).
    entry.releasedFrame = -1;
    if (toAnycast) entry.toAnycastFrames++;
    else entry.forwardedFrames++;
  }

  private add(d: DecodedFrame, ctx: DetectContext, gw: number, a: number, b: number, address: number): number {
    return ctx.findings.add<ClientPinnedEvidence>(a, b, d, {
      kind: KIND,
      severity: 'warning',
      cause: 'pinned-to-gateway',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: address >= 0 ? address : -1,
      anycastIpv6: address >= 0 ? null : ctx.anycast.v6[-1 - address]!,
      mac: d.l2Dst,
      evidence: { kind: KIND, clients: [], toAnycastFrames: 0, forwardedFrames: 0 },
    });
  }

  finish(): void {}
}

export const clientPinned: DetectorDefinition<ClientPinnedEvidence, 'pinned-to-gateway', ClientPinnedDetector> = {
  id: KIND,
  title: "Clients told a gateway's unicast MAC for the anycast IP that then send to it, not to the anycast MAC",
  docs: 'README.md#client-pinned',
  kinds: [KIND],
  causes: ['pinned-to-gateway'],
  needs: Layer.arp | Layer.ipv4 | Layer.ipv6,
  // Live: the telling (ARP, NA) and the pings sent the wrong way.
  capture: ['arp', 'icmp', 'icmp6'],
  create: () => new ClientPinnedDetector(),
};
