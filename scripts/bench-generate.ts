/**
 * Writes a large, deterministic capture of a Freifunk mesh bridge (br-client)
 * for the benchmarks in bench/ (see BENCHMARKS.md).
 *
 * Usage: node dist/scripts/bench-generate.js --frames N --out FILE.pcap [--seed S]
 *
 * The scene: ~2,000 clients (10.172.X.Y, MAC 02:00:00:cc:XX:YY) behind a
 * layer-2 anycast gateway (10.172.0.10, MAC 02:ca:fe:00:00:01) that is really
 * three gateways (10.172.0.N, unicast MAC 02:00:00:00:0N:01). Share of frames:
 *
 *   ~5 %  ARP: clients ask for the anycast IP; the anycast MAC answers, and
 *         gateway 2 (an arp_filter fault) sometimes answers too with its own
 *         unicast MAC; gateways resolve clients.
 *  ~20 %  ICMP echo request/reply pairs: client ↔ anycast IP, client ↔ hosts
 *         behind the gateways (the reply comes from the gateway's unicast
 *         MAC); 5 % of requests stay unanswered.
 *  ~70 %  TCP/UDP, 60–1514 bytes (1518 tagged): client ↔ internet (replies
 *         forwarded by the client's gateway, from its unicast MAC, sometimes
 *         by another one), client ↔ client, DNS to the anycast IP, and ~1 % of
 *         all frames gateway ↔ gateway.
 *   ~5 %  IPv6: NS/NA pairs, RAs from the gateways' unicast MACs, ICMPv6 echo.
 *  ~10 %  of all frames carry an 802.1Q tag (VLAN 11, 12 or 13).
 *
 * Every checksum is correct: IPv4 header, ICMP, ICMPv6, TCP and UDP (payload
 * sums come from prefix sums over one fixed payload pattern, so correctness
 * costs a few additions per frame).
 *
 * Output is identical for the same --frames and --seed: a seeded PRNG, a
 * fixed start time (1700000000 s), timestamps advancing 10–30 µs (mean 20 µs)
 * per frame. Memory is constant: each frame is built in place in one of a few
 * reused buffers and handed to the streaming pcap writer.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { openPcapFile, type PcapFileWriter } from '../src/source/pcap-writer.js';
import { Rng } from './rng.js';

// ------------------------------------------------------------------ scene

const BASE_SEC = 1_700_000_000;
const CLIENTS = 2000;
const CLIENTS_PER_SUBNET = 250;
const GATEWAYS = 3;
/** The gateway that answers ARP for the anycast IP with its own MAC. */
const FAULTY_ARP_GATEWAY = 2;
/** Share of ARP requests for the anycast IP that the faulty gateway answers too. */
const FAULTY_ARP_SHARE = 0.125;

const BROADCAST_MAC = 0xffff_ffff_ffff;
const ANYCAST_MAC = 0x02ca_fe00_0001;
const ANYCAST_IP = ipv4(10, 172, 0, 10);
const VLAN_IDS = [11, 12, 13] as const;
const VLAN_SHARE = 0.1;

const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd } as const;
const PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;

function ipv4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function clientMac(i: number): number {
  return 0x0200_00cc_0000 + subnetOf(i) * 256 + hostOf(i);
}
function clientIp(i: number): number {
  return ipv4(10, 172, subnetOf(i), hostOf(i));
}
function subnetOf(i: number): number {
  return 1 + Math.floor(i / CLIENTS_PER_SUBNET);
}
function hostOf(i: number): number {
  return 1 + (i % CLIENTS_PER_SUBNET);
}
/** Gateways are numbered 1..3. */
function gatewayMac(n: number): number {
  return 0x0200_0000_0001 + n * 256;
}
function gatewayIp(n: number): number {
  return ipv4(10, 172, 0, n);
}
/** The gateway batman-adv picked for a client (stable per client). */
function homeGateway(i: number): number {
  return 1 + ((i * 7) % GATEWAYS);
}
/** Hosts on the internet: 64 addresses in the three documentation networks. */
function remoteIp(k: number): number {
  const nets = [ipv4(192, 0, 2, 0), ipv4(198, 51, 100, 0), ipv4(203, 0, 113, 0)] as const;
  return (nets[k % 3]! + 1 + (k % 64)) >>> 0;
}
const REMOTES = 64;

// ------------------------------------------------------------------ PRNG

