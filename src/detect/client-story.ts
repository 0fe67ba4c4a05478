import type { DecodedFrame } from '../decode/decoded-frame.js';
import { IcmpType } from '../decode/icmp.js';
import { Layer } from '../decode/layer.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { AnycastTelling, EVERY_HOST, NeighborCacheModel, Telling, type TellingValue } from './neighbor-cache.js';

/** Events kept for the story, in capture order; more are counted, not kept. */
export const MAX_STORY_EVENTS = 200;
/** An echo request without its reply this long after it is lost (seconds of capture time), as ping counts. */
const ECHO_TIMEOUT = 1.0;
/** Flows of the client followed for a change of gateway. */
const MAX_FLOWS = 4096;

export type StoryEvent =
  /** The client's cache took `mac` for the anycast address (first learning or a change), told by `how`. */
  | { type: 'learned'; sec: number; nsec: number; frame: number; address: number; ipv6Index: number; mac: number; how: TellingValue }
  /** An echo request of the client and its reply (or none: rttSeconds -1). */
  | { type: 'echo'; sec: number; nsec: number; frame: number; dst: number; toMac: number; seq: number; replyMac: number; rttSeconds: number }
  /** A TCP/UDP flow of the client answered from another MAC than before. */
  | { type: 'flow-moved'; sec: number; nsec: number; frame: number; server: number; serverPort: number; fromMac: number; toMac: number; protocol: number };

/** Everything one capture says about one client (`--client IP|MAC`). */
export interface ClientStory {
  /** As given, and as completed from the frames (-1 while unknown). */
  mac: number;
  ipv4: number;
  framesFrom: number;
  framesTo: number;
  echoSent: number;
  echoAnswered: number;
  rttMin: number;
  rttMax: number;
  rttSum: number;
  /** MACs that answered its echo requests, with counts. */
  echoAnsweredBy: { mac: number; replies: number }[];
  /** MACs its frames went to (the first hop it used), with counts. */
  sentTo: { mac: number; frames: number }[];
  events: StoryEvent[];
  /** Events not kept (over MAX_STORY_EVENTS). */
  eventsNotKept: number;
}

interface PendingEcho {
  event: Extract<StoryEvent, { type: 'echo' }>;
  t: number;
}

/**
 * `client-story`: not a judgement — the page an operator pastes into a
 * reply to the user who reported the problem. Follows the one client named
 * by `--client` (its MAC and IPv4 address completed from the frames): the
 * MACs it learned for the anycast addresses and when (the neighbour cache
 * model of the flip-flop detector), its echo round trips and losses and
 * who answered each, the first hops its frames went to, and flows whose
 * answers moved to another gateway. Runs only when asked for (the command
 * line adds it with --client).
 */
export class ClientStoryTracker implements Detector {
  private readonly telling = new AnycastTelling();
  private readonly caches = new NeighborCacheModel(1024);
  private story: ClientStory | undefined;
  private readonly pending = new Map<number, PendingEcho>();
  /** Flow key (protocol, server, ports) → the MAC that last answered it. */
  private readonly flows = new Map<string, number>();

  private start(ctx: DetectContext): ClientStory | undefined {
    const c = ctx.config.client;
    if (c === null) return undefined;
    this.story ??= {
      mac: c.mac,
      ipv4: c.ipv4,
      framesFrom: 0,
      framesTo: 0,
      echoSent: 0,
      echoAnswered: 0,
      rttMin: Number.POSITIVE_INFINITY,
      rttMax: 0,
      rttSum: 0,
      echoAnsweredBy: [],
      sentTo: [],
      events: [],
      eventsNotKept: 0,
    };
    return this.story;
  }

  observe(d: DecodedFrame, ctx: DetectContext): void {
    const s = this.start(ctx);
    if (s === undefined) return;
    this.expire(ctx.now);
    if (this.telling.read(d, ctx)) {
      const t = this.telling;
      // Its own answers, and what every host hears at once (a gratuitous ARP).
      if (s.mac < 0 || (t.listener !== s.mac && !(t.listener === EVERY_HOST && t.how === Telling.gratuitous))) return;
      t.listener = s.mac;
      const e = this.caches.apply(t, d, ctx.now);
      if (e >= 0 && (this.caches.changed || this.caches.previous[e] === -1) && this.caches.toldFrame[e] === d.number)
        this.push(s, { type: 'learned', sec: d.tsSec, nsec: d.tsNsec, frame: d.number, address: t.ipv4, ipv6Index: t.ipv6Index, mac: t.mac, how: t.how });
      return;
    }
    if ((d.layers & Layer.ipv4) === 0) {
      if ((d.layers & Layer.arp) !== 0) this.identify(s, d.arp.spa, d.arp.sha);
      return;
    }
    this.identify(s, d.ipv4.src, d.l2Src);
    const from = (s.mac >= 0 && d.l2Src === s.mac) || (s.ipv4 >= 0 && d.ipv4.src === s.ipv4);
    const to = (s.mac >= 0 && d.l2Dst === s.mac) || (s.ipv4 >= 0 && d.ipv4.dst === s.ipv4);
    if (from) {
      s.framesFrom++;
      bump(s.sentTo, d.l2Dst);
      if ((d.layers & Layer.icmp) !== 0 && d.icmp.type === IcmpType.echoRequest && d.icmp.seq >= 0) this.echoRequest(s, d, ctx.now);
    } else if (to) {
      s.framesTo++;
      if ((d.layers & Layer.icmp) !== 0 && d.icmp.type === IcmpType.echoReply) this.echoReply(s, d, ctx.now);
      else if ((d.layers & (Layer.tcp | Layer.udp)) !== 0) this.flowReply(s, d);
    }
  }

