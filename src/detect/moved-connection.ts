import type { DecodedFrame } from '../decode/decoded-frame.js';
import { IpProtocol } from '../decode/dispatch.js';
import { Layer } from '../decode/layer.js';
import { isGroupMac } from '../decode/read.js';
import { TcpFlag } from '../decode/transport.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { dstKey, FlowTable, srcKey } from './flow-table.js';
import { ANYCAST_MAC } from './gateways.js';

const KIND = 'moved-connection';

/** A TCP connection that moved to another gateway and broke there. */
export interface MovedConnectionEvidence {
  readonly kind: typeof KIND;
  /** The first such connection's client and server IPv4 addresses (-1 for IPv6) and ports. */
  readonly client: number;
  readonly server: number;
  readonly clientPort: number;
  readonly serverPort: number;
  /** The frame that first showed the connection at the new gateway. */
  readonly switchFrame: number;
  /** After the switch: resets that came back through the new gateway, segments the client sent again, other answers (0). */
  readonly resets: number;
  readonly retransmissions: number;
  readonly repliesAfterSwitch: number;
  /** Seconds from the switch to the connection's last frame, with no answer but resets. */
  readonly silentSeconds: number;
}

type Cause = 'moved-nat-state-lost' | 'moved-connection-dropped';

/** Dedupe: one finding per new gateway and cause. */
const CAUSE_KEY: Record<Cause, number> = { 'moved-nat-state-lost': 1, 'moved-connection-dropped': 2 };

/** Segments the client must send again after the switch, unanswered, before a connection counts as dropped. */
export const MIN_RETRANSMISSIONS = 2;
/** Connections followed after their switch; more switches than this in one capture are not judged. */
const MAX_SWITCHED = 4096;

/** Per-slot bit in `state`: the client's last segment with data (or SYN/FIN) is in `lastSeq`. */
const HAS_SEQ = 1;

/** What is kept about one connection from the moment it moved: numbers only, updated in place. */
interface SwitchedFlow {
  readonly client: number;
  readonly server: number;
  readonly clientPort: number;
  readonly serverPort: number;
  readonly clientMac: number;
  readonly from: number;
  readonly to: number;
  readonly switchFrame: number;
  readonly switchTime: number;
  /** The MAC that showed the new gateway: the one the client sent to, or the one the answer came from. */
  readonly toMac: number;
  resets: number;
  retransmissions: number;
  /** Answers (not resets) after the switch: through any gateway, and through the new one. */
  replies: number;
  repliesThroughNew: number;
  /** The flow's last frame after the switch (time in seconds, and exactly). */
  lastTime: number;
  lastSec: number;
  lastNsec: number;
  lastNumber: number;
  reported: boolean;
}

/**
 * Follows TCP connections through the gateways: which gateway a connection
 * goes through is seen on the client's frames sent to a gateway's unicast
 * MAC, and on the answers that come back from one. When that changes in the
 * middle of a connection (batman-adv chose another gateway, a client's ARP
 * entry moved), what happens next tells whether the gateways keep state:
 *
 * - a reset comes back through the new gateway: it (or the server behind
 *   it) has no translation for the connection — NAT on the gateways
 *   (`moved-nat-state-lost`, judged at the reset);
 * - no answer at all while the client sends the same segment again
 *   (MIN_RETRANSMISSIONS times or more): the new gateway drops it — a
 *   firewall that lets in only established connections
 *   (`moved-connection-dropped`, judged at the end).
 *
 * A connection that keeps being answered after it moved is no finding here
 * (gateway-switch reports the move). Frames to the anycast MAC show no
 * gateway: a move behind the anycast MAC is seen by the answers only.
 */
export class MovedConnectionDetector implements Detector {
  private table: FlowTable | undefined;
  private lastSeq = new Int32Array(0);
  private state = new Uint8Array(0);
  /**
   * The gateway whose unicast MAC the client last sent to, per slot (-1: none yet); the
   * gateway the answers last came from is the table's. Each side switches on its own: a
   * client pinned to one gateway and answered by another (asymmetric) is no switch.
   */
  private sentVia = new Int8Array(0);
  /** Index into `switched` per slot, -1 for none: one record per connection, for its first switch. */
  private switchedAt = new Int32Array(0);
  private readonly switched: SwitchedFlow[] = [];

