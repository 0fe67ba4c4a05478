/**
 * Writes the capture fixtures in fixtures/ (run with `npm run fixtures`).
 *
 * Everything is deterministic: fixed timestamps, fixed addresses, no
 * randomness, no clock. The script builds the whole set twice in memory and
 * refuses to write anything if the two builds differ.
 *
 * Usage: node dist/scripts/build-fixtures.js [--out DIR] [--no-readme]
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PcapWriter } from '../src/source/pcap-writer.js';
import type { PcapWriterOptions } from '../src/source/pcap-writer.js';
import {
  ARP_OP,
  BATADV_SUBTYPE,
  ETHERTYPE,
  ICMP_TYPE,
  ICMP_UNREACH_CODE,
  ICMPV6_TYPE,
  IP_PROTO,
  LINKTYPE,
  SLL_PKTTYPE,
  TCP_FLAGS,
  arp,
  batadvBroadcast,
  batadvUnicast,
  batadvUnicast4addr,
  ethernet,
  icmpEcho,
  icmpError,
  icmpv6Echo,
  ipv4,
  ipv6,
  ipv6MulticastMac,
  neighborAdvert,
  neighborSolicit,
  routerAdvert,
  routerSolicit,
  sll,
  sll2,
  solicitedNode,
  tcp,
  udp,
} from '../test/support/frame-builder.js';
import type { VlanTag } from '../test/support/frame-builder.js';
import { PcapngBuilder, PCAPNG_OPTION, TSRESOL } from '../test/support/pcapng-writer.js';
import { writeScenarioFixtures } from './anycast-scenarios.js';

// ------------------------------------------------------------------ scenario
// Viewpoint: a Freifunk gateway with the L2 anycast MAC/IP, a client behind
// the mesh, and two mesh nodes exchanging batman-adv frames.

export const ADDR = {
  CLIENT_MAC: '02:00:00:00:00:0a',
  GW_MAC: '02:ca:fe:ac:00:01',
  BROADCAST_MAC: 'ff:ff:ff:ff:ff:ff',
  ZERO_MAC: '00:00:00:00:00:00',
  CLIENT_IP: '10.172.0.10',
  GW_IP: '10.172.0.1',
  CLIENT_LL6: 'fe80::ff:fe00:a',
  GW_LL6: 'fe80::1',
  CLIENT_IP6: '2001:db8:ac::a',
  GW_IP6: '2001:db8:ac::1',
  PREFIX6: '2001:db8:ac::',
  NODE_A: '02:00:00:aa:00:01',
  NODE_B: '02:00:00:bb:00:01',
} as const;

/** 2023-11-14T22:13:20Z: fixed so files are identical on every run. */
export const BASE_SEC = 1_700_000_000;

/**
 * Link ifindexes for the SLL2 captures: bat0 is a port of br-client. Chosen
 * high because tcpdump prints the local name of an ifindex that exists on the
 * machine reading the file, which would make its output machine-dependent.
 */
export const IFINDEX = { BAT0: 104, BR_CLIENT: 105 } as const;

/** Block types for the skip test: 0x0BAD is pcapng's Custom Block (copyable); 0x80000BAD is in the local-use range no reader knows. */
export const SKIPPED_BLOCK = { CUSTOM: 0x00000bad, LOCAL_USE: 0x80000bad } as const;

/** RFC 5612 example Private Enterprise Number, for the Custom Block body. */
const EXAMPLE_PEN = 32473;

const ECHO_ID = 0x1234;
const ECHO_PAYLOAD = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));

/** An L3 packet with its link-layer addressing, before choosing an encapsulation. */
interface L3Packet {
  dst: string;
  src: string;
  type: number;
  payload: Buffer;
}

interface Frame {
  tsSec: number;
  tsNsec: number;
  data: Buffer;
  /** Captured bytes; default data.length (the wire length is always data.length). */
  capLen?: number;
}

const arpRequest: L3Packet = {
  dst: ADDR.BROADCAST_MAC,
  src: ADDR.CLIENT_MAC,
  type: ETHERTYPE.ARP,
  payload: arp({ op: ARP_OP.REQUEST, sha: ADDR.CLIENT_MAC, spa: ADDR.CLIENT_IP, tha: ADDR.ZERO_MAC, tpa: ADDR.GW_IP }),
};