  /** Completes the client's MAC from its IPv4 address, or its address from its MAC, the first time a frame shows both. */
  private identify(s: ClientStory, ip: number, mac: number): void {
    if (ip < 0 || mac < 0) return;
    if (s.mac < 0 && s.ipv4 === ip) s.mac = mac;
    else if (s.ipv4 < 0 && s.mac === mac && ip !== 0) s.ipv4 = ip;
  }

  private echoRequest(s: ClientStory, d: DecodedFrame, now: number): void {
    s.echoSent++;
    const event: PendingEcho['event'] = {
      type: 'echo',
      sec: d.tsSec,
      nsec: d.tsNsec,
      frame: d.number,
      dst: d.ipv4.dst,
      toMac: d.l2Dst,
      seq: d.icmp.seq,
      replyMac: -1,
      rttSeconds: -1,
    };
    this.pending.set(echoKey(d.ipv4.dst, d.icmp.id, d.icmp.seq), { event, t: now });
    this.push(s, event);
  }

  private echoReply(s: ClientStory, d: DecodedFrame, now: number): void {
    const key = echoKey(d.ipv4.src, d.icmp.id, d.icmp.seq);
    const p = this.pending.get(key);
    if (p === undefined) return;
    this.pending.delete(key);
    const rtt = now - p.t;
    p.event.replyMac = d.l2Src;
    p.event.rttSeconds = rtt;
    s.echoAnswered++;
    s.rttMin = Math.min(s.rttMin, rtt);
    s.rttMax = Math.max(s.rttMax, rtt);
    s.rttSum += rtt;
    const by = s.echoAnsweredBy.find((x) => x.mac === d.l2Src);
    if (by === undefined) s.echoAnsweredBy.push({ mac: d.l2Src, replies: 1 });
    else by.replies++;
  }

  /** Echo requests unanswered for ECHO_TIMEOUT stay lost (rttSeconds -1); forget them. */
  private expire(now: number): void {
    if (this.pending.size === 0) return;
    for (const [key, p] of this.pending) if (now - p.t > ECHO_TIMEOUT) this.pending.delete(key);
  }

  private flowReply(s: ClientStory, d: DecodedFrame): void {
    const tcp = (d.layers & Layer.tcp) !== 0;
    const sport = tcp ? d.tcp.srcPort : d.udp.srcPort;
    const dport = tcp ? d.tcp.dstPort : d.udp.dstPort;
    // Only the chosen client's frames come here: a string key costs nothing that matters.
    const key = `${tcp ? 6 : 17} ${d.ipv4.src} ${sport} ${dport}`;
    const before = this.flows.get(key);
    if (before === undefined) {
      if (this.flows.size < MAX_FLOWS) this.flows.set(key, d.l2Src);
      return;
    }
    if (before === d.l2Src) return;
    this.flows.set(key, d.l2Src);
    this.push(s, {
      type: 'flow-moved',
      sec: d.tsSec,
      nsec: d.tsNsec,
      frame: d.number,
      server: d.ipv4.src,
      serverPort: sport,
      fromMac: before,
      toMac: d.l2Src,
      protocol: tcp ? 6 : 17,
    });
  }

  private push(s: ClientStory, e: StoryEvent): void {
    if (s.events.length < MAX_STORY_EVENTS) s.events.push(e);
    else s.eventsNotKept++;
  }

  /** The story so far, or undefined when no client was named. */
  result(): ClientStory | undefined {
    return this.story;
  }

  finish(ctx: DetectContext): void {
    this.start(ctx);
  }
}

function echoKey(peer: number, id: number, seq: number): number {
  // 2^32 peers × 2^16 ids would not fit a double exactly; the sequence and id are what tell requests apart here.
  return (peer % 65521) * 4294967296 + ((id & 0xffff) * 65536 + (seq & 0xffff));
}

function bump(list: { mac: number; frames: number }[], mac: number): void {
  const x = list.find((e) => e.mac === mac);
  if (x !== undefined) x.frames++;
  else if (list.length < 64) list.push({ mac, frames: 1 });
}

/** The report's story of the client named with --client. */
export interface ClientStorySection {
  /** null when no client was named. */
  client: ClientStory | null;
}

export const clientStory: DetectorDefinition<never, never, ClientStoryTracker, ClientStorySection> = {
  id: 'client-story',
  title: 'One client, as the capture saw it (--client IP|MAC): what it learned, its pings, its gateways',
  docs: 'README.md#client-story',
  kinds: [],
  causes: [],
  needs: Layer.arp | Layer.ipv4 | Layer.icmpv6,
  // Live: what it learned (ARP, NA) and its pings.
  capture: ['arp', 'icmp', 'icmp6'],
  onByDefault: false,
  create: () => new ClientStoryTracker(),
  section: {
    of: (d) => ({ client: d.result() ?? null }),
    absent: () => ({ client: null }),
  },
};
