/**
 * The anycast scenario captures in fixtures/scenarios/ (written by
 * `npm run fixtures` through build-fixtures.ts).
 *
 * Each capture mirrors what the real kernel does in the L2 anycast gateway
 * lab (test/lab/FINDINGS.md, the ground truth): the same address plan, the
 * same frame order (a broken gateway's bridge-MAC ARP reply wins the race
 * against the macvlan's, S1), the same ARP sender IPs (S8). Where the lab
 * has no capture (gateway switch, heavy inter-gateway traffic, IPv6), the
 * frames follow the same rules.
 *
 * Every frame carries who sent it and which mesh node received it, so the
 * same scenario can be written as seen on the mesh bridge (Ethernet, the
 * lab's viewpoint), as pcapng, inside an 802.1Q tag, as a `tcpdump -i any`
 * SLL2 capture (each frame on its ingress port and on the bridge), or
 * inside batman-adv packets as seen on a mesh interface.
 *
 * Deterministic: fixed timestamps, fixed addresses, counters instead of
 * randomness. `writeScenarioFixtures` builds everything twice and refuses
 * to write if the two builds differ.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIpv6, linkLocalFromMac, parseMac } from '../src/core/address.js';
import { PcapWriter } from '../src/source/pcap-writer.js';
import type { PcapWriterOptions } from '../src/source/pcap-writer.js';
import {
  ARP_OP,
  DHCP_MESSAGE,
  DHCP_PORT,
  ETHERTYPE,
  ICMP_TYPE,
  ICMPV6_TYPE,
  IP_PROTO,
  LINKTYPE,
  SLL_PKTTYPE,
  TCP_FLAGS,
  arp,
  batadvBroadcast,
  batadvUnicast,
  dhcp,
  ethernet,
  icmpEcho,
  icmpv6Echo,
  ipv4,
  ipv6,
  ipv6MulticastMac,
  neighborAdvert,
  neighborSolicit,
  routerAdvert,
  routerSolicit,
  sll2,
  solicitedNode,
  tcp,
  udp,
} from '../test/support/frame-builder.js';
import type { RouterAdvertOptions } from '../test/support/frame-builder.js';
import { PcapngBuilder } from '../test/support/pcapng-writer.js';

// ------------------------------------------------------------------ address plan (FINDINGS.md)

export const ANYCAST = { IP: '10.172.0.10', MAC: '02:ca:fe:00:00:01', IP6: 'fd00::10' } as const;

/** The host behind the gateways (on acp-inet's lo in the lab). */
export const INET_HOST = '192.0.2.1';

const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO_MAC = '00:00:00:00:00:00';

export type NodeName = 'gw1' | 'gw2' | 'c1' | 'c2' | 'c3' | 'c4';

interface MeshNode {
  /** The unicast MAC the node sends from (a gateway's br-fftr, a client's eth0). */
  mac: string;
  ip: string;
  ip6: string;
  /** Its port on the mesh bridge (SLL2 ifindex) and its batman-adv originator address. */
  port: number;
  orig: string;
}

/** Mesh ports m-gw1, m-gw2, m-c1, m-c2 carry the lab's MACs (…:ee:01, …:ee:02, …:ee:11, …:ee:12) as batman-adv originators. */
export const NODES: Readonly<Record<NodeName, MeshNode>> = {
  gw1: { mac: '02:00:00:00:01:01', ip: '10.172.0.1', ip6: 'fd00::1', port: 111, orig: '02:00:00:00:ee:01' },
  gw2: { mac: '02:00:00:00:02:01', ip: '10.172.0.2', ip6: 'fd00::2', port: 112, orig: '02:00:00:00:ee:02' },
  c1: { mac: '02:00:00:00:0c:01', ip: '10.172.1.1', ip6: 'fd00::1:1', port: 121, orig: '02:00:00:00:ee:11' },
  c2: { mac: '02:00:00:00:0c:02', ip: '10.172.1.2', ip6: 'fd00::1:2', port: 122, orig: '02:00:00:00:ee:12' },
  c3: { mac: '02:00:00:00:0c:03', ip: '10.172.1.3', ip6: 'fd00::1:3', port: 123, orig: '02:00:00:00:ee:13' },
  c4: { mac: '02:00:00:00:0c:04', ip: '10.172.1.4', ip6: 'fd00::1:4', port: 124, orig: '02:00:00:00:ee:14' },
};

/** ifindex of the mesh bridge br-fftr in the `-i any` capture; high, so tcpdump prints no local interface name. */
export const MESH_BRIDGE_IFINDEX = 110;

/** 2023-11-15T01:46:40Z: fixed so the files are identical on every run (a different base than fixtures/*.pcap). */
export const SCENARIO_BASE_SEC = 1_700_012_800;

// ------------------------------------------------------------------ frames

/** An Ethernet frame before encapsulation, with who sent it and which node the mesh delivers it to. */
interface Event {
  /** Microseconds after SCENARIO_BASE_SEC. */
  us: number;
  from: NodeName;
  /** Receiving node, or "all" for a broadcast/multicast. */
  to: NodeName | 'all';
  dst: string;
  src: string;
  type: number;
  payload: Buffer;
}

type L2 = Omit<Event, 'us' | 'from' | 'to'>;

/** A capture being written: a clock in µs and the frames so far. */
class Capture {
  readonly events: Event[] = [];
  private now = 0;
  private ipId = 0x1000;

  /** Jump to `ms` milliseconds after the start (never backwards). */
  at(ms: number): this {
    this.now = Math.max(this.now, Math.round(ms * 1000));
    return this;
  }

  /** Send one frame `gapUs` after the previous one. */
  send(from: NodeName, to: NodeName | 'all', frame: L2, gapUs = 40): this {
    this.now += gapUs;
    this.events.push({ us: this.now, from, to, ...frame });
    return this;
  }

  get nowMs(): number {
    return this.now / 1000;
  }

  nextIpId(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }
}

const PING_PAYLOAD = Buffer.from(Array.from({ length: 56 }, (_, i) => i & 0xff));

function arpRequest(srcMac: string, spa: string, tpa: string): L2 {
  return { dst: BROADCAST, src: srcMac, type: ETHERTYPE.ARP, payload: arp({ op: ARP_OP.REQUEST, sha: srcMac, spa, tha: ZERO_MAC, tpa }) };
}

function arpReply(srcMac: string, spa: string, dstMac: string, tpa: string): L2 {
  return { dst: dstMac, src: srcMac, type: ETHERTYPE.ARP, payload: arp({ op: ARP_OP.REPLY, sha: srcMac, spa, tha: dstMac, tpa }) };
}

function echo(c: Capture, srcMac: string, dstMac: string, srcIp: string, dstIp: string, type: 0 | 8, id: number, seq: number): L2 {
  const payload = ipv4({
    src: srcIp,
    dst: dstIp,
    proto: IP_PROTO.ICMP,
    id: c.nextIpId(),
    flags: 0b010,
    payload: icmpEcho({ type, id, seq, payload: PING_PAYLOAD }),
  });
  return { dst: dstMac, src: srcMac, type: ETHERTYPE.IPV4, payload };
}

interface Segment {
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  len?: number;
}

function tcpFrame(c: Capture, srcMac: string, dstMac: string, srcIp: string, dstIp: string, s: Segment): L2 {
  const payload = ipv4({
    src: srcIp,
    dst: dstIp,
    proto: IP_PROTO.TCP,
    id: c.nextIpId(),
    flags: 0b010,
    payload: tcp({ sport: s.sport, dport: s.dport, seq: s.seq, ack: s.ack, flags: s.flags, payload: Buffer.alloc(s.len ?? 0, 0x61) }),
  });
  return { dst: dstMac, src: srcMac, type: ETHERTYPE.IPV4, payload };
}

function udpFrame(c: Capture, srcMac: string, dstMac: string, srcIp: string, dstIp: string, sport: number, dport: number, len: number): L2 {
  const payload = ipv4({
    src: srcIp,
    dst: dstIp,
    proto: IP_PROTO.UDP,
    id: c.nextIpId(),
    payload: udp({ sport, dport, payload: Buffer.alloc(len, 0x62) }),
  });
  return { dst: dstMac, src: srcMac, type: ETHERTYPE.IPV4, payload };
}

// ------------------------------------------------------------------ conversations

/** How a client reaches a destination and who answers (the MAC the client sends to, the node and MAC the answer comes from). */
interface Path {
  client: NodeName;
  /** MAC the client sends to: the anycast MAC or a gateway's bridge MAC it was pinned to. */
  via: string;
  /** Node the mesh delivers the client's frames to. */
  viaNode: NodeName;
  /** Node and MAC the answers come from. */
  replyNode: NodeName;
  replyMac: string;
  /** Source IP of the answers (the anycast IP when pinging it, the host behind the gateways otherwise). */
  server: string;
}

const PING_INTERVAL_MS = 300;