const arpReply: L3Packet = {
  dst: ADDR.CLIENT_MAC,
  src: ADDR.GW_MAC,
  type: ETHERTYPE.ARP,
  payload: arp({ op: ARP_OP.REPLY, sha: ADDR.GW_MAC, spa: ADDR.GW_IP, tha: ADDR.CLIENT_MAC, tpa: ADDR.CLIENT_IP }),
};

const gratuitousArp: L3Packet = {
  dst: ADDR.BROADCAST_MAC,
  src: ADDR.GW_MAC,
  type: ETHERTYPE.ARP,
  payload: arp({ op: ARP_OP.REQUEST, sha: ADDR.GW_MAC, spa: ADDR.GW_IP, tha: ADDR.ZERO_MAC, tpa: ADDR.GW_IP }),
};

const echoRequest: L3Packet = {
  dst: ADDR.GW_MAC,
  src: ADDR.CLIENT_MAC,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: ADDR.CLIENT_IP,
    dst: ADDR.GW_IP,
    proto: IP_PROTO.ICMP,
    id: 0x4d01,
    flags: 0b010,
    payload: icmpEcho({ type: ICMP_TYPE.ECHO_REQUEST, id: ECHO_ID, seq: 1, payload: ECHO_PAYLOAD }),
  }),
};

const echoReply: L3Packet = {
  dst: ADDR.CLIENT_MAC,
  src: ADDR.GW_MAC,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: ADDR.GW_IP,
    dst: ADDR.CLIENT_IP,
    proto: IP_PROTO.ICMP,
    id: 0x9a02,
    payload: icmpEcho({ type: ICMP_TYPE.ECHO_REPLY, id: ECHO_ID, seq: 1, payload: ECHO_PAYLOAD }),
  }),
};

const tcpSyn: L3Packet = {
  dst: ADDR.GW_MAC,
  src: ADDR.CLIENT_MAC,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: ADDR.CLIENT_IP,
    dst: ADDR.GW_IP,
    proto: IP_PROTO.TCP,
    id: 0x4d02,
    flags: 0b010,
    payload: tcp({ sport: 40000, dport: 443, seq: 1_000_000, flags: TCP_FLAGS.SYN }),
  }),
};

const udpIpPacket = ipv4({
  src: ADDR.CLIENT_IP,
  dst: ADDR.GW_IP,
  proto: IP_PROTO.UDP,
  id: 0x4d03,
  ttl: 1,
  payload: udp({ sport: 53000, dport: 33434, payload: Buffer.from('anycast-probe', 'ascii') }),
});

const udpProbe: L3Packet = { dst: ADDR.GW_MAC, src: ADDR.CLIENT_MAC, type: ETHERTYPE.IPV4, payload: udpIpPacket };

const portUnreachable: L3Packet = {
  dst: ADDR.CLIENT_MAC,
  src: ADDR.GW_MAC,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: ADDR.GW_IP,
    dst: ADDR.CLIENT_IP,
    proto: IP_PROTO.ICMP,
    id: 0x9a03,
    // RFC 792: the original IP header plus the first 8 bytes (the UDP header).
    payload: icmpError({
      type: ICMP_TYPE.DEST_UNREACHABLE,
      code: ICMP_UNREACH_CODE.PORT,
      original: udpIpPacket.subarray(0, 28),
    }),
  }),
};

/** The base IPv4 scenario, in order. */
const BASE_PACKETS: readonly L3Packet[] = [arpRequest, arpReply, gratuitousArp, echoRequest, echoReply, tcpSyn, udpProbe, portUnreachable];

/** The short scenario used for cooked, VLAN and multi-interface captures. */
const SHORT_PACKETS: readonly L3Packet[] = [arpRequest, arpReply, echoRequest, echoReply];

function eth(p: L3Packet, vlans?: readonly VlanTag[], padTo60 = true): Buffer {
  return ethernet({ dst: p.dst, src: p.src, type: p.type, payload: p.payload, padTo60, ...(vlans ? { vlans } : {}) });
}

/** sll_pkttype as seen by the gateway: its own frames are outgoing. */
function pktTypeOf(p: L3Packet): number {
  if (p.src === ADDR.GW_MAC) return SLL_PKTTYPE.OUTGOING;
  if (p.dst === ADDR.BROADCAST_MAC) return SLL_PKTTYPE.BROADCAST;
  if (p.dst.startsWith('33:33:')) return SLL_PKTTYPE.MULTICAST;
  return SLL_PKTTYPE.HOST;
}

function cooked(p: L3Packet): Buffer {
  return sll({ pktType: pktTypeOf(p), addr: p.src, proto: p.type, payload: p.payload });
}