// ------------------------------------------------------------------ checksums

/** Sum of big-endian 16-bit words of b[off, off+len), not folded. */
function sum16(b: Buffer, off: number, len: number): number {
  let s = 0;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (len & 1) s += b[end]! << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}

// ------------------------------------------------------------------ payloads

const MAX_FRAME = 1518;
/** Fixed pseudo-random payload bytes (independent of --seed). */
const PATTERN = (() => {
  const r = new Rng(0x5eed);
  const b = Buffer.alloc(2048);
  for (let i = 0; i < b.length; i++) b[i] = r.u32() & 0xff;
  return b;
})();
/** PATTERN_SUM[n] = sum16(PATTERN, 0, n): the checksum contribution of an n-byte payload. */
const PATTERN_SUM = (() => {
  const s = new Float64Array(PATTERN.length + 1);
  for (let n = 1; n <= PATTERN.length; n++) {
    // Bytes at even positions are high bytes of a 16-bit word.
    s[n] = s[n - 1]! + (((n - 1) & 1) === 0 ? PATTERN[n - 1]! << 8 : PATTERN[n - 1]!);
  }
  return s;
})();

/** Linux ping payload: 8 bytes of time, then 0x10, 0x11, ... */
const PING_PAYLOAD = 56;

// ------------------------------------------------------------------ frame writer

interface Counts {
  arp: number;
  icmp: number;
  tcp: number;
  udp: number;
  gatewayToGateway: number;
  ipv6: number;
  vlan: number;
  bytes: number;
}

/**
 * Builds frames in place and writes them. Small frames (ARP, ICMP, IPv6) use
 * `small`; TCP/UDP use one of four buffers (tagged or not × TCP or UDP) whose
 * payload area is pre-filled with PATTERN, so only headers are written per frame.
 */
class FrameWriter {
  readonly counts: Counts = { arp: 0, icmp: 0, tcp: 0, udp: 0, gatewayToGateway: 0, ipv6: 0, vlan: 0, bytes: 0 };
  frames = 0;
  private readonly small = Buffer.alloc(MAX_FRAME);
  private readonly l4: Buffer[] = [];
  private usec = 0;
  private ipId = 0;
  private echoStamp = 0;

  constructor(
    private readonly out: PcapFileWriter,
    private readonly rng: Rng,
    readonly limit: number,
  ) {
    for (let k = 0; k < 4; k++) {
      const b = Buffer.alloc(MAX_FRAME);
      PATTERN.copy(b, l4PayloadOffset((k & 2) !== 0, (k & 1) !== 0), 0);
      this.l4.push(b);
    }
  }

  get done(): boolean {
    return this.frames >= this.limit;
  }

  /** Ethernet (+ 802.1Q) header; returns the offset of the payload. */
  private eth(b: Buffer, dst: number, src: number, vlan: number, type: number): number {
    b.writeUIntBE(dst, 0, 6);
    b.writeUIntBE(src, 6, 6);
    let o = 12;
    if (vlan !== 0) {
      b.writeUInt16BE(ETHERTYPE.VLAN, 12);
      b.writeUInt16BE(vlan, 14);
      o = 16;
    }
    b.writeUInt16BE(type, o);
    return o + 2;
  }

  /** 20-byte IPv4 header with a correct checksum; returns the offset of the payload. */
  private ip4(b: Buffer, o: number, src: number, dst: number, proto: number, payloadLen: number, ttl: number): number {
    b[o] = 0x45;
    b[o + 1] = 0;
    b.writeUInt16BE(20 + payloadLen, o + 2);
    this.ipId = (this.ipId + 1) & 0xffff;
    b.writeUInt16BE(this.ipId, o + 4);
    b.writeUInt16BE(0x4000, o + 6); // DF
    b[o + 8] = ttl;
    b[o + 9] = proto;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(src, o + 12);
    b.writeUInt32BE(dst, o + 16);
    b.writeUInt16BE(fold(sum16(b, o, 20)), o + 10);
    return o + 20;
  }