  private flows(ctx: DetectContext): FlowTable {
    if (this.table === undefined) {
      const t = new FlowTable(ctx.config.maxFlows, Defaults.flowIdle);
      this.table = t;
      this.lastSeq = new Int32Array(t.capacity);
      this.state = new Uint8Array(t.capacity);
      this.sentVia = new Int8Array(t.capacity).fill(-1);
      this.switchedAt = new Int32Array(t.capacity).fill(-1);
    }
    return this.table;
  }

  get evictions(): number {
    return this.table?.evictions ?? 0;
  }

  observe(d: DecodedFrame, ctx: DetectContext): void {
    const layers = d.layers;
    if ((layers & Layer.tcp) === 0) return;
    if ((layers & (Layer.ipv4 | Layer.ipv6)) === 0) return;
    if (d.l2Src < 0 || d.l2Dst < 0 || isGroupMac(d.l2Dst)) return;
    const src = srcKey(d);
    const dst = dstKey(d);
    const tcp = d.tcp;
    const sport = tcp.srcPort;
    const dport = tcp.dstPort;
    const flows = this.flows(ctx);
    flows.now = ctx.now;
    const reverse = flows.find(dst, src, (dport << 16) | sport, IpProtocol.tcp);
    if (reverse >= 0) {
      flows.touch(reverse);
      this.answer(d, ctx, flows, reverse);
      return;
    }
    const role = ctx.gateways.role(d.l2Dst);
    if (role < 0 && role !== ANYCAST_MAC) return;
    const s = flows.upsert(src, dst, (sport << 16) | dport, IpProtocol.tcp);
    if (flows.mac(s) < 0) {
      // A new connection in this slot (or an expired one): forget what the slot knew.
      flows.setMac(s, d.l2Src);
      this.state[s] = 0;
      this.sentVia[s] = -1;
      this.switchedAt[s] = -1;
    }
    if (role >= 0) this.through(d, ctx, flows, s, role, true);
    const carries = tcp.payloadLength > 0 || (tcp.flags & (TcpFlag.syn | TcpFlag.fin)) !== 0;
    const at = this.switchedAt[s]!;
    if (carries) {
      const seq = tcp.seq | 0;
      if ((this.state[s]! & HAS_SEQ) !== 0 && this.lastSeq[s] === seq) {
        if (at >= 0) this.switched[at]!.retransmissions++;
      } else {
        this.lastSeq[s] = seq;
        this.state[s] = this.state[s]! | HAS_SEQ;
      }
    }
    if (at >= 0) this.seen(d, ctx, this.switched[at]!);
  }

  /** A frame from the server side of connection `s`. */
  private answer(d: DecodedFrame, ctx: DetectContext, flows: FlowTable, s: number): void {
    const role = ctx.gateways.role(d.l2Src);
    if (role >= 0) this.through(d, ctx, flows, s, role, false);
    const at = this.switchedAt[s]!;
    if (at < 0) return;
    const f = this.switched[at]!;
    this.seen(d, ctx, f);
    if ((d.tcp.flags & TcpFlag.rst) === 0) {
      f.replies++;
      if (role === f.to) f.repliesThroughNew++;
      return;
    }
    if (role !== f.to) return;
    f.resets++;
    // A reset after the new gateway carried the connection is the connection's own end, not lost state.
    if (f.reported || f.repliesThroughNew > 0) return;
    f.reported = true;
    this.report(ctx, f, 'moved-nat-state-lost', d);
  }