function cooked2(p: L3Packet, ifIndex: number): Buffer {
  return sll2({ pktType: pktTypeOf(p), ifIndex, addr: p.src, proto: p.type, payload: p.payload });
}

/** Frame i of a scenario is 10.25 ms after frame i-1 (a whole number of µs). */
function at(i: number, extraNsec = 0): { tsSec: number; tsNsec: number } {
  const ns = i * 10_250_000 + extraNsec;
  return { tsSec: BASE_SEC + Math.floor(ns / 1e9), tsNsec: ns % 1e9 };
}

function frames(datas: readonly Buffer[], extraNsec = 0): Frame[] {
  return datas.map((data, i) => ({ ...at(i, extraNsec), data }));
}

function pcap(opts: PcapWriterOptions, fs: readonly Frame[]): Buffer {
  const w = new PcapWriter(opts);
  return Buffer.concat([w.header(), ...fs.map((f) => w.record(f.tsSec, f.tsNsec, f.data, 0, f.capLen ?? f.data.length, f.data.length))]);
}

// ------------------------------------------------------------------ IPv6 / NDP

const ipv6Packets: readonly L3Packet[] = [
  {
    dst: ADDR.GW_MAC,
    src: ADDR.CLIENT_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.CLIENT_IP6,
      dst: ADDR.GW_IP6,
      next: IP_PROTO.ICMPV6,
      payload: icmpv6Echo({ type: ICMPV6_TYPE.ECHO_REQUEST, id: ECHO_ID, seq: 1, payload: ECHO_PAYLOAD }),
    }),
  },
  {
    dst: ADDR.CLIENT_MAC,
    src: ADDR.GW_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.GW_IP6,
      dst: ADDR.CLIENT_IP6,
      next: IP_PROTO.ICMPV6,
      payload: icmpv6Echo({ type: ICMPV6_TYPE.ECHO_REPLY, id: ECHO_ID, seq: 1, payload: ECHO_PAYLOAD }),
    }),
  },
  {
    dst: ipv6MulticastMac(solicitedNode(ADDR.GW_LL6)),
    src: ADDR.CLIENT_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.CLIENT_LL6,
      dst: solicitedNode(ADDR.GW_LL6),
      next: IP_PROTO.ICMPV6,
      hlim: 255, // RFC 4861 requires 255 on every NDP message
      payload: neighborSolicit({ target: ADDR.GW_LL6, slla: ADDR.CLIENT_MAC }),
    }),
  },
  {
    dst: ADDR.CLIENT_MAC,
    src: ADDR.GW_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.GW_LL6,
      dst: ADDR.CLIENT_LL6,
      next: IP_PROTO.ICMPV6,
      hlim: 255,
      payload: neighborAdvert({
        target: ADDR.GW_LL6,
        flags: { router: false, solicited: true, override: true },
        tlla: ADDR.GW_MAC,
      }),
    }),
  },
  {
    dst: ipv6MulticastMac('ff02::2'),
    src: ADDR.CLIENT_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.CLIENT_LL6,
      dst: 'ff02::2',
      next: IP_PROTO.ICMPV6,
      hlim: 255,
      payload: routerSolicit({ slla: ADDR.CLIENT_MAC }),
    }),
  },
  {
    dst: ipv6MulticastMac('ff02::1'),
    src: ADDR.GW_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.GW_LL6,
      dst: 'ff02::1',
      next: IP_PROTO.ICMPV6,
      hlim: 255,
      payload: routerAdvert({
        hopLimit: 64,
        lifetime: 1800,
        slla: ADDR.GW_MAC,
        prefix: { prefix: ADDR.PREFIX6, length: 64 },
      }),
    }),
  },
  {
    dst: ADDR.GW_MAC,
    src: ADDR.CLIENT_MAC,
    type: ETHERTYPE.IPV6,
    payload: ipv6({
      src: ADDR.CLIENT_IP6,
      dst: ADDR.GW_IP6,
      next: IP_PROTO.ICMPV6,
      hopByHop: true,
      payload: icmpv6Echo({ type: ICMPV6_TYPE.ECHO_REQUEST, id: ECHO_ID, seq: 2, payload: ECHO_PAYLOAD }),
    }),
  },
];

// ------------------------------------------------------------------ batman-adv

function batadvFrame(outerSrc: string, outerDst: string, payload: Buffer): Buffer {
  return ethernet({ dst: outerDst, src: outerSrc, type: ETHERTYPE.BATADV, payload });
}