  /** Zero-pads to 60 bytes and writes the record; restores `restore` bytes of pattern after. */
  private emit(b: Buffer, len: number, patternFrom = -1): void {
    let capLen = len;
    if (len < 60) {
      b.fill(0, len, 60);
      capLen = 60;
    }
    this.usec += 10 + this.rng.int(21);
    const sec = BASE_SEC + Math.floor(this.usec / 1e6);
    const nsec = (this.usec % 1e6) * 1000;
    this.out.write(sec, nsec, b, 0, capLen, capLen);
    if (len < 60 && patternFrom >= 0) PATTERN.copy(b, len, len - patternFrom, 60 - patternFrom);
    this.frames++;
    this.counts.bytes += capLen;
    if (b.readUInt16BE(12) === ETHERTYPE.VLAN) this.counts.vlan++;
  }

  // ---------------------------------------------------------------- ARP

  arp(vlan: number, op: number, dst: number, src: number, sha: number, spa: number, tha: number, tpa: number): void {
    if (this.done) return;
    const b = this.small;
    const o = this.eth(b, dst, src, vlan, ETHERTYPE.ARP);
    b.writeUInt16BE(1, o); // Ethernet
    b.writeUInt16BE(ETHERTYPE.IPV4, o + 2);
    b[o + 4] = 6;
    b[o + 5] = 4;
    b.writeUInt16BE(op, o + 6);
    b.writeUIntBE(sha, o + 8, 6);
    b.writeUInt32BE(spa, o + 14);
    b.writeUIntBE(tha, o + 18, 6);
    b.writeUInt32BE(tpa, o + 24);
    this.emit(b, o + 28);
    this.counts.arp++;
  }

  // ---------------------------------------------------------------- ICMP

  echo(vlan: number, type: 0 | 8, dstMac: number, srcMac: number, src: number, dst: number, ttl: number, id: number, seq: number): void {
    if (this.done) return;
    const b = this.small;
    let o = this.eth(b, dstMac, srcMac, vlan, ETHERTYPE.IPV4);
    const len = 8 + PING_PAYLOAD;
    o = this.ip4(b, o, src, dst, PROTO.ICMP, len, ttl);
    b[o] = type;
    b[o + 1] = 0;
    b.writeUInt16BE(0, o + 2);
    b.writeUInt16BE(id, o + 4);
    b.writeUInt16BE(seq, o + 6);
    // A reply echoes the request's payload, including its send time.
    if (type === 8) this.echoStamp = this.usec;
    b.writeUInt32BE(BASE_SEC + Math.floor(this.echoStamp / 1e6), o + 8);
    b.writeUInt32BE(this.echoStamp % 1e6, o + 12);
    for (let i = 8; i < PING_PAYLOAD; i++) b[o + 8 + i] = 0x08 + i;
    b.writeUInt16BE(fold(sum16(b, o, len)), o + 2);
    this.emit(b, o + len);
    this.counts.icmp++;
  }

  // ---------------------------------------------------------------- TCP / UDP

  /**
   * One TCP or UDP frame of `frameLen` bytes on the wire (before padding),
   * clamped to what the headers need.
   */
  l4frame(
    vlan: number,
    isTcp: boolean,
    dstMac: number,
    srcMac: number,
    src: number,
    dst: number,
    ttl: number,
    sport: number,
    dport: number,
    frameLen: number,
    seq: number,
    ack: number,
  ): void {
    if (this.done) return;
    const tagged = vlan !== 0;
    const b = this.l4[(tagged ? 2 : 0) | (isTcp ? 1 : 0)]!;
    const payOff = l4PayloadOffset(tagged, isTcp);
    const minPayload = isTcp ? 0 : 12;
    const payLen = Math.max(minPayload, Math.min(frameLen, MAX_FRAME - (tagged ? 0 : 4)) - payOff);
    const l4Len = (isTcp ? 20 : 8) + payLen;
    let o = this.eth(b, dstMac, srcMac, vlan, ETHERTYPE.IPV4);
    o = this.ip4(b, o, src, dst, isTcp ? PROTO.TCP : PROTO.UDP, l4Len, ttl);
    b.writeUInt16BE(sport, o);
    b.writeUInt16BE(dport, o + 2);
    let csumAt: number;
    if (isTcp) {
      b.writeUInt32BE(seq >>> 0, o + 4);
      b.writeUInt32BE(ack >>> 0, o + 8);
      b[o + 12] = 5 << 4;
      b[o + 13] = payLen > 0 ? 0x18 : 0x10; // PSH|ACK or ACK
      b.writeUInt16BE(502, o + 14);
      b.writeUInt32BE(0, o + 16); // checksum, urgent pointer
      csumAt = o + 16;
      this.counts.tcp++;
    } else {
      b.writeUInt16BE(l4Len, o + 4);
      b.writeUInt16BE(0, o + 6);
      csumAt = o + 6;
      this.counts.udp++;
    }
    const proto = isTcp ? PROTO.TCP : PROTO.UDP;
    const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + l4Len;
    let c = fold(pseudo + sum16(b, o, payOff - o) + PATTERN_SUM[payLen]!);
    if (!isTcp && c === 0) c = 0xffff;
    b.writeUInt16BE(c, csumAt);
    this.emit(b, payOff + payLen, payOff);
  }

