import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { IcmpType } from '../decode/icmp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { highWord, isGroupMac, joinWords } from '../decode/read.js';
import { IpProtocol } from '../decode/dispatch.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { dstKey, FlowTable, srcKey } from './flow-table.js';
import { ANYCAST_MAC } from './gateways.js';

const ASYMMETRIC = 'asymmetric-reply';
const SWITCH = 'gateway-switch';

/** A request to one gateway's unicast MAC answered from another's. */
export interface AsymmetricReplyEvidence {
  readonly kind: typeof ASYMMETRIC;
  /** The first such reply's client and server IPv4 addresses (-1 for IPv6). */
  readonly exampleClient: number;
  readonly exampleServer: number;
}

/** One flow answered by different gateways over time. */
export interface GatewaySwitchEvidence {
  readonly kind: typeof SWITCH;
  /** The client and server IPv4 addresses of the first flow seen moving (-1 for IPv6). */
  readonly client: number;
  readonly server: number;
}

/**
 * Pairs every echo reply with its request (addresses, id, sequence) and
 * every TCP/UDP packet with its flow's reverse (5-tuple), then judges by
 * the MAC the request was sent to and the MAC the reply came from:
 *
 * - request to gateway X's unicast MAC, reply from gateway Y's unicast MAC:
 *   `asymmetric-reply` (the wrong gateway answered);
 * - request to the anycast MAC, reply from a gateway's unicast MAC: what
 *   the kernel does for forwarded traffic in a healthy setup — no finding,
 *   but that MAC is learned as a gateway;
 * - request to a unicast MAC, reply from the anycast MAC: a client pinned by
 *   a unicast ARP answer; not judged here;
 * - one flow answered by different gateways over time: `gateway-switch`.
 */
export class AsymmetricReplyDetector implements Detector {
  private echoTable: FlowTable | undefined;
  private flowTable: FlowTable | undefined;

  /** Tables are sized from the configuration, so they are made on the first frame. */
  private echoes(ctx: DetectContext): FlowTable {
    this.echoTable ??= new FlowTable(ctx.config.maxFlows, Defaults.echoReplyWindow);
    return this.echoTable;
  }

  private flows(ctx: DetectContext): FlowTable {
    this.flowTable ??= new FlowTable(ctx.config.maxFlows, Defaults.flowIdle);
    return this.flowTable;
  }

  get evictions(): number {
    return (this.echoTable?.evictions ?? 0) + (this.flowTable?.evictions ?? 0);
  }

  observe(d: DecodedFrame, ctx: DetectContext): void {
    const layers = d.layers;
    if ((layers & (Layer.icmp | Layer.icmpv6 | Layer.tcp | Layer.udp)) === 0) return;
    if (d.l2Src < 0 || d.l2Dst < 0 || isGroupMac(d.l2Dst)) return;
    if ((layers & (Layer.ipv4 | Layer.ipv6)) === 0) return;
    // Addresses as int32 key words (Smis) for IPv4 and IPv6 alike: a mix of an unsigned double and
    // an int32 would make V8 box the address into a heap number per frame.
    const src = srcKey(d);
    const dst = dstKey(d);
    const flows = this.flows(ctx);
    if ((layers & Layer.icmp) !== 0 || (layers & Layer.icmpv6) !== 0) {
      const v4 = (layers & Layer.icmp) !== 0;
      const type = v4 ? d.icmp.type : d.icmpv6.type;
      const id = v4 ? d.icmp.id : d.icmpv6.id;
      const seq = v4 ? d.icmp.seq : d.icmpv6.seq;
      if (id < 0 || seq < 0) return;
      const proto = v4 ? IpProtocol.icmp : IpProtocol.icmpv6;
      const isRequest = v4 ? type === IcmpType.echoRequest : type === Icmpv6Type.echoRequest;
      const isReply = v4 ? type === IcmpType.echoReply : type === Icmpv6Type.echoReply;
      const idSeq = ((id << 16) | seq) >>> 0;
      const echoes = this.echoes(ctx);
      // Time is set on the tables, key words passed as int32: see FlowTable.now.
      echoes.now = ctx.now;
      flows.now = ctx.now;
      if (isRequest) {
        const s = echoes.upsert(src | 0, dst | 0, idSeq | 0, proto);
        const requestMac = d.l2Dst;
        echoes.setMacWords(s, highWord(requestMac), requestMac | 0);
        return;
      }
      if (!isReply) return;
      const s = echoes.find(dst | 0, src | 0, idSeq | 0, proto);
      if (s < 0) return;
      const flow = flows.upsert(dst | 0, src | 0, id, proto);
      this.judge(d, ctx, echoes, s, flows, flow, dst | 0);
      return;
    }
    const tcp = (layers & Layer.tcp) !== 0;
    const sport = tcp ? d.tcp.srcPort : d.udp.srcPort;
    const dport = tcp ? d.tcp.dstPort : d.udp.dstPort;
    const proto = tcp ? IpProtocol.tcp : IpProtocol.udp;
    flows.now = ctx.now;
    const reverse = flows.find(dst | 0, src | 0, (dport << 16) | sport, proto);
    if (reverse >= 0) {
      flows.touch(reverse);
      this.judge(d, ctx, flows, reverse, flows, reverse, dst | 0);
      return;
    }
    // Client → gateway direction: remember where the client sent it.
    const l2Dst = d.l2Dst;
    const role = ctx.gateways.role(l2Dst);
    if (role < 0 && role !== ANYCAST_MAC) return;
    const s = flows.upsert(src | 0, dst | 0, (sport << 16) | dport, proto);
    flows.setMacWords(s, highWord(l2Dst), l2Dst | 0);
  }