const nsForGlobalGw: L3Packet = {
  dst: ipv6MulticastMac(solicitedNode(ADDR.GW_IP6)),
  src: ADDR.CLIENT_MAC,
  type: ETHERTYPE.IPV6,
  payload: ipv6({
    src: ADDR.CLIENT_IP6,
    dst: solicitedNode(ADDR.GW_IP6),
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: neighborSolicit({ target: ADDR.GW_IP6, slla: ADDR.CLIENT_MAC }),
  }),
};

const batmanFrames: readonly Buffer[] = [
  // Client's ARP request flooded through the mesh by node A.
  batadvFrame(ADDR.NODE_A, ADDR.BROADCAST_MAC, batadvBroadcast({ ttl: 50, seqno: 4711, orig: ADDR.NODE_A, inner: eth(arpRequest) })),
  // The gateway's ARP reply, unicast back to node A (the client's originator).
  batadvFrame(ADDR.NODE_B, ADDR.NODE_A, batadvUnicast({ ttl: 50, ttvn: 7, dest: ADDR.NODE_A, inner: eth(arpReply) })),
  batadvFrame(ADDR.NODE_A, ADDR.NODE_B, batadvUnicast({ ttl: 50, ttvn: 3, dest: ADDR.NODE_B, inner: eth(echoRequest) })),
  batadvFrame(ADDR.NODE_B, ADDR.NODE_A, batadvUnicast({ ttl: 50, ttvn: 7, dest: ADDR.NODE_A, inner: eth(echoReply) })),
  // Distributed ARP Table lookup: an ARP request sent unicast-4addr to a DHT candidate.
  batadvFrame(
    ADDR.NODE_A,
    ADDR.NODE_B,
    batadvUnicast4addr({
      ttl: 50,
      ttvn: 3,
      dest: ADDR.NODE_B,
      src: ADDR.NODE_A,
      subtype: BATADV_SUBTYPE.DAT_DHT_GET,
      inner: eth(arpRequest),
    }),
  ),
  batadvFrame(ADDR.NODE_A, ADDR.BROADCAST_MAC, batadvBroadcast({ ttl: 50, seqno: 4712, orig: ADDR.NODE_A, inner: eth(nsForGlobalGw) })),
];

// ------------------------------------------------------------------ fixture set

export interface FixtureFile {
  name: string;
  /** One sentence for the README. */
  description: string;
  format: 'pcap' | 'pcapng' | 'empty';
  linkType: string;
  /** Packets a correct reader delivers (for broken files: before the error). */
  frames: number;
  broken: boolean;
  /** False where libpcap cannot read the file by design (mixed link types). */
  tcpdumpReadable: boolean;
  bytes: Buffer;
}

const ETH_US: PcapWriterOptions = { linkType: LINKTYPE.ETHERNET };

function buildPcapngArpIcmp(bigEndian: boolean): Buffer {
  const b = new PcapngBuilder();
  b.shb({
    bigEndian,
    options: [{ code: PCAPNG_OPTION.SHB_USERAPPL, value: Buffer.from('anycast-probe build-fixtures') }],
  });
  // The little-endian file leaves if_tsresol out (default µs); the big-endian one states it.
  const ifId = b.idb(bigEndian ? { linkType: LINKTYPE.ETHERNET, tsresol: TSRESOL.MICRO } : { linkType: LINKTYPE.ETHERNET });
  BASE_PACKETS.forEach((p, i) => {
    b.epb({ interfaceId: ifId, ...at(i), data: eth(p) });
  });
  return b.build();
}

function buildMultiInterface(): Buffer {
  const b = new PcapngBuilder();
  b.shb();
  const ethIf = b.idb({ linkType: LINKTYPE.ETHERNET, tsresol: TSRESOL.MICRO, name: 'br-client' });
  const sllIf = b.idb({ linkType: LINKTYPE.LINUX_SLL, tsresol: TSRESOL.NANO, name: 'any' });
  b.epb({ interfaceId: ethIf, ...at(0), data: eth(arpRequest) });
  b.epb({ interfaceId: sllIf, ...at(0, 1_234), data: cooked(arpRequest) });
  // A well-formed Custom Block (PEN + data), then a block of a type no spec assigns.
  const custom = Buffer.concat([Buffer.alloc(4), Buffer.from('readers must skip this custom block')]);
  custom.writeUInt32LE(EXAMPLE_PEN, 0);
  b.unknown(SKIPPED_BLOCK.CUSTOM, custom);
  b.unknown(SKIPPED_BLOCK.LOCAL_USE, Buffer.from('readers must skip unknown block types'));
  b.epb({ interfaceId: ethIf, ...at(2), data: eth(echoRequest) });
  b.epb({ interfaceId: sllIf, ...at(2, 5_678), data: cooked(echoRequest) });
  // SPBs always belong to interface 0 and carry no timestamp.
  b.spb({ data: eth(echoReply) });
  b.epb({ interfaceId: sllIf, ...at(3, 9_999), data: cooked(echoReply) });
  return b.build();
}