  // ---------------------------------------------------------------- IPv6 / ICMPv6

  /**
   * IPv6 + ICMPv6 message: `body` writes the message after the 4-byte ICMPv6
   * header at the given offset and returns its length (without that header).
   */
  icmp6(vlan: number, dstMac: number, srcMac: number, src: V6, dst: V6, hlim: number, type: number, body: (b: Buffer, at: number) => number): void {
    if (this.done) return;
    const b = this.small;
    const o = this.eth(b, dstMac, srcMac, vlan, ETHERTYPE.IPV6);
    const m = o + 40;
    b[m] = type;
    b[m + 1] = 0;
    b.writeUInt16BE(0, m + 2);
    const len = 4 + body(b, m + 4);
    b.writeUInt32BE(0x6000_0000, o);
    b.writeUInt16BE(len, o + 4);
    b[o + 6] = PROTO.ICMPV6;
    b[o + 7] = hlim;
    src.copy(b, o + 8);
    dst.copy(b, o + 24);
    const pseudo = sum16(b, o + 8, 32) + len + PROTO.ICMPV6;
    b.writeUInt16BE(fold(pseudo + sum16(b, m, len)), m + 2);
    this.emit(b, m + len);
    this.counts.ipv6++;
  }
}

function l4PayloadOffset(tagged: boolean, isTcp: boolean): number {
  return 14 + (tagged ? 4 : 0) + 20 + (isTcp ? 20 : 8);
}

// ------------------------------------------------------------------ IPv6 addresses

type V6 = Buffer;

function v6(words: readonly number[]): V6 {
  const b = Buffer.alloc(16);
  words.forEach((w, i) => {
    b.writeUInt16BE(w, i * 2);
  });
  return b;
}
/** EUI-64 link-local address of a MAC (universal/local bit flipped). */
function linkLocal(mac: number): V6 {
  const hi = Math.floor(mac / 2 ** 24) ^ 0x020000;
  const lo = mac % 2 ** 24;
  return v6([0xfe80, 0, 0, 0, hi >>> 8, ((hi & 0xff) << 8) | 0xff, 0xfe00 | (lo >>> 16), lo & 0xffff]);
}
const PREFIX6 = [0x2001, 0x0db8, 0xcafe, 0] as const;
const PREFIX6_ADDR = v6([...PREFIX6, 0, 0, 0, 0]);
const ANYCAST_IP6 = v6([...PREFIX6, 0, 0, 0, 0x10]);
const ALL_NODES = v6([0xff02, 0, 0, 0, 0, 0, 0, 1]);
const ALL_NODES_MAC = 0x3333_0000_0001;
function clientIp6(i: number): V6 {
  return v6([...PREFIX6, 0, 0, subnetOf(i), hostOf(i)]);
}
function remoteIp6(k: number): V6 {
  return v6([0x2001, 0x0db8, 0xbeef, 0, 0, 0, 0, 1 + (k % REMOTES)]);
}
function solicitedNode(a: V6): V6 {
  return v6([0xff02, 0, 0, 0, 0, 1, 0xff00 | a[13]!, (a[14]! << 8) | a[15]!]);
}
function solicitedNodeMac(a: V6): number {
  return 0x3333_ff00_0000 + a[13]! * 65536 + a[14]! * 256 + a[15]!;
}

// Pre-built per-client and per-gateway IPv6 addresses (2,000 × 2 small buffers).
const CLIENT_LL6: V6[] = Array.from({ length: CLIENTS }, (_, i) => linkLocal(clientMac(i)));
const CLIENT_GUA6: V6[] = Array.from({ length: CLIENTS }, (_, i) => clientIp6(i));
const GATEWAY_LL6: V6[] = Array.from({ length: GATEWAYS + 1 }, (_, n) => linkLocal(gatewayMac(n)));
const REMOTE6: V6[] = Array.from({ length: REMOTES }, (_, k) => remoteIp6(k));