/**
 * `ping -c count` along a path. `beforeReply(seq)` runs between a request
 * and its reply (a gateway resolving the client first, for example),
 * `afterReply(seq)` right after the reply (a late ARP reply, S1).
 */
function ping(c: Capture, p: Path, id: number, count: number, beforeReply?: (seq: number) => void, afterReply?: (seq: number) => void): void {
  const cl = NODES[p.client];
  let sentMs = 0;
  for (let seq = 1; seq <= count; seq++) {
    if (seq > 1) c.at(sentMs + PING_INTERVAL_MS);
    c.send(p.client, p.viaNode, echo(c, cl.mac, p.via, cl.ip, p.server, ICMP_TYPE.ECHO_REQUEST, id, seq), 60);
    sentMs = c.nowMs;
    beforeReply?.(seq);
    c.send(p.replyNode, p.client, echo(c, p.replyMac, cl.mac, p.server, cl.ip, ICMP_TYPE.ECHO_REPLY, id, seq), 70);
    afterReply?.(seq);
  }
}

/**
 * One short TCP connection along a path: handshake, a request, a two-segment
 * answer, close. Server segments are the ones a reply detector judges.
 */
function tcpSession(c: Capture, p: Path, sport: number, dport: number, answerBytes = 1200): void {
  const cl = NODES[p.client];
  const up = (s: Segment, gap = 300): void => void c.send(p.client, p.viaNode, tcpFrame(c, cl.mac, p.via, cl.ip, p.server, s), gap);
  const down = (s: Segment, gap = 900): void => void c.send(p.replyNode, p.client, tcpFrame(c, p.replyMac, cl.mac, p.server, cl.ip, s), gap);
  const { SYN, ACK, PSH, FIN } = TCP_FLAGS;
  const isn = 0x10000 * sport;
  const rsn = 0x20000 * dport;
  up({ sport, dport, flags: SYN, seq: isn, ack: 0 });
  down({ sport: dport, dport: sport, flags: SYN | ACK, seq: rsn, ack: isn + 1 });
  up({ sport, dport, flags: ACK, seq: isn + 1, ack: rsn + 1 });
  up({ sport, dport, flags: PSH | ACK, seq: isn + 1, ack: rsn + 1, len: 80 }, 60);
  down({ sport: dport, dport: sport, flags: ACK, seq: rsn + 1, ack: isn + 81, len: answerBytes });
  down({ sport: dport, dport: sport, flags: PSH | ACK, seq: rsn + 1 + answerBytes, ack: isn + 81, len: answerBytes }, 30);
  up({ sport, dport, flags: ACK, seq: isn + 81, ack: rsn + 1 + 2 * answerBytes });
  up({ sport, dport, flags: FIN | ACK, seq: isn + 81, ack: rsn + 1 + 2 * answerBytes }, 200);
  down({ sport: dport, dport: sport, flags: FIN | ACK, seq: rsn + 1 + 2 * answerBytes, ack: isn + 82 });
  up({ sport, dport, flags: ACK, seq: isn + 82, ack: rsn + 2 + 2 * answerBytes });
}

/** A UDP query and its answer along a path (a DNS-like exchange). */
function udpExchange(c: Capture, p: Path, sport: number, dport: number): void {
  const cl = NODES[p.client];
  c.send(p.client, p.viaNode, udpFrame(c, cl.mac, p.via, cl.ip, p.server, sport, dport, 40), 500);
  c.send(p.replyNode, p.client, udpFrame(c, p.replyMac, cl.mac, p.server, cl.ip, dport, sport, 120), 800);
}

/** A client's ARP request for the anycast IP, then the replies in `answers` order (who answers, with which MAC). */
function arpForAnycast(c: Capture, client: NodeName, answers: readonly [NodeName, string][]): void {
  const cl = NODES[client];
  c.send(client, 'all', arpRequest(cl.mac, cl.ip, ANYCAST.IP), 40);
  for (const [gw, mac] of answers) c.send(gw, client, arpReply(mac, ANYCAST.IP, cl.mac, cl.ip), 120);
}

/** A gateway resolving a client: `who-has client tell senderIp` from `mac`, and the client's answer to that MAC. */
function gatewayResolves(c: Capture, gw: NodeName, mac: string, senderIp: string, client: NodeName, answerTo: NodeName = gw): void {
  const cl = NODES[client];
  c.send(gw, 'all', arpRequest(mac, senderIp, cl.ip), 90);
  c.send(client, answerTo, arpReply(cl.mac, cl.ip, mac, senderIp), 15);
}

/**
 * The lab's last two steps: gw1 pings gw2's unicast IP, then gw2 pings gw1's
 * (bridge MACs only, S7). `peerArp` runs once, after gw1's first request.
 */
function gatewayPings(c: Capture, startMs: number, peerArp: (c: Capture) => void = () => {}): void {
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  c.at(startMs);
  c.send('gw1', 'all', arpRequest(g1.mac, g1.ip, g2.ip), 0);
  c.send('gw2', 'gw1', arpReply(g2.mac, g2.ip, g1.mac, g1.ip), 40);
  ping(c, { client: 'gw1', via: g2.mac, viaNode: 'gw2', replyNode: 'gw2', replyMac: g2.mac, server: g2.ip }, 0x5a01, 2, (seq) => {
    if (seq === 1) peerArp(c);
  });
  c.at(startMs + 330);
  ping(c, { client: 'gw2', via: g1.mac, viaNode: 'gw1', replyNode: 'gw1', replyMac: g1.mac, server: g1.ip }, 0x5a02, 2);
}

const anycastTo = (client: NodeName, gw: NodeName, server: string, replyMac: string = ANYCAST.MAC): Path => ({
  client,
  via: ANYCAST.MAC,
  viaNode: gw,
  replyNode: gw,
  replyMac,
  server,
});

// ------------------------------------------------------------------ scenarios

/**
 * healthy (arp_filter=1, source route, rp_filter=0): both macvlans answer
 * every ARP request for the anycast IP with the anycast MAC; anycast-IP
 * pings are answered from the anycast MAC after the gateway's
 * `who-has client tell 10.172.0.10`; forwarded traffic is answered from the
 * nearest gateway's bridge MAC after `who-has client tell 10.172.0.N`.
 */
function healthy(): Capture {
  const c = new Capture();
  // c1 → anycast IP (nearest gw1): gw2's reply first, gw1's late (S1).
  arpForAnycast(c, 'c1', [['gw2', ANYCAST.MAC]]);
  // gw1's own reply comes last, after it handled the echo request (S1).
  ping(
    c,
    anycastTo('c1', 'gw1', ANYCAST.IP),
    0x1579,
    2,
    (seq) => {
      if (seq === 1) gatewayResolves(c, 'gw1', ANYCAST.MAC, ANYCAST.IP, 'c1');
    },
    (seq) => {
      if (seq === 1) c.send('gw1', 'c1', arpReply(ANYCAST.MAC, ANYCAST.IP, NODES.c1.mac, NODES.c1.ip), 130);
    },
  );
  // c2 → anycast IP (nearest gw2): gw2 already knows c2 from the broadcast request.
  c.at(320);
  arpForAnycast(c, 'c2', [['gw1', ANYCAST.MAC]]);
  ping(c, anycastTo('c2', 'gw2', ANYCAST.IP), 0x157a, 2, undefined, (seq) => {
    if (seq === 1) c.send('gw2', 'c2', arpReply(ANYCAST.MAC, ANYCAST.IP, NODES.c2.mac, NODES.c2.ip), 13);
  });
  // Forwarded pings: replies from the nearest gateway's bridge MAC after its own ARP.
  c.at(700);
  ping(c, anycastTo('c1', 'gw1', INET_HOST, NODES.gw1.mac), 0x157b, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw1', NODES.gw1.mac, NODES.gw1.ip, 'c1');
  });
  c.at(1400);
  ping(c, anycastTo('c2', 'gw2', INET_HOST, NODES.gw2.mac), 0x157c, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw2', NODES.gw2.mac, NODES.gw2.ip, 'c2');
  });
  // TCP and UDP through the gateways the same way.
  c.at(2100);
  tcpSession(c, anycastTo('c1', 'gw1', INET_HOST, NODES.gw1.mac), 40001, 443);
  udpExchange(c, anycastTo('c2', 'gw2', INET_HOST, NODES.gw2.mac), 50001, 53);
  tcpSession(c, anycastTo('c2', 'gw2', INET_HOST, NODES.gw2.mac), 40002, 80);
  udpExchange(c, anycastTo('c1', 'gw1', INET_HOST, NODES.gw1.mac), 50002, 53);
  gatewayPings(c, 2300);
  return c;
}