  /**
   * Connection `s` went through gateway `gw`, seen on the client's side (the MAC it sent to) or
   * on the answers' (the MAC they came from): the first one that side showed, the same, or a switch.
   */
  private through(d: DecodedFrame, ctx: DetectContext, flows: FlowTable, s: number, gw: number, fromClient: boolean): void {
    const previous = fromClient ? this.sentVia[s]! : flows.gateway(s);
    if (previous === gw) return;
    if (fromClient) this.sentVia[s] = gw;
    else flows.setGateway(s, gw);
    if (previous < 0 || this.switchedAt[s]! >= 0 || this.switched.length >= MAX_SWITCHED) return;
    const v4 = (d.layers & Layer.ipv4) !== 0;
    const tcp = d.tcp;
    this.switchedAt[s] = this.switched.length;
    this.switched.push({
      client: v4 ? (fromClient ? d.ipv4.src : d.ipv4.dst) : -1,
      server: v4 ? (fromClient ? d.ipv4.dst : d.ipv4.src) : -1,
      clientPort: fromClient ? tcp.srcPort : tcp.dstPort,
      serverPort: fromClient ? tcp.dstPort : tcp.srcPort,
      clientMac: flows.mac(s),
      from: previous,
      to: gw,
      toMac: fromClient ? d.l2Dst : d.l2Src,
      switchFrame: d.number,
      switchTime: ctx.now,
      resets: 0,
      retransmissions: 0,
      replies: 0,
      repliesThroughNew: 0,
      lastTime: ctx.now,
      lastSec: d.tsSec,
      lastNsec: d.tsNsec,
      lastNumber: d.number,
      reported: false,
    });
  }

  private seen(d: DecodedFrame, ctx: DetectContext, f: SwitchedFlow): void {
    f.lastTime = ctx.now;
    f.lastSec = d.tsSec;
    f.lastNsec = d.tsNsec;
    f.lastNumber = d.number;
  }

  private report(ctx: DetectContext, f: SwitchedFlow, cause: Cause, frame: { tsSec: number; tsNsec: number; number: number }): void {
    const findings = ctx.findings;
    const id = findings.find(KIND, f.to + 1, CAUSE_KEY[cause]);
    const finding =
      id >= 0
        ? findings.count(id, frame)
        : findings.get(
            findings.add<MovedConnectionEvidence>(f.to + 1, CAUSE_KEY[cause], frame, {
              kind: KIND,
              severity: 'warning',
              cause,
              gateway: f.to,
              otherGateway: f.from,
              anycastIpv4: -1,
              anycastIpv6: null,
              mac: f.toMac,
              evidence: {
                kind: KIND,
                client: f.client,
                server: f.server,
                clientPort: f.clientPort,
                serverPort: f.serverPort,
                switchFrame: f.switchFrame,
                resets: f.resets,
                retransmissions: f.retransmissions,
                repliesAfterSwitch: f.replies,
                silentSeconds: Math.round((f.lastTime - f.switchTime) * 1e6) / 1e6,
              },
            }),
          );
    findings.addClient(finding, f.clientMac);
  }

  finish(ctx: DetectContext): void {
    for (const f of this.switched) {
      if (f.reported || f.replies > 0 || f.resets > 0 || f.retransmissions < MIN_RETRANSMISSIONS) continue;
      // The slot may hold another connection by now; this record is still this one's.
      f.reported = true;
      this.report(ctx, f, 'moved-connection-dropped', { tsSec: f.lastSec, tsNsec: f.lastNsec, number: f.lastNumber });
    }
  }
}

export const movedConnection: DetectorDefinition<MovedConnectionEvidence, Cause, MovedConnectionDetector> = {
  id: KIND,
  title: 'TCP connections that move to another gateway and break there (reset: NAT; dropped: a stateful firewall)',
  docs: 'README.md#moved-connection',
  kinds: [KIND],
  causes: ['moved-nat-state-lost', 'moved-connection-dropped'],
  needs: Layer.tcp,
  // A connection's start and end through one gateway and a reset through another: a few segments each.
  capture: ['tcp-flags'],
  // Following every TCP connection in a table of its own costs configured analyze of the 5M bench
  // capture (70 % TCP/UDP) about a third more CPU (4.03-4.55 s against 2.71-3.53 s, interleaved runs,
  // 2026-12-07) and ~10 MB, past the 100 MB target: on request (--detectors +moved-connection) until
  // it shares the pairing table of asymmetric-reply.
  onByDefault: false,
  create: () => new MovedConnectionDetector(),
  // A reset and a drop of one gateway are two problems (two causes).
  problemKey: (f) => f.cause,
  evictions: (d) => d.evictions,
};