// ------------------------------------------------------------------ traffic

/**
 * Events and the share of events they get. A pair event writes two (or
 * three) frames, so shares are the wanted frame share divided by the mean
 * frames per event: ARP 5 %/2.1, ICMP 20 %/1.95, TCP/UDP 70 %/1, IPv6 5 %/1.83.
 */
const EVENT_WEIGHTS = { arp: 0.05 / 2.1, icmp: 0.2 / 1.95, l4: 0.7, ipv6: 0.05 / 1.83 } as const;

class Traffic {
  private readonly echoSeq = new Uint16Array(CLIENTS);
  private readonly tcpSeq = new Uint32Array(CLIENTS);
  private readonly cumulative: number[];

  constructor(
    private readonly w: FrameWriter,
    private readonly r: Rng,
  ) {
    const total = EVENT_WEIGHTS.arp + EVENT_WEIGHTS.icmp + EVENT_WEIGHTS.l4 + EVENT_WEIGHTS.ipv6;
    let acc = 0;
    this.cumulative = [EVENT_WEIGHTS.arp, EVENT_WEIGHTS.icmp, EVENT_WEIGHTS.l4].map((x) => (acc += x / total));
    for (let i = 0; i < CLIENTS; i++) this.tcpSeq[i] = r.u32();
  }

  /** Some clients talk much more than others (quadratic skew). */
  private client(): number {
    const x = this.r.next();
    return Math.floor(x * x * CLIENTS);
  }

  private vlan(): number {
    return this.r.chance(VLAN_SHARE) ? VLAN_IDS[this.r.int(VLAN_IDS.length)]! : 0;
  }

  /** Frame sizes: many minimum-size ACKs, many full frames, the rest spread out. */
  private size(fullShare: number, minShare: number): number {
    const x = this.r.next();
    if (x < minShare) return 60;
    if (x < minShare + fullShare) return 1514;
    return 60 + this.r.int(1455);
  }

  step(): void {
    const x = this.r.next();
    const [a, b, c] = this.cumulative as [number, number, number];
    if (x < a) this.arp();
    else if (x < b) this.icmp();
    else if (x < c) this.l4();
    else this.ipv6();
  }

  private arp(): void {
    const w = this.w;
    const vlan = this.vlan();
    const i = this.client();
    const cm = clientMac(i);
    const ci = clientIp(i);
    if (this.r.chance(0.8)) {
      // Client asks for the anycast IP; the anycast MAC answers.
      w.arp(vlan, 1, BROADCAST_MAC, cm, cm, ci, 0, ANYCAST_IP);
      w.arp(vlan, 2, cm, ANYCAST_MAC, ANYCAST_MAC, ANYCAST_IP, cm, ci);
      if (this.r.chance(FAULTY_ARP_SHARE)) {
        const g = gatewayMac(FAULTY_ARP_GATEWAY);
        w.arp(vlan, 2, cm, g, g, ANYCAST_IP, cm, ci);
      }
    } else {
      // A gateway resolves a client to forward a reply to it.
      const n = homeGateway(i);
      const gm = gatewayMac(n);
      w.arp(vlan, 1, BROADCAST_MAC, gm, gm, gatewayIp(n), 0, ci);
      w.arp(vlan, 2, gm, cm, cm, ci, gm, gatewayIp(n));
    }
  }

  private icmp(): void {
    const w = this.w;
    const vlan = this.vlan();
    const i = this.client();
    const cm = clientMac(i);
    const ci = clientIp(i);
    const id = 0x1000 + i;
    const seq = (this.echoSeq[i]! + 1) & 0xffff;
    this.echoSeq[i] = seq;
    const answered = this.r.chance(0.95);
    if (this.r.chance(0.4)) {
      w.echo(vlan, 8, ANYCAST_MAC, cm, ci, ANYCAST_IP, 64, id, seq);
      if (answered) w.echo(vlan, 0, cm, ANYCAST_MAC, ANYCAST_IP, ci, 64, id, seq);
    } else {
      // To the internet through the anycast gateway; the reply is forwarded
      // by the client's gateway from its unicast MAC.
      const remote = remoteIp(this.r.int(REMOTES));
      w.echo(vlan, 8, ANYCAST_MAC, cm, ci, remote, 64, id, seq);
      if (answered) w.echo(vlan, 0, cm, gatewayMac(this.forwardingGateway(i)), remote, ci, 52, id, seq);
    }
  }