/** healthy-forwarded: four clients, two per gateway, lots of TCP/UDP to the host behind the gateways; each client always through its nearest gateway. */
function healthyForwarded(): Capture {
  const c = new Capture();
  const nearest: Record<string, NodeName> = { c1: 'gw1', c2: 'gw2', c3: 'gw1', c4: 'gw2' };
  const clients: NodeName[] = ['c1', 'c2', 'c3', 'c4'];
  for (const cl of clients) {
    const near = nearest[cl]!;
    const far: NodeName = near === 'gw1' ? 'gw2' : 'gw1';
    arpForAnycast(c, cl, [
      [far, ANYCAST.MAC],
      [near, ANYCAST.MAC],
    ]);
  }
  const path = (cl: NodeName): Path => anycastTo(cl, nearest[cl]!, INET_HOST, NODES[nearest[cl]!].mac);
  // First forwarded packet of each client: its gateway resolves it from the bridge MAC.
  for (const cl of clients) {
    const p = path(cl);
    const n = NODES[cl];
    c.send(cl, p.viaNode, udpFrame(c, n.mac, ANYCAST.MAC, n.ip, INET_HOST, 51000, 53, 40), 2000);
    gatewayResolves(c, p.replyNode, p.replyMac, NODES[p.replyNode].ip, cl);
    c.send(p.replyNode, cl, udpFrame(c, p.replyMac, n.mac, INET_HOST, n.ip, 53, 51000, 120), 30);
  }
  for (let round = 0; round < 6; round++) {
    for (const [k, cl] of clients.entries()) {
      tcpSession(c, path(cl), 41000 + round * 10 + k, round % 2 === 0 ? 443 : 80, 900 + 100 * k);
      udpExchange(c, path(cl), 52000 + round * 10 + k, 53);
      udpExchange(c, path(cl), 53000 + round * 10 + k, 123);
    }
  }
  return c;
}

/**
 * arp-filter-off-one (gw1 arp_filter=0): gw1's br-fftr answers ARP for the
 * anycast IP with its bridge MAC, first, to every client; then both
 * macvlans answer with the anycast MAC. The gateway's own request
 * `tell 10.172.0.10` from the anycast MAC moves the client back (S2).
 */
function arpFilterOffOne(): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  for (const [k, cl] of (['c1', 'c2'] as const).entries()) {
    const near: NodeName = k === 0 ? 'gw1' : 'gw2';
    c.at(k * 340);
    arpForAnycast(c, cl, [['gw1', g1.mac]]);
    ping(c, { client: cl, via: g1.mac, viaNode: 'gw1', replyNode: 'gw1', replyMac: ANYCAST.MAC, server: ANYCAST.IP }, 0x1690 + k, 1, () => {
      gatewayResolves(c, 'gw1', ANYCAST.MAC, ANYCAST.IP, cl, near);
    });
    c.send('gw1', cl, arpReply(ANYCAST.MAC, ANYCAST.IP, NODES[cl].mac, NODES[cl].ip), 20);
    c.send('gw2', cl, arpReply(ANYCAST.MAC, ANYCAST.IP, NODES[cl].mac, NODES[cl].ip), 4);
    c.at(k * 340 + 320);
    // seq 2 goes to the anycast MAC: the request from the anycast MAC overrode the cache entry.
    const seq2 = anycastTo(cl, near, ANYCAST.IP);
    const n = NODES[cl];
    c.send(cl, near, echo(c, n.mac, ANYCAST.MAC, n.ip, ANYCAST.IP, ICMP_TYPE.ECHO_REQUEST, 0x1690 + k, 2), 0);
    c.send(seq2.replyNode, cl, echo(c, ANYCAST.MAC, n.mac, ANYCAST.IP, n.ip, ICMP_TYPE.ECHO_REPLY, 0x1690 + k, 2), 70);
  }
  // Forwarded: gw1 already knows c1 (its bridge answered c1), gw2 resolves c2 first.
  c.at(700);
  ping(c, anycastTo('c1', 'gw1', INET_HOST, g1.mac), 0x1699, 2);
  c.at(1400);
  ping(c, anycastTo('c2', 'gw2', INET_HOST, NODES.gw2.mac), 0x169a, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw2', NODES.gw2.mac, NODES.gw2.ip, 'c2');
  });
  gatewayPings(c, 2100);
  return c;
}

/**
 * arp-filter-off-both: both bridges answer with their bridge MACs (gw2
 * first in the lab), then both macvlans; each macvlan also answers for its
 * gateway's unicast IP with the anycast MAC.
 */
function arpFilterOffBoth(): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  for (const [k, cl] of (['c1', 'c2'] as const).entries()) {
    const near: NodeName = k === 0 ? 'gw1' : 'gw2';
    const n = NODES[cl];
    c.at(k * 340);
    arpForAnycast(c, cl, [
      ['gw2', g2.mac],
      ['gw1', g1.mac],
    ]);
    // The first reply (gw2's bridge) wins: the echo request goes to gw2's MAC, gw2's macvlan answers.
    ping(c, { client: cl, via: g2.mac, viaNode: 'gw2', replyNode: 'gw2', replyMac: ANYCAST.MAC, server: ANYCAST.IP }, 0x179e + k, 1, () => {
      gatewayResolves(c, 'gw2', ANYCAST.MAC, ANYCAST.IP, cl, near);
    });
    c.send('gw2', cl, arpReply(ANYCAST.MAC, ANYCAST.IP, n.mac, n.ip), 12);
    c.send('gw1', cl, arpReply(ANYCAST.MAC, ANYCAST.IP, n.mac, n.ip), 180);
    c.at(k * 340 + 310);
    c.send(cl, near, echo(c, n.mac, ANYCAST.MAC, n.ip, ANYCAST.IP, ICMP_TYPE.ECHO_REQUEST, 0x179e + k, 2), 0);
    c.send(near, cl, echo(c, ANYCAST.MAC, n.mac, ANYCAST.IP, n.ip, ICMP_TYPE.ECHO_REPLY, 0x179e + k, 2), 130);
  }
  // Forwarded: both gateways already know their clients from the requests they answered.
  c.at(700);
  ping(c, anycastTo('c1', 'gw1', INET_HOST, g1.mac), 0x17a0, 2);
  c.at(1400);
  ping(c, anycastTo('c2', 'gw2', INET_HOST, g2.mac), 0x17a1, 2);
  // gw1 → gw2: gw2's bridge answers first, then gw2's macvlan claims 10.172.0.2 with the anycast MAC.
  gatewayPings(c, 2100, (cap) => void cap.send('gw2', 'gw1', arpReply(ANYCAST.MAC, g2.ip, g1.mac, g1.ip), 30));
  return c;
}

/**
 * no-source-route (the ip rule is missing on gw1): gw1's bridge answers ARP
 * for the anycast IP and sends echo replies from 10.172.0.10 with its
 * bridge MAC; gw1 never sends from the anycast MAC. gw2's macvlan answers
 * later and is ignored (S2). Both clients end up on gw1; c2's forwarded
 * replies come back through gw2 (the inet host routes 10.172.1.2 via gw2).
 */
function noSourceRoute(): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  for (const [k, cl] of (['c1', 'c2'] as const).entries()) {
    c.at(k * 350);
    arpForAnycast(c, cl, [['gw1', g1.mac]]);
    // gw2's anycast reply arrives after gw1's echo reply (S1); the client keeps the bridge MAC (S2).
    ping(c, { client: cl, via: g1.mac, viaNode: 'gw1', replyNode: 'gw1', replyMac: g1.mac, server: ANYCAST.IP }, 0x18d4 + k, 2, undefined, (seq) => {
      if (seq === 1) c.send('gw2', cl, arpReply(ANYCAST.MAC, ANYCAST.IP, NODES[cl].mac, NODES[cl].ip), 150);
    });
  }
  c.at(700);
  ping(c, { client: 'c1', via: g1.mac, viaNode: 'gw1', replyNode: 'gw1', replyMac: g1.mac, server: INET_HOST }, 0x18d6, 2);
  c.at(1020);
  ping(c, { client: 'c2', via: g1.mac, viaNode: 'gw1', replyNode: 'gw2', replyMac: g2.mac, server: INET_HOST }, 0x18d7, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw2', g2.mac, g2.ip, 'c2');
  });
  gatewayPings(c, 1330);
  return c;
}

/**
 * wrong-gateway: gw1 has arp_filter off, so its bridge answers c2 (whose
 * nearest gateway is gw2) first and pins c2 to gw1's MAC. c2 only sends
 * forwarded traffic, so no request from the anycast MAC moves it back. gw1
 * forwards it; the inet host routes 10.172.1.2 back via gw2, which resolves
 * c2 and answers from its own bridge MAC.
 */
function wrongGateway(): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  arpForAnycast(c, 'c2', [
    ['gw1', g1.mac],
    ['gw2', ANYCAST.MAC],
    ['gw1', ANYCAST.MAC],
  ]);
  const pinned: Path = { client: 'c2', via: g1.mac, viaNode: 'gw1', replyNode: 'gw2', replyMac: g2.mac, server: INET_HOST };
  c.at(20);
  ping(c, pinned, 0x19a0, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw2', g2.mac, g2.ip, 'c2');
  });
  c.at(700);
  tcpSession(c, pinned, 42001, 443);
  gatewayPings(c, 1400);
  return c;
}