  /**
   * Judges a reply against its request: the request's MAC is read here from
   * its table slot (`requests`, `request`), not passed in, as a 48-bit MAC
   * argument would be boxed into a heap number per call; `client` is the
   * client's address as int32 for the same reason.
   */
  private judge(d: DecodedFrame, ctx: DetectContext, requests: FlowTable, request: number, flows: FlowTable, flow: number, client: number): void {
    if (!requests.hasMac(request)) return;
    const requestMac = joinWords(requests.macHigh(request), requests.macLow(request));
    const gateways = ctx.gateways;
    const replyMac = d.l2Src;
    // One registry lookup per MAC answers both "anycast MAC?" and "which gateway?".
    const replyRole = gateways.role(replyMac);
    const requestRole = gateways.role(requestMac);
    const replyAnycast = replyRole === ANYCAST_MAC;
    const requestAnycast = requestRole === ANYCAST_MAC;
    const requestGw = requestRole < 0 ? -1 : requestRole;
    let replyGw = replyRole < 0 ? -1 : replyRole;
    if ((requestAnycast || requestGw >= 0) && !replyAnycast && replyGw < 0) {
      // Only gateways receive frames sent to the anycast MAC or to a gateway: whoever answers
      // such a request for the far end is routing for it, so it is a gateway too.
      replyGw = gateways.learn(replyMac, requestAnycast ? 'answered-anycast-traffic' : 'answered-gateway-traffic', d.number);
    }
    if (requestGw >= 0 && replyGw >= 0 && requestGw !== replyGw) {
      // Findings are built only when new, in their own methods: no closure context per reply.
      const id = ctx.findings.find(ASYMMETRIC, replyGw + 1, requestGw + 1);
      const f = id >= 0 ? ctx.findings.count(id, d) : ctx.findings.get(this.addAsymmetric(d, ctx, replyGw, requestGw));
      ctx.findings.addClient(f, d.l2Dst);
    }
    if (replyGw < 0) return;
    const previous = flows.gateway(flow);
    flows.setGateway(flow, replyGw);
    if (previous < 0 || previous === replyGw) return;
    const id = ctx.findings.find(SWITCH, 0, client);
    const f = id >= 0 ? ctx.findings.count(id, d) : ctx.findings.get(this.addSwitch(d, ctx, client, replyGw, previous));
    ctx.findings.addClient(f, d.l2Dst);
  }

  private addAsymmetric(d: DecodedFrame, ctx: DetectContext, replyGw: number, requestGw: number): number {
    const v4 = (d.layers & Layer.ipv4) !== 0;
    return ctx.findings.add<AsymmetricReplyEvidence>(replyGw + 1, requestGw + 1, d, {
      kind: ASYMMETRIC,
      severity: 'warning',
      cause: 'wrong-gateway-return',
      gateway: replyGw,
      otherGateway: requestGw,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: d.l2Src,
      evidence: { kind: ASYMMETRIC, exampleClient: v4 ? d.ipv4.dst : -1, exampleServer: v4 ? d.ipv4.src : -1 },
    });
  }

  private addSwitch(d: DecodedFrame, ctx: DetectContext, client: number, replyGw: number, previous: number): number {
    const v4 = (d.layers & Layer.ipv4) !== 0;
    return ctx.findings.add<GatewaySwitchEvidence>(0, client, d, {
      kind: SWITCH,
      severity: 'warning',
      cause: 'flow-moved-gateway',
      gateway: replyGw,
      otherGateway: previous,
      anycastIpv4: -1,
      anycastIpv6: null,
      mac: d.l2Src,
      evidence: { kind: SWITCH, client: v4 ? d.ipv4.dst : -1, server: v4 ? d.ipv4.src : -1 },
    });
  }

  finish(): void {}
}

export const asymmetricReply: DetectorDefinition<
  AsymmetricReplyEvidence | GatewaySwitchEvidence,
  'wrong-gateway-return' | 'flow-moved-gateway',
  AsymmetricReplyDetector
> = {
  id: ASYMMETRIC,
  title: 'Replies from a different gateway than the one the request was sent to; flows that move between gateways',
  docs: 'README.md#asymmetric-reply',
  kinds: [ASYMMETRIC, SWITCH],
  causes: ['wrong-gateway-return', 'flow-moved-gateway'],
  needs: Layer.icmp | Layer.icmpv6 | Layer.tcp | Layer.udp,
  // Live: pings, and TCP connections by their opening (SYN, SYN-ACK), end and reset.
  capture: ['icmp', 'icmp6', 'tcp-flags'],
  // UDP (DNS, QUIC, VPN tunnels) is the bulk of a mesh: in a capture file only.
  notLive: Layer.udp,
  create: () => new AsymmetricReplyDetector(),
  // One gateway-switch finding per client.
  problemKey: (f) => (f.evidence.kind === SWITCH ? String(f.evidence.client) : ''),
  evictions: (d) => d.evictions,
};