  /** Mostly the client's own gateway; 3 % of the time another one (gateway switch). */
  private forwardingGateway(i: number): number {
    const home = homeGateway(i);
    return this.r.chance(0.03) ? 1 + (home % GATEWAYS) : home;
  }

  private l4(): void {
    const w = this.w;
    const r = this.r;
    const vlan = this.vlan();
    const x = r.next();
    if (x < 1 / 70) {
      // Gateway ↔ gateway: BGP keepalives and tunnel traffic between them.
      const n = 1 + r.int(GATEWAYS);
      const m = 1 + ((n + r.int(GATEWAYS - 1)) % GATEWAYS);
      const tcp = r.chance(0.3);
      w.l4frame(
        vlan,
        tcp,
        gatewayMac(m),
        gatewayMac(n),
        gatewayIp(n),
        gatewayIp(m),
        64,
        tcp ? 179 : 10000 + n,
        tcp ? 40000 + m : 10000 + m,
        tcp ? 60 : this.size(0.3, 0.1),
        r.u32(),
        r.u32(),
      );
      w.counts.gatewayToGateway++;
      return;
    }
    const i = this.client();
    const cm = clientMac(i);
    const ci = clientIp(i);
    const up = r.chance(0.45);
    const y = r.next();
    if (y < 0.06) {
      // DNS to the anycast IP, answered by the anycast MAC.
      const sport = 32768 + ((i * 131 + (this.echoSeq[i] ?? 0)) % 28000);
      if (up) w.l4frame(vlan, false, ANYCAST_MAC, cm, ci, ANYCAST_IP, 64, sport, 53, 74 + r.int(30), 0, 0);
      else w.l4frame(vlan, false, cm, ANYCAST_MAC, ANYCAST_IP, ci, 64, 53, sport, 90 + r.int(200), 0, 0);
      return;
    }
    const local = y < 0.16;
    const isTcp = r.chance(0.75);
    const sport = 32768 + ((i * 7919 + r.int(8)) % 28000);
    const dport = isTcp ? (r.chance(0.8) ? 443 : 80) : 443;
    const seq = (this.tcpSeq[i]! + 1448) >>> 0;
    this.tcpSeq[i] = seq;
    if (local) {
      // Client ↔ client on the same mesh (ssh, file sharing).
      const j = (i + 1 + r.int(CLIENTS - 1)) % CLIENTS;
      const jm = clientMac(j);
      const ji = clientIp(j);
      if (up) w.l4frame(vlan, isTcp, jm, cm, ci, ji, 64, sport, 22, this.size(0.2, 0.5), seq, r.u32());
      else w.l4frame(vlan, isTcp, cm, jm, ji, ci, 64, 22, sport, this.size(0.5, 0.2), r.u32(), seq);
      return;
    }
    const remote = remoteIp((i + r.int(4)) % REMOTES);
    if (up) {
      w.l4frame(vlan, isTcp, ANYCAST_MAC, cm, ci, remote, 64, sport, dport, this.size(0.2, 0.6), seq, r.u32());
    } else {
      const gm = gatewayMac(this.forwardingGateway(i));
      w.l4frame(vlan, isTcp, cm, gm, remote, ci, 52, dport, sport, this.size(0.5, 0.2), r.u32(), seq);
    }
  }