type TcpStep = (gw: NodeName, s: Omit<Segment, 'sport' | 'dport'>, gap?: number) => void;

/**
 * c1's TCP connection from `sport` to the host behind the gateways, port 443:
 * `up` sends to the anycast MAC (the mesh delivers it to `gw`), `down`
 * answers from `gw`'s bridge MAC (forwarded replies, S6).
 */
function anycastTcp(c: Capture, sport: number): { up: TcpStep; down: TcpStep } {
  const n = NODES.c1;
  return {
    up: (gw, s, gap = 200) => void c.send('c1', gw, tcpFrame(c, n.mac, ANYCAST.MAC, n.ip, INET_HOST, { sport, dport: 443, ...s }), gap),
    down: (gw, s, gap = 800) => void c.send(gw, 'c1', tcpFrame(c, NODES[gw].mac, n.mac, INET_HOST, n.ip, { sport: 443, dport: sport, ...s }), gap),
  };
}

/**
 * gateway-switch: healthy ARP, then c1's ping and a TCP connection to the
 * host behind the gateways, both sent to the anycast MAC. Half-way the mesh
 * changes c1's nearest gateway (and the uplink its return route): gw2
 * resolves c1 from its bridge MAC and answers from then on. Every request
 * went to the anycast MAC, so nothing is asymmetric: the flows moved.
 */
function gatewaySwitch(): Capture {
  const c = new Capture();
  const n = NODES.c1;
  arpForAnycast(c, 'c1', [
    ['gw1', ANYCAST.MAC],
    ['gw2', ANYCAST.MAC],
  ]);
  c.at(10);
  const id = 0x1a01;
  const { SYN, ACK, PSH } = TCP_FLAGS;
  const { up, down } = anycastTcp(c, 43001);
  const pingOnce = (gw: NodeName, seq: number, resolve: boolean): void => {
    c.send('c1', gw, echo(c, n.mac, ANYCAST.MAC, n.ip, INET_HOST, ICMP_TYPE.ECHO_REQUEST, id, seq), 300);
    if (resolve) gatewayResolves(c, gw, NODES[gw].mac, NODES[gw].ip, 'c1');
    c.send(gw, 'c1', echo(c, NODES[gw].mac, n.mac, INET_HOST, n.ip, ICMP_TYPE.ECHO_REPLY, id, seq), 70);
  };
  pingOnce('gw1', 1, true);
  up('gw1', { flags: SYN, seq: 1000, ack: 0 });
  down('gw1', { flags: SYN | ACK, seq: 5000, ack: 1001 });
  up('gw1', { flags: ACK, seq: 1001, ack: 5001 });
  let mySeq = 1001;
  let theirSeq = 5001;
  for (let i = 0; i < 3; i++) {
    c.at(1000 * (i + 1));
    pingOnce('gw1', i + 2, false);
    up('gw1', { flags: PSH | ACK, seq: mySeq, ack: theirSeq, len: 100 });
    mySeq += 100;
    down('gw1', { flags: PSH | ACK, seq: theirSeq, ack: mySeq, len: 600 });
    theirSeq += 600;
  }
  // The switch: c1's frames now reach gw2, which resolves c1 and answers from its bridge MAC.
  for (let i = 3; i < 6; i++) {
    c.at(1000 * (i + 1));
    pingOnce('gw2', i + 2, i === 3);
    up('gw2', { flags: PSH | ACK, seq: mySeq, ack: theirSeq, len: 100 });
    mySeq += 100;
    down('gw2', { flags: PSH | ACK, seq: theirSeq, ack: mySeq, len: 600 });
    theirSeq += 600;
  }
  return c;
}

/**
 * moved-connection-nat: c1's TCP connection to the host behind the gateways,
 * sent to the anycast MAC and answered through gw1 (masquerade on gw1's
 * uplink). Half-way the mesh moves c1 to gw2: gw2 has no translation for the
 * connection, masquerades c1's next segment with its own address, and the
 * server, which knows no such connection, resets it; the reset comes back
 * from gw2's bridge MAC. The client gives up.
 */
function movedConnectionNat(): Capture {
  const c = new Capture();
  arpForAnycast(c, 'c1', [
    ['gw1', ANYCAST.MAC],
    ['gw2', ANYCAST.MAC],
  ]);
  c.at(10);
  const { SYN, ACK, PSH, RST } = TCP_FLAGS;
  const { up, down } = anycastTcp(c, 45001);
  up('gw1', { flags: SYN, seq: 1000, ack: 0 });
  gatewayResolves(c, 'gw1', NODES.gw1.mac, NODES.gw1.ip, 'c1');
  down('gw1', { flags: SYN | ACK, seq: 5000, ack: 1001 });
  up('gw1', { flags: ACK, seq: 1001, ack: 5001 });
  let mySeq = 1001;
  let theirSeq = 5001;
  for (let i = 0; i < 2; i++) {
    c.at(1000 * (i + 1));
    up('gw1', { flags: PSH | ACK, seq: mySeq, ack: theirSeq, len: 100 });
    mySeq += 100;
    down('gw1', { flags: PSH | ACK, seq: theirSeq, ack: mySeq, len: 600 });
    theirSeq += 600;
  }
  // The move: c1's next segment reaches gw2; gw2 resolves c1 and passes the server's reset on.
  c.at(3000);
  up('gw2', { flags: PSH | ACK, seq: mySeq, ack: theirSeq, len: 100 });
  gatewayResolves(c, 'gw2', NODES.gw2.mac, NODES.gw2.ip, 'c1');
  down('gw2', { flags: RST, seq: theirSeq, ack: 0 });
  return c;
}

/**
 * moved-connection-dropped: both gateways answer ARP for the anycast IP from
 * their bridges (arp_filter off). c1 learns gw1's bridge MAC and opens a TCP
 * connection through it, answered by gw1. c1's entry expires; this time gw2's
 * bridge answers first, and c1 sends the connection's next segment to gw2's
 * MAC. gw2's firewall accepts replies only for connections it saw begin
 * (ESTABLISHED,RELATED; nf_conntrack_tcp_loose=0): nothing comes back, c1
 * sends the segment again three times (0.2, 0.4, 0.8 s), then silence.
 */
function movedConnectionDropped(): Capture {
  const c = new Capture();
  const n = NODES.c1;
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  arpForAnycast(c, 'c1', [
    ['gw1', g1.mac],
    ['gw1', ANYCAST.MAC],
    ['gw2', ANYCAST.MAC],
  ]);
  c.at(10);
  const { SYN, ACK, PSH } = TCP_FLAGS;
  const sport = 46001;
  const up = (via: NodeName, s: Omit<Segment, 'sport' | 'dport'>, gap = 200): void =>
    void c.send('c1', via, tcpFrame(c, n.mac, NODES[via].mac, n.ip, INET_HOST, { sport, dport: 443, ...s }), gap);
  const down = (s: Omit<Segment, 'sport' | 'dport'>, gap = 800): void =>
    void c.send('gw1', 'c1', tcpFrame(c, g1.mac, n.mac, INET_HOST, n.ip, { sport: 443, dport: sport, ...s }), gap);
  up('gw1', { flags: SYN, seq: 7000, ack: 0 });
  gatewayResolves(c, 'gw1', g1.mac, g1.ip, 'c1');
  down({ flags: SYN | ACK, seq: 9000, ack: 7001 });
  up('gw1', { flags: ACK, seq: 7001, ack: 9001 });
  up('gw1', { flags: PSH | ACK, seq: 7001, ack: 9001, len: 120 });
  down({ flags: PSH | ACK, seq: 9001, ack: 7121, len: 900 });
  // c1's entry for the anycast IP expires: gw2's bridge answers first this time.
  c.at(30_000);
  arpForAnycast(c, 'c1', [
    ['gw2', g2.mac],
    ['gw1', ANYCAST.MAC],
    ['gw2', ANYCAST.MAC],
  ]);
  c.at(30_100);
  up('gw2', { flags: PSH | ACK, seq: 7121, ack: 9901, len: 120 });
  for (const ms of [30_300, 30_700, 31_500]) {
    c.at(ms);
    up('gw2', { flags: PSH | ACK, seq: 7121, ack: 9901, len: 120 });
  }
  gatewayPings(c, 34_000);
  return c;
}

/**
 * inter-gateway: a healthy mesh (both clients forward through their nearest
 * gateway), plus a bulk TCP transfer from gw1 to gw2 between their unicast
 * addresses: 160 full-size segments and 160 ACKs, far above 5 % of all bytes.
 */