function buildBrokenBlockLength(): Buffer {
  const b = new PcapngBuilder();
  b.shb();
  const ifId = b.idb({ linkType: LINKTYPE.ETHERNET });
  b.epb({ interfaceId: ifId, ...at(0), data: eth(arpRequest) });
  b.epb({ interfaceId: ifId, ...at(1), data: eth(arpReply) });
  // Hand-built EPB whose trailing total length disagrees with the leading one.
  const good = new PcapngBuilder().shb();
  good.idb({ linkType: LINKTYPE.ETHERNET });
  const data = eth(echoRequest);
  const ts = good.timestampUnits(0, at(2).tsSec, at(2).tsNsec);
  const body = Buffer.alloc(20 + ((data.length + 3) & ~3));
  body.writeUInt32LE(0, 0);
  body.writeUInt32LE(Number(ts >> 32n), 4);
  body.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  body.writeUInt32LE(data.length, 12);
  body.writeUInt32LE(data.length, 16);
  data.copy(body, 20);
  b.block(0x00000006, body, { trailingLength: 12 + body.length + 4 });
  return b.build();
}

function brokenPcap(good: readonly Frame[], tail: (w: PcapWriter) => Buffer, opts: PcapWriterOptions = ETH_US): Buffer {
  const w = new PcapWriter(opts);
  return Buffer.concat([pcap(opts, good), tail(w)]);
}

/** Record header only, with an arbitrary incl_len (no clipping, no checks). */
function forgedRecordHeader(w: PcapWriter, i: number, inclLen: number, wireLen: number): Buffer {
  const h = Buffer.alloc(16);
  const t = at(i);
  w.writeRecordHeaderInto(h, 0, t.tsSec, t.tsNsec, inclLen, wireLen);
  return h;
}