  private ipv6(): void {
    const w = this.w;
    const r = this.r;
    const vlan = this.vlan();
    const i = this.client();
    const cm = clientMac(i);
    const x = r.next();
    if (x < 0.4) {
      // ICMPv6 echo to the internet; the reply is forwarded from a gateway MAC.
      const remote = REMOTE6[r.int(REMOTES)]!;
      const id = 0x2000 + i;
      const seq = (this.echoSeq[i]! + 1) & 0xffff;
      this.echoSeq[i] = seq;
      const body = (b: Buffer, at: number): number => {
        b.writeUInt16BE(id, at);
        b.writeUInt16BE(seq, at + 2);
        PATTERN.copy(b, at + 4, 0, PING_PAYLOAD);
        return 4 + PING_PAYLOAD;
      };
      w.icmp6(vlan, ANYCAST_MAC, cm, CLIENT_GUA6[i]!, remote, 64, 128, body);
      if (r.chance(0.95)) w.icmp6(vlan, cm, gatewayMac(this.forwardingGateway(i)), remote, CLIENT_GUA6[i]!, 58, 129, body);
    } else if (x < 0.85) {
      // Client resolves the anycast gateway address; the anycast MAC advertises it.
      const target = ANYCAST_IP6;
      w.icmp6(vlan, solicitedNodeMac(target), cm, CLIENT_LL6[i]!, solicitedNode(target), 255, 135, (b, at) => {
        b.writeUInt32BE(0, at);
        target.copy(b, at + 4);
        b[at + 20] = 1; // source link-layer address option
        b[at + 21] = 1;
        b.writeUIntBE(cm, at + 22, 6);
        return 28;
      });
      w.icmp6(vlan, cm, ANYCAST_MAC, ANYCAST_IP6, CLIENT_LL6[i]!, 255, 136, (b, at) => {
        b.writeUInt32BE(0xe000_0000, at); // router, solicited, override
        target.copy(b, at + 4);
        b[at + 20] = 2; // target link-layer address option
        b[at + 21] = 1;
        b.writeUIntBE(ANYCAST_MAC, at + 22, 6);
        return 28;
      });
    } else {
      // Router advertisement from one gateway's unicast MAC and link-local address.
      const n = 1 + r.int(GATEWAYS);
      const gm = gatewayMac(n);
      w.icmp6(vlan, ALL_NODES_MAC, gm, GATEWAY_LL6[n]!, ALL_NODES, 255, 134, (b, at) => {
        b[at] = 64; // cur hop limit
        b[at + 1] = 0;
        b.writeUInt16BE(1800, at + 2);
        b.writeUInt32BE(0, at + 4);
        b.writeUInt32BE(0, at + 8);
        b[at + 12] = 1; // source link-layer address
        b[at + 13] = 1;
        b.writeUIntBE(gm, at + 14, 6);
        const p = at + 20; // prefix information
        b[p] = 3;
        b[p + 1] = 4;
        b[p + 2] = 64;
        b[p + 3] = 0xc0;
        b.writeUInt32BE(86400, p + 4);
        b.writeUInt32BE(14400, p + 8);
        b.writeUInt32BE(0, p + 12);
        PREFIX6_ADDR.copy(b, p + 16);
        return 12 + 8 + 32;
      });
    }
  }
}

// ------------------------------------------------------------------ main

export interface GenerateOptions {
  frames: number;
  out: string;
  seed: number;
}

export function generate(opts: GenerateOptions): Counts & { frames: number } {
  const out = openPcapFile(opts.out, { linkType: 1 });
  const rng = new Rng(opts.seed);
  const w = new FrameWriter(out, rng, opts.frames);
  const traffic = new Traffic(w, rng);
  try {
    while (!w.done) traffic.step();
  } finally {
    out.close();
  }
  return { ...w.counts, frames: w.frames };
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      frames: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const frames = parseCount(values.frames ?? '');
  const seed = Number(values.seed);
  if (frames === undefined || values.out === undefined || !Number.isInteger(seed)) {
    process.stderr.write('usage: bench-generate --frames N[k|M] --out FILE.pcap [--seed S]\n');
    process.exitCode = 2;
    return;
  }
  const t0 = process.hrtime.bigint();
  const c = generate({ frames, out: values.out, seed });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const pct = (n: number): string => `${((100 * n) / c.frames).toFixed(1)}%`;
  process.stderr.write(
    `${values.out}: ${c.frames} frames, ${(c.bytes / 1e6).toFixed(1)} MB of frames in ${secs.toFixed(1)} s; ` +
      `arp ${pct(c.arp)}, icmp ${pct(c.icmp)}, tcp ${pct(c.tcp)}, udp ${pct(c.udp)} ` +
      `(gateway↔gateway ${pct(c.gatewayToGateway)}), ipv6 ${pct(c.ipv6)}, vlan-tagged ${pct(c.vlan)}\n`,
  );
}

/** "500000", "500k", "5M". */
function parseCount(s: string): number | undefined {
  const m = /^(\d+)([kKmM]?)$/.exec(s);
  if (m === null) return undefined;
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1e6);
  return n > 0 ? n : undefined;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2));
}