function interGateway(): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  const g2 = NODES.gw2;
  arpForAnycast(c, 'c1', [
    ['gw2', ANYCAST.MAC],
    ['gw1', ANYCAST.MAC],
  ]);
  arpForAnycast(c, 'c2', [
    ['gw1', ANYCAST.MAC],
    ['gw2', ANYCAST.MAC],
  ]);
  c.at(100);
  ping(c, anycastTo('c1', 'gw1', INET_HOST, g1.mac), 0x1b01, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw1', g1.mac, g1.ip, 'c1');
  });
  ping(c, anycastTo('c2', 'gw2', INET_HOST, g2.mac), 0x1b02, 2, (seq) => {
    if (seq === 1) gatewayResolves(c, 'gw2', g2.mac, g2.ip, 'c2');
  });
  c.at(1000);
  c.send('gw1', 'all', arpRequest(g1.mac, g1.ip, g2.ip), 0);
  c.send('gw2', 'gw1', arpReply(g2.mac, g2.ip, g1.mac, g1.ip), 40);
  const { SYN, ACK, PSH } = TCP_FLAGS;
  const sport = 44001;
  const dport = 873; // rsync between the gateways
  const seg = (from: 'gw1' | 'gw2', s: Omit<Segment, 'sport' | 'dport'>, gap: number): void => {
    const a = from === 'gw1' ? g1 : g2;
    const b = from === 'gw1' ? g2 : g1;
    const ports = from === 'gw1' ? { sport, dport } : { sport: dport, dport: sport };
    c.send(from, from === 'gw1' ? 'gw2' : 'gw1', tcpFrame(c, a.mac, b.mac, a.ip, b.ip, { ...ports, ...s }), gap);
  };
  seg('gw1', { flags: SYN, seq: 7000, ack: 0 }, 100);
  seg('gw2', { flags: SYN | ACK, seq: 9000, ack: 7001 }, 60);
  seg('gw1', { flags: ACK, seq: 7001, ack: 9001 }, 60);
  let seq = 7001;
  for (let i = 0; i < 160; i++) {
    seg('gw1', { flags: PSH | ACK, seq, ack: 9001, len: 1448 }, 120);
    seq += 1448;
    seg('gw2', { flags: ACK, seq: 9001, ack: seq }, 40);
  }
  // Clients keep working meanwhile.
  c.at(2000);
  udpExchange(c, anycastTo('c1', 'gw1', INET_HOST, g1.mac), 50101, 53);
  udpExchange(c, anycastTo('c2', 'gw2', INET_HOST, g2.mac), 50102, 53);
  return c;
}

/**
 * unicast-neighbor-advert (IPv6, anycast fd00::10): a client's neighbor
 * solicitation for the anycast address is answered first by gw1's bridge
 * (TLLA = its bridge MAC), then by both macvlans (TLLA = the anycast MAC).
 * The client pings fd00::10 through gw1's MAC; the echo reply comes from the
 * anycast MAC (as with IPv4 arp_filter off, the reply uses the macvlan).
 */
function unicastNeighborAdvert(override: boolean): Capture {
  const c = new Capture();
  const g1 = NODES.gw1;
  const group = solicitedNode(ANYCAST.IP6);
  for (const [k, cl] of (['c1', 'c2'] as const).entries()) {
    const n = NODES[cl];
    const near: NodeName = k === 0 ? 'gw1' : 'gw2';
    c.at(k * 400);
    c.send(cl, 'all', {
      dst: ipv6MulticastMac(group),
      src: n.mac,
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: n.ip6, dst: group, next: IP_PROTO.ICMPV6, hlim: 255, payload: neighborSolicit({ target: ANYCAST.IP6, slla: n.mac }) }),
    });
    const na = (from: NodeName, mac: string, gap: number, override = true): void =>
      void c.send(
        from,
        cl,
        {
          dst: n.mac,
          src: mac,
          type: ETHERTYPE.IPV6,
          payload: ipv6({
            src: ANYCAST.IP6,
            dst: n.ip6,
            next: IP_PROTO.ICMPV6,
            hlim: 255,
            payload: neighborAdvert({ target: ANYCAST.IP6, flags: { router: true, solicited: true, override }, tlla: mac }),
          }),
        },
        gap,
      );
    // The bridge's answer: the kernel's own (address on br-fftr, override set) or proxy NDP's (override clear).
    na('gw1', g1.mac, 60, override);
    na(near === 'gw1' ? 'gw2' : 'gw1', ANYCAST.MAC, 120);
    na(near, ANYCAST.MAC, 150);
    for (let seq = 1; seq <= 2; seq++) {
      c.at(k * 400 + seq * 100);
      c.send(
        cl,
        'gw1',
        {
          dst: g1.mac,
          src: n.mac,
          type: ETHERTYPE.IPV6,
          payload: ipv6({
            src: n.ip6,
            dst: ANYCAST.IP6,
            next: IP_PROTO.ICMPV6,
            payload: icmpv6Echo({ type: ICMPV6_TYPE.ECHO_REQUEST, id: 0x1c01 + k, seq, payload: PING_PAYLOAD }),
          }),
        },
        0,
      );
      c.send(
        'gw1',
        cl,
        {
          dst: n.mac,
          src: ANYCAST.MAC,
          type: ETHERTYPE.IPV6,
          payload: ipv6({
            src: ANYCAST.IP6,
            dst: n.ip6,
            next: IP_PROTO.ICMPV6,
            payload: icmpv6Echo({ type: ICMPV6_TYPE.ECHO_REPLY, id: 0x1c01 + k, seq, payload: PING_PAYLOAD }),
          }),
        },
        80,
      );
    }
  }
  return c;
}

// ------------------------------------------------------------------ router advertisements

/** The link-local of an interface with this MAC (EUI-64): the anycast interface's is the same on every gateway. */
function linkLocal(mac: string): string {
  return formatIpv6(linkLocalFromMac(parseMac(mac), new Uint32Array(4)));
}

const ALL_NODES = 'ff02::1';
const ALL_ROUTERS = 'ff02::2';

/** What BIRD's protocol radv on every gateway says: the mesh prefix, the anycast address as DNS server, MTU 1280. */
const RA_SETTINGS: RouterAdvertOptions = {
  hopLimit: 64,
  lifetime: 1800,
  prefix: { prefix: 'fd00::', length: 64, validLifetime: 86400, preferredLifetime: 14400 },
  rdnss: { lifetime: 1200, addrs: [ANYCAST.IP6] },
  mtu: 1280,
};

/** An RA from `mac` and its link-local (or `src`), to all nodes (or to one client's address, solicited). */
function ra(mac: string, settings: RouterAdvertOptions, to?: NodeName, src: string = linkLocal(mac)): L2 {
  const dst = to === undefined ? { mac: ipv6MulticastMac(ALL_NODES), ip: ALL_NODES } : { mac: NODES[to].mac, ip: linkLocal(NODES[to].mac) };
  return {
    dst: dst.mac,
    src: mac,
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src, dst: dst.ip, next: IP_PROTO.ICMPV6, hlim: 255, payload: routerAdvert({ ...settings, slla: mac }) }),
  };
}

/** A client's router solicitation to all routers. */
function rs(client: NodeName): L2 {
  const n = NODES[client];
  return {
    dst: ipv6MulticastMac(ALL_ROUTERS),
    src: n.mac,
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src: linkLocal(n.mac), dst: ALL_ROUTERS, next: IP_PROTO.ICMPV6, hlim: 255, payload: routerSolicit({ slla: n.mac }) }),
  };
}

/**
 * The IPv4 side of a healthy mesh, so the anycast address can be inferred:
 * c1's ARP for the anycast IP answered by both macvlans, and each gateway
 * resolving a client from its own address (which names it).
 */
function healthyArp(c: Capture): void {
  arpForAnycast(c, 'c1', [
    ['gw2', ANYCAST.MAC],
    ['gw1', ANYCAST.MAC],
  ]);
  gatewayResolves(c, 'gw1', NODES.gw1.mac, NODES.gw1.ip, 'c1');
  gatewayResolves(c, 'gw2', NODES.gw2.mac, NODES.gw2.ip, 'c2');
}

/**
 * Router advertisements as the gateways send them every few minutes (here
 * every 200 ms), gw1 then gw2, from the anycast MAC and link-local; a
 * client's solicitation answered by its nearest gateway in between.
 * `gw2Settings` is what gw2 says (the same as gw1 when healthy); `bridgeRa`
 * adds gw1's radv on br-fftr (its bridge MAC and link-local), periodic and
 * solicited; `gw2LinkLocal` is the link-local of gw2's anycast interface
 * when it is not the one derived from the anycast MAC.
 */
function routerAdverts(gw2Settings: RouterAdvertOptions, bridgeRa: boolean, gw2LinkLocal?: string): Capture {
  const c = new Capture();
  healthyArp(c);
  for (let round = 0; round < 2; round++) {
    c.at(200 + round * 200);
    c.send('gw1', 'all', ra(ANYCAST.MAC, RA_SETTINGS), 0);
    c.send('gw2', 'all', ra(ANYCAST.MAC, gw2Settings, undefined, gw2LinkLocal), 900);
    if (bridgeRa && round === 0) c.send('gw1', 'all', ra(NODES.gw1.mac, RA_SETTINGS), 700);
  }
  c.at(700);
  c.send('c1', 'all', rs('c1'), 0);
  c.send('gw1', 'c1', ra(ANYCAST.MAC, RA_SETTINGS, 'c1'), 350);
  if (bridgeRa) c.send('gw1', 'c1', ra(NODES.gw1.mac, RA_SETTINGS, 'c1'), 40);
  return c;
}