export function buildFixtures(): FixtureFile[] {
  const baseEth = BASE_PACKETS.map((p) => eth(p));
  const shortEth = SHORT_PACKETS.map((p) => eth(p));
  const out: FixtureFile[] = [];
  const add = (f: Omit<FixtureFile, 'broken' | 'tcpdumpReadable'> & Partial<FixtureFile>): void => {
    out.push({ broken: false, tcpdumpReadable: true, ...f });
  };

  add({
    name: 'arp-icmp-eth-us.pcap',
    description:
      'Little-endian µs pcap: ARP request/reply, gratuitous ARP, ICMP echo request/reply, TCP SYN, UDP probe, ICMP port unreachable quoting that UDP header.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: baseEth.length,
    bytes: pcap(ETH_US, frames(baseEth)),
  });
  add({
    name: 'arp-icmp-eth-ns-be.pcap',
    description: 'Same frames as arp-icmp-eth-us.pcap, big-endian with the nanosecond magic; each timestamp is 789 ns later so sub-µs digits are exercised.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: baseEth.length,
    bytes: pcap({ ...ETH_US, nanosecond: true, bigEndian: true }, frames(baseEth, 789)),
  });
  add({
    name: 'arp-icmp.pcapng',
    description: 'Same frames as arp-icmp-eth-us.pcap as little-endian pcapng: SHB, one Ethernet IDB without if_tsresol (µs default), EPBs.',
    format: 'pcapng',
    linkType: 'EN10MB (1)',
    frames: baseEth.length,
    bytes: buildPcapngArpIcmp(false),
  });
  add({
    name: 'big-endian.pcapng',
    description: 'Same frames as arp-icmp.pcapng with a big-endian SHB, and the IDB states if_tsresol=6.',
    format: 'pcapng',
    linkType: 'EN10MB (1)',
    frames: baseEth.length,
    bytes: buildPcapngArpIcmp(true),
  });
  add({
    name: 'multi-interface.pcapng',
    description:
      'One SHB, IDB 0 Ethernet (µs, br-client), IDB 1 Linux SLL (ns, any); EPBs on both, one SPB (interface 0), a Custom Block (type 0x0BAD, PEN 32473) and a local-use block type 0x80000BAD, both to be skipped. libpcap refuses mixed link types, so tcpdump cannot read it; tshark can.',
    format: 'pcapng',
    linkType: 'EN10MB (1) + LINUX_SLL (113)',
    frames: 6,
    tcpdumpReadable: false,
    bytes: buildMultiInterface(),
  });
  add({
    name: 'sll.pcap',
    description: 'Linux cooked v1: ARP request (broadcast), ARP reply (outgoing), ICMP echo request (host), reply (outgoing).',
    format: 'pcap',
    linkType: 'LINUX_SLL (113)',
    frames: SHORT_PACKETS.length,
    bytes: pcap({ linkType: LINKTYPE.LINUX_SLL }, frames(SHORT_PACKETS.map(cooked))),
  });
  add({
    name: 'sll2.pcap',
    description: 'Linux cooked v2 on ifindex 105 (br-client): same four frames as sll.pcap.',
    format: 'pcap',
    linkType: 'LINUX_SLL2 (276)',
    frames: SHORT_PACKETS.length,
    bytes: pcap({ linkType: LINKTYPE.LINUX_SLL2 }, frames(SHORT_PACKETS.map((p) => cooked2(p, IFINDEX.BR_CLIENT)))),
  });

  // `tcpdump -i any` on a gateway where bat0 (ifindex 104) is a port of
  // br-client (ifindex 105): every frame shows up on both, microseconds apart.
  const dupFrames: Frame[] = [];
  SHORT_PACKETS.forEach((p, i) => {
    const incoming = pktTypeOf(p) !== SLL_PKTTYPE.OUTGOING;
    // Incoming frames cross the port first; outgoing ones leave via the bridge first.
    const order = incoming ? [IFINDEX.BAT0, IFINDEX.BR_CLIENT] : [IFINDEX.BR_CLIENT, IFINDEX.BAT0];
    order.forEach((ifIndex, k) => {
      dupFrames.push({ ...at(i, k * (3_000 + i * 1_000)), data: cooked2(p, ifIndex) });
    });
  });
  add({
    name: 'sll2-any-duplicates.pcap',
    description:
      'tcpdump -i any style (SLL2): ARP request/reply and ICMP echo request/reply, each seen twice 3-6 µs apart on ifindex 104 (bat0, bridge port) and 105 (br-client, the bridge).',
    format: 'pcap',
    linkType: 'LINUX_SLL2 (276)',
    frames: dupFrames.length,
    bytes: pcap({ linkType: LINKTYPE.LINUX_SLL2 }, dupFrames),
  });

  const q: readonly VlanTag[] = [{ tpid: ETHERTYPE.VLAN, id: 10 }];
  add({
    name: 'vlan.pcap',
    description: '802.1Q VLAN 10: ARP request/reply, ICMP echo request/reply.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: SHORT_PACKETS.length,
    bytes: pcap(ETH_US, frames(SHORT_PACKETS.map((p) => eth(p, q)))),
  });
  const qinq: readonly VlanTag[] = [
    { tpid: ETHERTYPE.QINQ, id: 100 },
    { tpid: ETHERTYPE.VLAN, id: 10, pcp: 0 },
  ];
  add({
    name: 'qinq.pcap',
    description: '802.1ad S-tag 100 (0x88a8) + 802.1Q C-tag 10: ARP request/reply, ICMP echo request/reply.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: SHORT_PACKETS.length,
    bytes: pcap(ETH_US, frames(SHORT_PACKETS.map((p) => eth(p, qinq)))),
  });
  add({
    name: 'ipv6-ndp.pcap',
    description:
      'ICMPv6 echo request/reply, NS with SLLA, NA (solicited+override) with TLLA, RS with SLLA, RA with SLLA + prefix 2001:db8:ac::/64, echo request behind a Hop-by-Hop header.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: ipv6Packets.length,
    bytes: pcap(ETH_US, frames(ipv6Packets.map((p) => eth(p)))),
  });
  add({
    name: 'batman-adv.pcap',
    description:
      'batman-adv v15 over EtherType 0x4305: broadcast(ARP request), unicast(ARP reply), unicast(ICMP echo request), unicast(echo reply), unicast-4addr DAT_DHT_GET(ARP request), broadcast(ICMPv6 NS).',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: batmanFrames.length,
    bytes: pcap(ETH_US, frames(batmanFrames)),
  });

  const echoFrame = eth(echoRequest);
  const arpFrame = eth(arpRequest);
  add({
    name: 'truncated-snaplen.pcap',
    description: 'Snaplen 38: ICMP echo request cut 4 bytes into the ICMP header (caplen 38 of 98), ARP request cut after 20 bytes of ARP (caplen 34 of 60).',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: 2,
    bytes: pcap({ ...ETH_US, snapLen: 38 }, [
      { ...at(0), data: echoFrame, capLen: 38 },
      { ...at(1), data: arpFrame, capLen: 14 + 20 },
    ]),
  });

  // ---------------------------------------------------------------- broken
  add({
    name: 'broken-empty.pcap',
    description: '0 bytes.',
    format: 'empty',
    linkType: '-',
    frames: 0,
    broken: true,
    bytes: Buffer.alloc(0),
  });
  const badMagic = pcap(ETH_US, frames([arpFrame]));
  badMagic.writeUInt32LE(0xdeadbeef, 0);
  add({
    name: 'broken-bad-magic.pcap',
    description: 'A pcap header whose magic is 0xdeadbeef, followed by one otherwise valid record.',
    format: 'pcap',
    linkType: '-',
    frames: 0,
    broken: true,
    bytes: badMagic,
  });
  add({
    name: 'broken-truncated-header.pcap',
    description: 'The first 16 of the 24 bytes of a valid global header.',
    format: 'pcap',
    linkType: '-',
    frames: 0,
    broken: true,
    bytes: new PcapWriter(ETH_US).header().subarray(0, 16),
  });
  const replyFrame = eth(echoReply);
  add({
    name: 'broken-truncated-record.pcap',
    description: `3 good frames, then a record header announcing ${replyFrame.length} bytes followed by only 10.`,
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: 3,
    broken: true,
    bytes: brokenPcap(frames(baseEth.slice(0, 3)), (w) =>
      Buffer.concat([forgedRecordHeader(w, 3, replyFrame.length, replyFrame.length), replyFrame.subarray(0, 10)]),
    ),
  });
  // A real 200-byte UDP frame, recorded whole although the header says snaplen 128.
  const bigFrame = eth({
    ...udpProbe,
    payload: ipv4({
      src: ADDR.CLIENT_IP,
      dst: ADDR.GW_IP,
      proto: IP_PROTO.UDP,
      id: 0x4d04,
      payload: udp({ sport: 53000, dport: 33435, payload: Buffer.alloc(200 - 14 - 20 - 8, 0x61) }),
    }),
  });
  add({
    name: 'broken-caplen-over-snaplen.pcap',
    description: 'Snaplen 128; 2 good frames, then a complete 200-byte record (incl_len 200 > snaplen), which libpcap, tshark and anycast-probe read whole.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: 2,
    broken: true,
    bytes: brokenPcap(frames(shortEth.slice(0, 2)), (w) => Buffer.concat([forgedRecordHeader(w, 2, bigFrame.length, bigFrame.length), bigFrame]), {
      ...ETH_US,
      snapLen: 128,
    }),
  });
  add({
    name: 'broken-absurd-length.pcap',
    description: '2 good frames, then a record with incl_len 0x7fffffff followed by 16 bytes.',
    format: 'pcap',
    linkType: 'EN10MB (1)',
    frames: 2,
    broken: true,
    bytes: brokenPcap(frames(shortEth.slice(0, 2)), (w) => Buffer.concat([forgedRecordHeader(w, 2, 0x7fffffff, 0x7fffffff), echoFrame.subarray(0, 16)])),
  });
  add({
    name: 'broken-block-length.pcapng',
    description: 'SHB, IDB, 2 good EPBs, then an EPB whose trailing total length is 4 more than its leading one.',
    format: 'pcapng',
    linkType: 'EN10MB (1)',
    frames: 2,
    broken: true,
    bytes: buildBrokenBlockLength(),
  });
  add({
    name: 'broken-unknown-linktype.pcap',
    description: 'Link type 160 (LINKTYPE_USER13, not decodable by anycast-probe) with 2 Ethernet-looking records.',
    format: 'pcap',
    linkType: 'USER13 (160)',
    frames: 2,
    broken: true,
    bytes: pcap({ linkType: 160 }, frames(shortEth.slice(0, 2))),
  });
  return out;
}