/** What a gateway's DHCP server hands out (isc-dhcp-server's `option routers` and `option domain-name-servers`). */
interface DhcpServerConfig {
  routers: readonly string[];
  dns: readonly string[];
}

/** The resolvers a gateway handed out before anycast: its own address and two outside the mesh (FIELD.md). */
const OLD_RESOLVERS = (gw: NodeName): string[] => [NODES[gw].ip, '192.0.2.53', '192.0.2.54'];

/** The recipe's DHCP configuration: the anycast IP as router and DNS server. */
const ANYCAST_DHCP: DhcpServerConfig = { routers: [ANYCAST.IP], dns: [ANYCAST.IP] };

/**
 * A client's lease from its gateway: DISCOVER, OFFER, REQUEST, ACK. With
 * batman-adv in gateway mode the client's DHCP broadcasts reach only the
 * gateway its node selected (as unicast through the mesh), so one server
 * answers; it replies from its bridge MAC with its own address as server
 * identifier, each gateway from its own range.
 */
function dhcpLease(c: Capture, client: NodeName, gw: NodeName, config: DhcpServerConfig, xid: number): void {
  const cl = NODES[client];
  const g = NODES[gw];
  const fromClient = (type: number, extra: { serverId?: string } = {}): L2 => ({
    dst: BROADCAST,
    src: cl.mac,
    type: ETHERTYPE.IPV4,
    payload: ipv4({
      src: '0.0.0.0',
      dst: '255.255.255.255',
      proto: IP_PROTO.UDP,
      id: c.nextIpId(),
      ttl: 64,
      payload: udp({ sport: DHCP_PORT.CLIENT, dport: DHCP_PORT.SERVER, payload: dhcp({ type, xid, chaddr: cl.mac, ...extra }) }),
    }),
  });
  const fromServer = (type: number): L2 => ({
    dst: cl.mac,
    src: g.mac,
    type: ETHERTYPE.IPV4,
    payload: ipv4({
      src: g.ip,
      dst: cl.ip,
      proto: IP_PROTO.UDP,
      id: c.nextIpId(),
      payload: udp({
        sport: DHCP_PORT.SERVER,
        dport: DHCP_PORT.CLIENT,
        payload: dhcp({
          type,
          xid,
          chaddr: cl.mac,
          yiaddr: cl.ip,
          serverId: g.ip,
          leaseTime: 600,
          subnetMask: '255.255.0.0',
          routers: config.routers,
          dns: config.dns,
        }),
      }),
    }),
  });
  c.send(client, gw, fromClient(DHCP_MESSAGE.DISCOVER), 100);
  c.send(gw, client, fromServer(DHCP_MESSAGE.OFFER), 2200);
  c.send(client, gw, fromClient(DHCP_MESSAGE.REQUEST, { serverId: g.ip }), 400);
  c.send(gw, client, fromServer(DHCP_MESSAGE.ACK), 1800);
}

/**
 * After their leases: c1 and c2 each resolve the router they were given and
 * ping the host behind it. A client told the anycast IP asks for it and gets
 * the anycast MAC from both macvlans; its pings, sent to the anycast MAC,
 * are answered from its gateway's bridge MAC after that gateway resolves it.
 * A client told gw1's own address resolves that instead and pings through
 * gw1's bridge MAC, bypassing the anycast MAC.
 */
function afterLeases(c: Capture, routers: Readonly<Record<'c1' | 'c2', string>>): void {
  const nearest = { c1: 'gw1', c2: 'gw2' } as const;
  for (const [k, cl] of (['c1', 'c2'] as const).entries()) {
    const near = nearest[cl];
    const far: NodeName = near === 'gw1' ? 'gw2' : 'gw1';
    c.at(400 + k * 300);
    if (routers[cl] === ANYCAST.IP) {
      arpForAnycast(c, cl, [
        [far, ANYCAST.MAC],
        [near, ANYCAST.MAC],
      ]);
      ping(c, anycastTo(cl, near, INET_HOST, NODES[near].mac), 0x1d01 + k, 2, (seq) => {
        if (seq === 1) gatewayResolves(c, near, NODES[near].mac, NODES[near].ip, cl);
      });
    } else {
      const gw = routers[cl] === NODES.gw1.ip ? 'gw1' : 'gw2';
      const n = NODES[cl];
      c.send(cl, 'all', arpRequest(n.mac, n.ip, routers[cl]), 40);
      c.send(gw, cl, arpReply(NODES[gw].mac, NODES[gw].ip, n.mac, n.ip), 90);
      ping(c, { client: cl, via: NODES[gw].mac, viaNode: gw, replyNode: gw, replyMac: NODES[gw].mac, server: INET_HOST }, 0x1d01 + k, 2);
    }
  }
}

/**
 * dhcp-router-unicast: gw1's DHCP server still has the configuration from
 * before anycast (router = its own address, its own address and two outside
 * resolvers as DNS); gw2's names the anycast IP. c1 (nearest gw1) is told
 * 10.172.0.1 and sends everything to gw1's bridge MAC; c2 uses the anycast
 * MAC.
 */
function dhcpRouterUnicast(): Capture {
  const c = new Capture();
  dhcpLease(c, 'c1', 'gw1', { routers: [NODES.gw1.ip], dns: OLD_RESOLVERS('gw1') }, 0x0d4c0001);
  c.at(150);
  dhcpLease(c, 'c2', 'gw2', ANYCAST_DHCP, 0x0d4c0002);
  afterLeases(c, { c1: NODES.gw1.ip, c2: ANYCAST.IP });
  return c;
}

/** dhcp-healthy: the near miss — both gateways' DHCP servers name the anycast IP as router and DNS server. */
function dhcpHealthy(): Capture {
  const c = new Capture();
  dhcpLease(c, 'c1', 'gw1', ANYCAST_DHCP, 0x0d4c0011);
  c.at(150);
  dhcpLease(c, 'c2', 'gw2', ANYCAST_DHCP, 0x0d4c0012);
  afterLeases(c, { c1: ANYCAST.IP, c2: ANYCAST.IP });
  return c;
}

// ------------------------------------------------------------------ encapsulations

interface Frame {
  tsSec: number;
  tsNsec: number;
  data: Buffer;
}

function time(us: number): { tsSec: number; tsNsec: number } {
  return { tsSec: SCENARIO_BASE_SEC + Math.floor(us / 1e6), tsNsec: (us % 1e6) * 1000 };
}

function sorted(c: Capture): Event[] {
  // Stable by time: helpers may insert a late frame out of order.
  return c.events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.us - b.e.us || a.i - b.i)
    .map((x) => x.e);
}

function asEthernet(e: Event, vlanId?: number): Buffer {
  return ethernet({
    dst: e.dst,
    src: e.src,
    type: e.type,
    payload: e.payload,
    padTo60: false,
    ...(vlanId === undefined ? {} : { vlans: [{ tpid: ETHERTYPE.VLAN, id: vlanId }] }),
  });
}

/** As captured on the mesh bridge (the lab's viewpoint): each frame once, as sent. */
function ethernetFrames(c: Capture, vlanId?: number): Frame[] {
  return sorted(c).map((e) => ({ ...time(e.us), data: asEthernet(e, vlanId) }));
}

/**
 * `tcpdump -i any` on the mesh node: each frame on the mesh port it came in
 * by, then on the bridge br-fftr 3 µs later. The mesh node is neither
 * sender nor receiver, so unicast frames are PACKET_OTHERHOST.
 */
function sll2Frames(c: Capture): Frame[] {
  const out: Frame[] = [];
  for (const e of sorted(c)) {
    const pktType = e.dst === BROADCAST ? SLL_PKTTYPE.BROADCAST : e.dst.startsWith('33:33:') ? SLL_PKTTYPE.MULTICAST : SLL_PKTTYPE.OTHERHOST;
    for (const [k, ifIndex] of [NODES[e.from].port, MESH_BRIDGE_IFINDEX].entries()) {
      out.push({ ...time(e.us + 3 * k), data: sll2({ pktType, ifIndex, addr: e.src, proto: e.type, payload: e.payload }) });
    }
  }
  return out;
}

/**
 * As captured on a batman-adv mesh interface: every frame inside a batman-adv
 * packet between the sending and receiving nodes' originators — broadcasts
 * as BCAST (one flood per frame, a sequence number per originator), the rest
 * as UNICAST to the receiving node. Inner frames are unpadded, as batman-adv
 * carries them.
 */
function batadvFrames(c: Capture): Frame[] {
  const seqno = new Map<NodeName, number>();
  return sorted(c).map((e) => {
    const from = NODES[e.from];
    const inner = ethernet({ dst: e.dst, src: e.src, type: e.type, payload: e.payload, padTo60: false });
    let outerDst: string;
    let bat: Buffer;
    if (e.to === 'all') {
      const s = (seqno.get(e.from) ?? 100) + 1;
      seqno.set(e.from, s);
      outerDst = BROADCAST;
      bat = batadvBroadcast({ ttl: 50, seqno: s, orig: from.orig, inner });
    } else {
      outerDst = NODES[e.to].orig;
      bat = batadvUnicast({ ttl: 50, ttvn: 1, dest: outerDst, inner });
    }
    return { ...time(e.us), data: ethernet({ dst: outerDst, src: from.orig, type: ETHERTYPE.BATADV, payload: bat }) };
  });
}

function pcap(linkType: number, frames: readonly Frame[]): Buffer {
  const opts: PcapWriterOptions = { linkType };
  const w = new PcapWriter(opts);
  return Buffer.concat([w.header(), ...frames.map((f) => w.record(f.tsSec, f.tsNsec, f.data, 0, f.data.length, f.data.length))]);
}

function pcapng(frames: readonly Frame[]): Buffer {
  const b = new PcapngBuilder();
  b.shb({ options: [{ code: 4, value: Buffer.from('anycast-probe build-fixtures (anycast scenarios)') }] });
  const ifId = b.idb({ linkType: LINKTYPE.ETHERNET, name: 'br-fftr' });
  for (const f of frames) b.epb({ interfaceId: ifId, tsSec: f.tsSec, tsNsec: f.tsNsec, data: f.data });
  return b.build();
}

// ------------------------------------------------------------------ the set

export interface ScenarioFixture {
  name: string;
  /** What the capture shows (one or two sentences for the README). */
  shows: string;
  /** Expected `analyze` verdict (with the explicit configuration; see the README for inference). */
  verdict: 'healthy' | 'problems';
  /** Expected findings, as README text. */
  findings: string;
  frames: number;
  bytes: Buffer;
}

export function buildScenarioFixtures(): ScenarioFixture[] {
  const out: ScenarioFixture[] = [];
  const add = (
    name: string,
    shows: string,
    verdict: ScenarioFixture['verdict'],
    findings: string,
    linkType: number,
    frames: Frame[],
    format: 'pcap' | 'pcapng' = 'pcap',
  ): void => {
    out.push({ name, shows, verdict, findings, frames: frames.length, bytes: format === 'pcap' ? pcap(linkType, frames) : pcapng(frames) });
  };
  const E = LINKTYPE.ETHERNET;
  add(
    'healthy.pcap',
    "The lab's healthy run: two anycast-MAC ARP replies per request; anycast-IP pings answered from the anycast MAC after `who-has client tell 10.172.0.10`; pings, TCP and UDP to 192.0.2.1 answered from the nearest gateway's bridge MAC after `tell 10.172.0.N`; gw1↔gw2 pings.",
    'healthy',
    'none; info `inter-gateway-traffic` for gw1→gw2 and gw2→gw1 (a few pings)',
    E,
    ethernetFrames(healthy()),
  );
  add(
    'healthy-forwarded.pcap',
    "Four clients (c1, c3 nearest gw1; c2, c4 nearest gw2), 6 rounds of TCP connections and UDP exchanges each to 192.0.2.1, all sent to the anycast MAC and answered from the client's own gateway's bridge MAC.",
    'healthy',
    'none',
    E,
    ethernetFrames(healthyForwarded()),
  );
  const off = arpFilterOffOne();
  const offFindings = 'error `unicast-arp-reply` on gw1, count 2, clients c1 and c2, cause `arp-filter-off` (fix `sysctl -w net.ipv4.conf.all.arp_filter=1`)';
  add(
    'arp-filter-off-one.pcap',
    "gw1 with arp_filter=0: its bridge answers `10.172.0.10 is-at 02:00:00:00:01:01` first, to both clients, then both macvlans answer with the anycast MAC; the gateway's `tell 10.172.0.10` request moves each client back to the anycast MAC.",
    'problems',
    offFindings,
    E,
    ethernetFrames(off),
  );
  add(
    'arp-filter-off-one.pcapng',
    'The frames of arp-filter-off-one.pcap as pcapng (one Ethernet IDB `br-fftr`, µs).',
    'problems',
    offFindings,
    E,
    ethernetFrames(off),
    'pcapng',
  );
  add(
    'arp-filter-off-one-vlan.pcap',
    'The frames of arp-filter-off-one.pcap, each in an 802.1Q tag, VLAN 10.',
    'problems',
    offFindings,
    E,
    ethernetFrames(off, 10),
  );
  add(
    'arp-filter-off-one-sll2.pcap',
    `The frames of arp-filter-off-one.pcap as \`tcpdump -i any\` on the mesh node (SLL2): each frame on its ingress port (ifindex 111 m-gw1, 112 m-gw2, 121 m-c1, 122 m-c2) and again on br-fftr (ifindex ${MESH_BRIDGE_IFINDEX}) 3 µs later.`,
    'problems',
    `${offFindings}; the copies are counted once (SLL2 has no destination MAC, so there is no inter-gateway matrix)`,
    LINKTYPE.LINUX_SLL2,
    sll2Frames(off),
  );
  add(
    'arp-filter-off-both.pcap',
    "Both gateways with arp_filter=0: gw2's and gw1's bridges answer every client, then both macvlans; gw2's macvlan also claims 10.172.0.2 with the anycast MAC.",
    'problems',
    'error `unicast-arp-reply` on gw1 and on gw2, count 2 each, clients c1 and c2, cause `arp-filter-off`',
    E,
    ethernetFrames(arpFilterOffBoth()),
  );
  const nsr = noSourceRoute();
  const nsrFindings =
    "error `unicast-arp-reply` on gw1 (count 2, cause `source-route-missing`); error `anycast-reply-unicast-mac` on gw1 (count 4, the echo replies); warning `asymmetric-reply` on gw2 (otherGateway gw1, count 2: c2's forwarded pings went to gw1's MAC, the replies came from gw2's). Fix `ip rule add from 10.172.0.10/32 table anycast`";
  add(
    'no-source-route.pcap',
    "gw1 without the `from 10.172.0.10` rule: its bridge answers ARP for the anycast IP and sends the echo replies from 10.172.0.10 with its bridge MAC; gw2's anycast reply comes later and is ignored; both clients end up on gw1 and c2's forwarded replies return via gw2.",
    'problems',
    nsrFindings,
    E,
    ethernetFrames(nsr),
  );
  add(
    'no-source-route-batadv.pcap',
    "The frames of no-source-route.pcap inside batman-adv v15 packets on a mesh interface: broadcasts as BCAST from the sender's originator, the rest as UNICAST to the receiving node (originators 02:00:00:00:ee:01 gw1, …:ee:02 gw2, …:ee:11 c1, …:ee:12 c2).",
    'problems',
    nsrFindings,
    E,
    batadvFrames(nsr),
  );
  add(
    'wrong-gateway.pcap',
    "gw1 with arp_filter=0 pins c2 (nearest gw2) with a bridge-MAC ARP reply; c2 sends pings and a TCP connection to 192.0.2.1 to gw1's MAC; the replies come from gw2's bridge MAC after `who-has 10.172.1.2 tell 10.172.0.2`; gw1↔gw2 pings.",
    'problems',
    'warning `asymmetric-reply` gateway gw2, otherGateway gw1, count 6 (2 echo replies, 4 TCP segments), client c2; error `unicast-arp-reply` on gw1, count 1, client c2, cause `arp-filter-off`; info `inter-gateway-traffic` (the gw1↔gw2 pings)',
    E,
    ethernetFrames(wrongGateway()),
  );
  add(
    'gateway-switch.pcap',
    "c1's ping and one TCP connection to 192.0.2.1, all sent to the anycast MAC; the first half answered from gw1's bridge MAC, the second half (after gw2 resolves c1) from gw2's.",
    'problems',
    'warning `gateway-switch` gateway gw2, otherGateway gw1, count 2 (the ping and the TCP flow), client c1; no `asymmetric-reply`',
    E,
    ethernetFrames(gatewaySwitch()),
  );
  add(
    'moved-connection-nat.pcap',
    "c1's TCP connection to 192.0.2.1, sent to the anycast MAC and answered from gw1's bridge MAC; then c1's next segment reaches gw2, which resolves c1 and passes on the server's reset (gw2 has no NAT translation for the connection).",
    'problems',
    'warning `moved-connection` gateway gw2, otherGateway gw1, cause `moved-nat-state-lost`, count 1, client c1 (1 reset); warning `gateway-switch` gw2 (from gw1), count 1, client c1',
    E,
    ethernetFrames(movedConnectionNat()),
  );
  add(
    'moved-connection-dropped.pcap',
    "Both gateways answer ARP for the anycast IP from their bridges. c1 opens a TCP connection through gw1's bridge MAC; after its ARP entry expires gw2's bridge answers first, and c1 sends the connection's next segment to gw2's MAC four times (0.2, 0.4, 0.8 s apart) with no answer; gw1↔gw2 pings.",
    'problems',
    'warning `moved-connection` gateway gw2, otherGateway gw1, cause `moved-connection-dropped`, count 1, client c1 (3 segments sent again, no answer); the ARP faults that moved c1: error `unicast-arp-reply` on gw1 and on gw2 (`arp-filter-off`), warning `client-pinned` on gw1 and on gw2; info `inter-gateway-traffic` (the gw1↔gw2 pings)',
    E,
    ethernetFrames(movedConnectionDropped()),
  );
  add(
    'inter-gateway.pcap',
    'Healthy client traffic plus a bulk TCP transfer (rsync) from gw1 to gw2 between their unicast addresses: 162 frames gw1 → gw2 (handshake and 160 segments of 1448 bytes), 162 back (SYN-ACK, ARP reply, 160 ACKs).',
    'problems',
    'warning `inter-gateway-traffic` gw1 → gw2 (count 162, over 90 % of the bytes); info for gw2 → gw1 (the ACKs, under 5 %)',
    E,
    ethernetFrames(interGateway()),
  );
  add(
    'unicast-neighbor-advert.pcap',
    "IPv6, anycast fd00::10: each client's NS is answered first by gw1's bridge (NA with TLLA 02:00:00:00:01:01), then by both macvlans (TLLA = anycast MAC); the client's pings to fd00::10 go to gw1's MAC and are answered from the anycast MAC. Needs `--anycast-ip fd00::10 --anycast-mac 02:ca:fe:00:00:01` (inference reads IPv4 ARP only).",
    'problems',
    'error `unicast-neighbor-advert` on gw1, count 2, clients c1 and c2, cause `anycast-ipv6-on-bridge` (override set)',
    E,
    ethernetFrames(unicastNeighborAdvert(true)),
  );
  add(
    'neighbor-advert-proxy-ndp.pcap',
    "The frames of unicast-neighbor-advert.pcap, but gw1's bridge answers as proxy NDP does: its NAs (TLLA 02:00:00:00:01:01) have the override flag clear. Needs the IPv6 flags as above.",
    'problems',
    'error `unicast-neighbor-advert` on gw1, count 2, clients c1 and c2, cause `proxy-ndp` (override clear)',
    E,
    ethernetFrames(unicastNeighborAdvert(false)),
  );
  const anycastLinkLocal = linkLocal(ANYCAST.MAC);
  add(
    'ra-healthy.pcap',
    `Healthy IPv6 router advertisements: gw1 and gw2 each send two RAs from the anycast MAC and its link-local ${anycastLinkLocal} with the same content (prefix fd00::/64, RDNSS fd00::10, MTU 1280; gw2's options in reverse order), and gw1 answers c1's router solicitation the same way; healthy ARP for 10.172.0.10 before.`,
    'healthy',
    'none',
    E,
    ethernetFrames(routerAdverts({ ...RA_SETTINGS, reverseOptions: true }, false)),
  );
  add(
    'ra-from-bridge.pcap',
    `The RAs of ra-healthy.pcap (without the reverse order), plus gw1's radv on br-fftr: one periodic RA and one answer to c1's solicitation from its bridge MAC 02:00:00:00:01:01 and link-local ${linkLocal(NODES.gw1.mac)}, with the same content.`,
    'problems',
    'error `ra-not-from-anycast` on gw1, count 2, client c1, cause `radv-on-bridge`',
    E,
    ethernetFrames(routerAdverts(RA_SETTINGS, true)),
  );
  add(
    'ra-link-local.pcap',
    `The RAs of ra-healthy.pcap (without the reverse order), but gw2's anycast interface has a stable-privacy link-local (fe80::5c1e:2b7a:93d0:4f11) instead of ${anycastLinkLocal}: both gateways send from the anycast MAC, from two router addresses.`,
    'problems',
    'error `ra-not-from-anycast` (sender: the anycast MAC, no gateway), count 2, cause `anycast-link-local-not-eui64`',
    E,
    ethernetFrames(routerAdverts(RA_SETTINGS, false, 'fe80::5c1e:2b7a:93d0:4f11')),
  );
  add(
    'ra-inconsistent.pcap',
    'Both gateways send RAs from the anycast MAC and link-local, but gw2 announces RDNSS fd00::2 (its own address) and a preferred lifetime of 3600 s where gw1 says fd00::10 and 14400 s.',
    'problems',
    'warning `ra-inconsistent` (sender: the anycast MAC, no gateway), count 2, differences `prefix-lifetimes,rdnss`',
    E,
    ethernetFrames(
      routerAdverts(
        {
          ...RA_SETTINGS,
          prefix: { prefix: 'fd00::', length: 64, validLifetime: 86400, preferredLifetime: 3600 },
          rdnss: { lifetime: 1200, addrs: [NODES.gw2.ip6] },
        },
        false,
      ),
    ),
  );
  add(
    'dhcp-router-unicast.pcap',
    "Leases, then traffic: gw1's DHCP server (batman-adv gateway mode: c1's broadcasts reach only gw1) offers and acks c1 with router 10.172.0.1 — its own address — and DNS 10.172.0.1, 192.0.2.53, 192.0.2.54, as before anycast; gw2's names 10.172.0.10 for both. c1 resolves 10.172.0.1 and pings 192.0.2.1 through gw1's bridge MAC; c2 resolves the anycast IP (both macvlans answer) and pings through the anycast MAC.",
    'problems',
    'error `dhcp-router-not-anycast` on gw1 (count 2: the offer and the ack, client c1, offered 10.172.0.1, fix `option routers 10.172.0.10;`); warning `dhcp-dns-not-anycast` on gw1 (count 2, offered 10.172.0.1 +2 more); nothing on gw2',
    E,
    ethernetFrames(dhcpRouterUnicast()),
  );
  add(
    'dhcp-healthy.pcap',
    'The near miss of dhcp-router-unicast.pcap: both DHCP servers offer and ack router and DNS 10.172.0.10; both clients resolve the anycast IP and ping 192.0.2.1 through the anycast MAC.',
    'healthy',
    'none (both DHCP servers learned as gateways)',
    E,
    ethernetFrames(dhcpHealthy()),
  );
  return out;
}