// ------------------------------------------------------------------ output

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Fails loudly if two in-memory builds differ (a source of nondeterminism crept in). */
export function assertDeterministic(): void {
  const a = buildFixtures();
  const b = buildFixtures();
  if (a.length !== b.length) throw new Error('fixture builds differ in file count');
  a.forEach((f, i) => {
    const g = b[i];
    if (g === undefined || g.name !== f.name || !g.bytes.equals(f.bytes)) {
      throw new Error(`fixture ${f.name} differs between two builds`);
    }
  });
}

interface ToolOutput {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function runTool(cmd: string, args: readonly string[], cwd: string): ToolOutput | null {
  // TZ=UTC so the printed times do not depend on the machine; cwd so paths are bare names.
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  if (r.error !== undefined) return null;
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function readme(files: readonly FixtureFile[], dir: string): string {
  const lines: string[] = [
    '# Capture fixtures',
    '',
    'Generated by `npm run fixtures` (`scripts/build-fixtures.ts`); do not edit by hand.',
    'The builder uses fixed timestamps (base 2023-11-14T22:13:20Z) and no randomness, so',
    'every run produces byte-identical captures; it checks this itself before writing.',
    '',
    'Addresses: client 02:00:00:00:00:0a / 10.172.0.10 / fe80::ff:fe00:a / 2001:db8:ac::a;',
    'anycast gateway 02:ca:fe:ac:00:01 / 10.172.0.1 / fe80::1 / 2001:db8:ac::1;',
    'mesh nodes A 02:00:00:aa:00:01 and B 02:00:00:bb:00:01.',
    '',
    '| File | Format | Link type | Frames | Bytes | Contents |',
    '| --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const f of files) {
    const frames = f.broken ? `${f.frames} good` : String(f.frames);
    lines.push(`| \`${f.name}\` | ${f.format} | ${f.linkType} | ${frames} | ${f.bytes.length} | ${f.description} |`);
  }
  lines.push('', '## What the tools print', '');
  lines.push('Output of `TZ=UTC tcpdump -nne -r FILE` (stderr included for broken files),');
  lines.push('or `tshark -r FILE` where libpcap cannot read the file.');
  for (const f of files) {
    lines.push('', `### ${f.name}`, '');
    const tool = f.tcpdumpReadable ? runTool('tcpdump', ['-nne', '-r', f.name], dir) : runTool('tshark', ['-r', f.name], dir);
    if (tool === null) {
      lines.push(`(${f.tcpdumpReadable ? 'tcpdump' : 'tshark'} was not available when this README was generated)`);
      continue;
    }
    const stderr = tool.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('reading from file') && !l.startsWith('Running as user'));
    const body = [...tool.stdout.split('\n').filter((l) => l !== ''), ...(f.broken || !tool.ok ? stderr : [])];
    lines.push('```', ...(body.length > 0 ? body : ['(no output)']), '```');
  }
  lines.push('');
  return lines.join('\n');
}

export interface WriteOptions {
  /** Also write README.md (runs tcpdump/tshark when available). Default true. */
  readme?: boolean;
}

export function writeFixtures(dir: string, opts: WriteOptions = {}): FixtureFile[] {
  assertDeterministic();
  const files = buildFixtures();
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  if (opts.readme ?? true) writeFileSync(join(dir, 'README.md'), readme(files, dir));
  return files;
}

function main(argv: readonly string[]): void {
  const outIdx = argv.indexOf('--out');
  const here = dirname(fileURLToPath(import.meta.url));
  // Compiled to dist/scripts/, so the project root is two levels up.
  const dir = outIdx >= 0 && argv[outIdx + 1] !== undefined ? resolve(argv[outIdx + 1] ?? '') : resolve(here, '../../fixtures');
  const files = writeFixtures(dir, { readme: !argv.includes('--no-readme') });
  for (const f of files) {
    process.stdout.write(`${f.name.padEnd(34)} ${String(f.bytes.length).padStart(6)} B  ${sha256(f.bytes).slice(0, 16)}\n`);
  }
  process.stdout.write(`wrote ${files.length} fixtures to ${dir}; two in-memory builds were byte-identical\n`);
  const scenarioDir = join(dir, 'scenarios');
  const scenarios = writeScenarioFixtures(scenarioDir);
  for (const f of scenarios) {
    process.stdout.write(`scenarios/${f.name.padEnd(28)} ${String(f.bytes.length).padStart(6)} B  ${sha256(f.bytes).slice(0, 16)}\n`);
  }
  process.stdout.write(`wrote ${scenarios.length} anycast scenarios to ${scenarioDir}; two in-memory builds were byte-identical\n`);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  main(process.argv.slice(2));
}