function readme(files: readonly ScenarioFixture[]): string {
  const lines = [
    '# Anycast scenario captures',
    '',
    'Generated by `npm run fixtures` (`scripts/anycast-scenarios.ts`, called from `scripts/build-fixtures.ts`); do not edit by hand.',
    'Each capture mirrors what the real kernel does in the lab of `test/lab/FINDINGS.md` (captures in `fixtures/lab/`),',
    'with the same address plan: anycast 10.172.0.10 / fd00::10 / 02:ca:fe:00:00:01; gw1 02:00:00:00:01:01 10.172.0.1;',
    'gw2 02:00:00:00:02:01 10.172.0.2; clients 02:00:00:00:0c:0N 10.172.1.N (c1, c3 nearest gw1; c2, c4 nearest gw2);',
    'the host behind the gateways 192.0.2.1. Fixed timestamps from 2023-11-15T01:46:40Z, no randomness.',
    '',
    'Expected results are for `anycast-probe analyze FILE --anycast-ip 10.172.0.10 --anycast-mac 02:ca:fe:00:00:01',
    '--gateway gw1=02:00:00:00:01:01 --gateway gw2=02:00:00:00:02:01`. Without configuration the anycast IP/MAC are',
    'inferred from ARP and the gateways are named by the unicast IP their MAC claimed (10.172.0.1, 10.172.0.2); the',
    'findings are the same, except for the IPv6-only capture, where nothing can be inferred (verdict `no-anycast`).',
    'Exit code: 0 healthy, 1 problems. `test/cli/analyze-scenarios.test.ts` checks every row.',
    '',
    '| File | Frames | What it shows | Verdict | Findings (error / warning) |',
    '| --- | ---: | --- | --- | --- |',
  ];
  for (const f of files) lines.push(`| \`${f.name}\` | ${f.frames} | ${f.shows} | ${f.verdict} | ${f.findings} |`);
  lines.push('');
  return lines.join('\n');
}

/** Builds the set twice, refuses to write if the builds differ, then writes the captures and README.md into `dir`. */
export function writeScenarioFixtures(dir: string): ScenarioFixture[] {
  const a = buildScenarioFixtures();
  const b = buildScenarioFixtures();
  if (a.length !== b.length || a.some((f, i) => f.name !== b[i]?.name || !f.bytes.equals(b[i].bytes))) {
    throw new Error('anycast scenario fixtures differ between two builds');
  }
  mkdirSync(dir, { recursive: true });
  for (const f of a) writeFileSync(join(dir, f.name), f.bytes);
  writeFileSync(join(dir, 'README.md'), readme(a));
  return a;
}
