/**
 * Test/bench-only builders for real, checksum-correct frames.
 *
 * Every function returns a fresh Buffer (allocation is fine here). Layering is
 * explicit: build the innermost message, wrap it in ipv4()/ipv6(), wrap that in
 * ethernet() (or sll()/sll2()). ipv4() and ipv6() fill in the UDP, TCP and
 * ICMPv6 checksums because those need the pseudo header; ICMPv4 checksums are
 * computed by the ICMP builders since they cover only the ICMP message.
 */

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  BATADV: 0x4305,
} as const;

export const IP_PROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPV6: 58,
  NONE: 59,
} as const;

export const ARP_OP = { REQUEST: 1, REPLY: 2 } as const;

export const ICMP_TYPE = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
} as const;

export const ICMP_UNREACH_CODE = { NET: 0, HOST: 1, PROTOCOL: 2, PORT: 3 } as const;

export const ICMPV6_TYPE = {
  DEST_UNREACHABLE: 1,
  ECHO_REQUEST: 128,
  ECHO_REPLY: 129,
  ROUTER_SOLICIT: 133,
  ROUTER_ADVERT: 134,
  NEIGHBOR_SOLICIT: 135,
  NEIGHBOR_ADVERT: 136,
} as const;

export const NDP_OPTION = {
  SOURCE_LLADDR: 1,
  TARGET_LLADDR: 2,
  PREFIX_INFO: 3,
  MTU: 5,
  RDNSS: 25,
} as const;

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

/**
 * batman-adv packet types, checked against the kernel's
 * include/uapi/linux/batadv_packet.h (compat version 15). Note 0x41 is
 * UNICAST_FRAG; UNICAST_4ADDR is 0x42.
 */
export const BATADV_PACKET_TYPE = {
  IV_OGM: 0x00,
  BCAST: 0x01,
  CODED: 0x02,
  ELP: 0x03,
  OGM2: 0x04,
  MCAST: 0x05,
  UNICAST: 0x40,
  UNICAST_FRAG: 0x41,
  UNICAST_4ADDR: 0x42,
  ICMP: 0x43,
  UNICAST_TVLV: 0x44,
} as const;

export const BATADV_COMPAT_VERSION = 15;

/** batman-adv unicast-4addr subtypes (enum batadv_subtype). */
export const BATADV_SUBTYPE = {
  DATA: 0x01,
  DAT_DHT_GET: 0x02,
  DAT_DHT_PUT: 0x03,
  DAT_DHT_REPLY: 0x04,
} as const;

/** Linux sll_pkttype values (include/uapi/linux/if_packet.h). */
export const SLL_PKTTYPE = {
  HOST: 0,
  BROADCAST: 1,
  MULTICAST: 2,
  OTHERHOST: 3,
  OUTGOING: 4,
} as const;

export const ARPHRD = { ETHER: 1 } as const;

export const LINKTYPE = {
  ETHERNET: 1,
  LINUX_SLL: 113,
  LINUX_SLL2: 276,
} as const;

// ---------------------------------------------------------------- addresses

export function mac(s: string): Buffer {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`bad MAC address: ${s}`);
  }
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function ipv4Addr(s: string): Buffer {
  const parts = s.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address: ${s}`);
  return Buffer.from(
    parts.map((p) => {
      const n = Number(p);
      if (!/^\d{1,3}$/.test(p) || n > 255) throw new Error(`bad IPv4 address: ${s}`);
      return n;
    }),
  );
}

export function ipv6Addr(s: string): Buffer {
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address: ${s}`);
  const parse = (h: string | undefined): number[] =>
    h === undefined || h === ''
      ? []
      : h.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 address: ${s}`);
          return parseInt(g, 16);
        });
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) throw new Error(`bad IPv6 address: ${s}`);
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(g, i * 2);
  });
  return out;
}

/** Ethernet multicast address for an IPv6 multicast group (RFC 2464 §7). */
export function ipv6MulticastMac(group: string): string {
  const a = ipv6Addr(group);
  return ['33', '33', ...[12, 13, 14, 15].map((i) => (a[i] ?? 0).toString(16).padStart(2, '0'))].join(':');
}

/** Solicited-node multicast group (ff02::1:ffXX:XXXX) of a unicast address. */
export function solicitedNode(addr: string): string {
  const a = ipv6Addr(addr);
  const h = (i: number): string => (a[i] ?? 0).toString(16).padStart(2, '0');
  return `ff02::1:ff${h(13)}:${h(14)}${h(15)}`;
}

// ---------------------------------------------------------------- checksums

/** RFC 1071 Internet checksum over the concatenation of `parts`. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd: number | null = null; // a byte left over from a part of odd length
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const b = p[i] ?? 0;
      if (odd === null) odd = b;
      else {
        sum += (odd << 8) | b;
        odd = null;
      }
    }
  }
  if (odd !== null) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoHeaderV4(src: Buffer, dst: Buffer, proto: number, len: number): Buffer {
  const p = Buffer.alloc(12);
  src.copy(p, 0);
  dst.copy(p, 4);
  p[9] = proto;
  p.writeUInt16BE(len, 10);
  return p;
}

function pseudoHeaderV6(src: Buffer, dst: Buffer, next: number, len: number): Buffer {
  const p = Buffer.alloc(40);
  src.copy(p, 0);
  dst.copy(p, 16);
  p.writeUInt32BE(len, 32);
  p[39] = next;
  return p;
}

/** Offset of the checksum field inside a transport segment, or null if none is filled. */
function l4ChecksumOffset(proto: number): number | null {
  switch (proto) {
    case IP_PROTO.TCP:
      return 16;
    case IP_PROTO.UDP:
      return 6;
    case IP_PROTO.ICMPV6:
      return 2;
    default:
      return null;
  }
}

function fillL4Checksum(pseudo: Buffer, proto: number, segment: Buffer): Buffer {
  const at = l4ChecksumOffset(proto);
  if (at === null || segment.length < at + 2) return segment;
  const seg = Buffer.from(segment);
  seg.writeUInt16BE(0, at);
  let c = internetChecksum(pseudo, seg);
  // UDP uses 0 for "no checksum", so a computed 0 is sent as all ones.
  if (proto === IP_PROTO.UDP && c === 0) c = 0xffff;
  seg.writeUInt16BE(c, at);
  return seg;
}

/** Copy of a TCP/UDP segment with its checksum set for the IPv4 pseudo header. */
export function withL4ChecksumV4(src: string, dst: string, proto: number, segment: Buffer): Buffer {
  return fillL4Checksum(pseudoHeaderV4(ipv4Addr(src), ipv4Addr(dst), proto, segment.length), proto, segment);
}

/** Copy of a TCP/UDP/ICMPv6 message with its checksum set for the IPv6 pseudo header. */
export function withL4ChecksumV6(src: string, dst: string, next: number, segment: Buffer): Buffer {
  return fillL4Checksum(pseudoHeaderV6(ipv6Addr(src), ipv6Addr(dst), next, segment.length), next, segment);
}

// ---------------------------------------------------------------- link layer

export interface VlanTag {
  /** 0x8100 (802.1Q) or 0x88a8 (802.1ad S-tag). */
  tpid: number;
  id: number;
  pcp?: number;
  dei?: boolean;
}

export interface EthernetOptions {
  dst: string;
  src: string;
  type: number;
  payload: Buffer;
  /** Tags outermost first. */
  vlans?: readonly VlanTag[];
  /** Pad to the 60-byte minimum (64 with FCS, which captures do not include). Default true. */
  padTo60?: boolean;
}

export function vlanTag(t: VlanTag): Buffer {
  if (t.id < 0 || t.id > 0xfff) throw new RangeError(`VLAN id out of range: ${t.id}`);
  const b = Buffer.alloc(4);
  b.writeUInt16BE(t.tpid, 0);
  b.writeUInt16BE((((t.pcp ?? 0) & 7) << 13) | ((t.dei ?? false) ? 0x1000 : 0) | t.id, 2);
  return b;
}

export function ethernet(o: EthernetOptions): Buffer {
  const tags = (o.vlans ?? []).map(vlanTag);
  const type = Buffer.alloc(2);
  type.writeUInt16BE(o.type, 0);
  const frame = Buffer.concat([mac(o.dst), mac(o.src), ...tags, type, o.payload]);
  if ((o.padTo60 ?? true) && frame.length < 60) {
    return Buffer.concat([frame, Buffer.alloc(60 - frame.length)]);
  }
  return frame;
}

export interface SllOptions {
  pktType: number;
  haType?: number;
  /** Link-layer source address (MAC). */
  addr: string;
  proto: number;
  payload: Buffer;
}

/** Linux cooked header v1 (LINKTYPE_LINUX_SLL = 113), 16 bytes. */
export function sll(o: SllOptions): Buffer {
  const h = Buffer.alloc(16);
  const a = mac(o.addr);
  h.writeUInt16BE(o.pktType, 0);
  h.writeUInt16BE(o.haType ?? ARPHRD.ETHER, 2);
  h.writeUInt16BE(a.length, 4);
  a.copy(h, 6); // 8-byte field, zero padded
  h.writeUInt16BE(o.proto, 14);
  return Buffer.concat([h, o.payload]);
}

export interface Sll2Options extends SllOptions {
  ifIndex: number;
}

/** Linux cooked header v2 (LINKTYPE_LINUX_SLL2 = 276), 20 bytes. */
export function sll2(o: Sll2Options): Buffer {
  const h = Buffer.alloc(20);
  const a = mac(o.addr);
  h.writeUInt16BE(o.proto, 0);
  // bytes 2..3 reserved (mbz)
  h.writeUInt32BE(o.ifIndex, 4);
  h.writeUInt16BE(o.haType ?? ARPHRD.ETHER, 8);
  h[10] = o.pktType;
  h[11] = a.length;
  a.copy(h, 12);
  return Buffer.concat([h, o.payload]);
}

// ---------------------------------------------------------------- ARP

export interface ArpOptions {
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
}

export function arp(o: ArpOptions): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt16BE(ARPHRD.ETHER, 0);
  b.writeUInt16BE(ETHERTYPE.IPV4, 2);
  b[4] = 6;
  b[5] = 4;
  b.writeUInt16BE(o.op, 6);
  mac(o.sha).copy(b, 8);
  ipv4Addr(o.spa).copy(b, 14);
  mac(o.tha).copy(b, 18);
  ipv4Addr(o.tpa).copy(b, 24);
  return b;
}

// ---------------------------------------------------------------- IPv4

export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  payload: Buffer;
  ttl?: number;
  id?: number;
  /** 3-bit flags field: 0b010 = DF, 0b001 = MF. */
  flags?: number;
  fragOffset?: number;
  tos?: number;
}

/** IPv4 header (no options) + payload; fills header and TCP/UDP checksums. */
export function ipv4(o: Ipv4Options): Buffer {
  const h = Buffer.alloc(20);
  const total = 20 + o.payload.length;
  h[0] = 0x45;
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(total, 2);
  h.writeUInt16BE(o.id ?? 0, 4);
  h.writeUInt16BE((((o.flags ?? 0) & 7) << 13) | ((o.fragOffset ?? 0) & 0x1fff), 6);
  h[8] = o.ttl ?? 64;
  h[9] = o.proto;
  ipv4Addr(o.src).copy(h, 12);
  ipv4Addr(o.dst).copy(h, 16);
  h.writeUInt16BE(internetChecksum(h), 10);
  const payload = o.proto === IP_PROTO.TCP || o.proto === IP_PROTO.UDP ? withL4ChecksumV4(o.src, o.dst, o.proto, o.payload) : o.payload;
  return Buffer.concat([h, payload]);
}

// ---------------------------------------------------------------- ICMPv4

function icmpMessage(type: number, code: number, rest: Buffer, body: Buffer): Buffer {
  const b = Buffer.concat([Buffer.from([type, code, 0, 0]), rest, body]);
  b.writeUInt16BE(internetChecksum(b), 2);
  return b;
}

export interface IcmpEchoOptions {
  type: 8 | 0;
  id: number;
  seq: number;
  payload?: Buffer;
}

export function icmpEcho(o: IcmpEchoOptions): Buffer {
  const rest = Buffer.alloc(4);
  rest.writeUInt16BE(o.id, 0);
  rest.writeUInt16BE(o.seq, 2);
  return icmpMessage(o.type, 0, rest, o.payload ?? Buffer.alloc(0));
}

export interface IcmpErrorOptions {
  type: number;
  code: number;
  /** The offending datagram: its IP header plus at least 8 bytes. */
  original: Buffer;
  /** The 32-bit "unused" word (next-hop MTU for frag-needed, pointer for param problem). */
  rest?: number;
}

export function icmpError(o: IcmpErrorOptions): Buffer {
  const rest = Buffer.alloc(4);
  rest.writeUInt32BE((o.rest ?? 0) >>> 0, 0);
  return icmpMessage(o.type, o.code, rest, o.original);
}

// ---------------------------------------------------------------- UDP / TCP

export interface UdpOptions {
  sport: number;
  dport: number;
  payload: Buffer;
}

/** UDP datagram with checksum 0; ipv4()/ipv6() fill it in. */
export function udp(o: UdpOptions): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt16BE(8 + o.payload.length, 4);
  return Buffer.concat([h, o.payload]);
}

export interface TcpOptions {
  sport: number;
  dport: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  payload?: Buffer;
}

/** TCP segment (no options) with checksum 0; ipv4()/ipv6() fill it in. */
export function tcp(o: TcpOptions): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(o.sport, 0);
  h.writeUInt16BE(o.dport, 2);
  h.writeUInt32BE((o.seq ?? 0) >>> 0, 4);
  h.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = o.flags & 0xff;
  h.writeUInt16BE(o.window ?? 64240, 14);
  return Buffer.concat([h, o.payload ?? Buffer.alloc(0)]);
}

// ---------------------------------------------------------------- IPv6

export interface Ipv6Options {
  src: string;
  dst: string;
  /** Upper-layer protocol (after any extension header built here). */
  next: number;
  payload: Buffer;
  /** Hop limit; NDP messages must use 255. Default 64. */
  hlim?: number;
  /** Insert an 8-byte Hop-by-Hop Options header (PadN only) before the payload. */
  hopByHop?: boolean;
  trafficClass?: number;
  flowLabel?: number;
}

/** IPv6 header (+ optional Hop-by-Hop) + payload; fills TCP/UDP/ICMPv6 checksums. */
export function ipv6(o: Ipv6Options): Buffer {
  // The pseudo header uses the upper-layer protocol and length, not the HBH ones.
  const upper = withL4ChecksumV6(o.src, o.dst, o.next, o.payload);
  const ext = o.hopByHop ? Buffer.from([o.next, 0, 0x01, 0x04, 0, 0, 0, 0]) : Buffer.alloc(0);
  const h = Buffer.alloc(40);
  const tc = o.trafficClass ?? 0;
  h.writeUInt32BE(((6 << 28) | ((tc & 0xff) << 20) | ((o.flowLabel ?? 0) & 0xfffff)) >>> 0, 0);
  h.writeUInt16BE(ext.length + upper.length, 4);
  h[6] = o.hopByHop ? IP_PROTO.HOPOPTS : o.next;
  h[7] = o.hlim ?? 64;
  ipv6Addr(o.src).copy(h, 8);
  ipv6Addr(o.dst).copy(h, 24);
  return Buffer.concat([h, ext, upper]);
}

// ---------------------------------------------------------------- ICMPv6 / NDP
// All ICMPv6 builders leave the checksum 0: it covers the IPv6 pseudo header,
// so ipv6() (or withL4ChecksumV6) fills it in.

function icmpv6Message(type: number, code: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, code, 0, 0]), body]);
}

function lladdrOption(kind: number, addr: string): Buffer {
  return Buffer.concat([Buffer.from([kind, 1]), mac(addr)]);
}

export interface Icmpv6EchoOptions {
  type: 128 | 129;
  id: number;
  seq: number;
  payload?: Buffer;
}

export function icmpv6Echo(o: Icmpv6EchoOptions): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(o.id, 0);
  b.writeUInt16BE(o.seq, 2);
  return icmpv6Message(o.type, 0, Buffer.concat([b, o.payload ?? Buffer.alloc(0)]));
}

export interface NeighborSolicitOptions {
  target: string;
  /** Source link-layer address option. */
  slla?: string;
}

export function neighborSolicit(o: NeighborSolicitOptions): Buffer {
  const opts = o.slla === undefined ? [] : [lladdrOption(NDP_OPTION.SOURCE_LLADDR, o.slla)];
  return icmpv6Message(ICMPV6_TYPE.NEIGHBOR_SOLICIT, 0, Buffer.concat([Buffer.alloc(4), ipv6Addr(o.target), ...opts]));
}

export interface NeighborAdvertOptions {
  target: string;
  flags: { router: boolean; solicited: boolean; override: boolean };
  /** Target link-layer address option. */
  tlla?: string;
}

export function neighborAdvert(o: NeighborAdvertOptions): Buffer {
  const f = Buffer.alloc(4);
  f[0] = (o.flags.router ? 0x80 : 0) | (o.flags.solicited ? 0x40 : 0) | (o.flags.override ? 0x20 : 0);
  const opts = o.tlla === undefined ? [] : [lladdrOption(NDP_OPTION.TARGET_LLADDR, o.tlla)];
  return icmpv6Message(ICMPV6_TYPE.NEIGHBOR_ADVERT, 0, Buffer.concat([f, ipv6Addr(o.target), ...opts]));
}

export interface RouterSolicitOptions {
  slla?: string;
}

export function routerSolicit(o: RouterSolicitOptions = {}): Buffer {
  const opts = o.slla === undefined ? [] : [lladdrOption(NDP_OPTION.SOURCE_LLADDR, o.slla)];
  return icmpv6Message(ICMPV6_TYPE.ROUTER_SOLICIT, 0, Buffer.concat([Buffer.alloc(4), ...opts]));
}

export interface PrefixInfo {
  prefix: string;
  length: number;
  onLink?: boolean;
  autonomous?: boolean;
  validLifetime?: number;
  preferredLifetime?: number;
}

export interface RouterAdvertOptions {
  hopLimit: number;
  /** Router lifetime in seconds (0 = not a default router). */
  lifetime: number;
  managed?: boolean;
  other?: boolean;
  reachableTime?: number;
  retransTimer?: number;
  slla?: string;
  prefix?: PrefixInfo;
  /** More prefix information options after `prefix`. */
  morePrefixes?: PrefixInfo[];
  /** Recursive DNS servers (RFC 8106), one option. */
  rdnss?: { lifetime: number; addrs: string[] };
  mtu?: number;
  /** Options in reverse order (the same RA content, another sender's layout). */
  reverseOptions?: boolean;
}

function prefixOption(o: PrefixInfo): Buffer {
  const p = Buffer.alloc(32);
  p[0] = NDP_OPTION.PREFIX_INFO;
  p[1] = 4; // length in units of 8 bytes
  p[2] = o.length;
  p[3] = ((o.onLink ?? true) ? 0x80 : 0) | ((o.autonomous ?? true) ? 0x40 : 0);
  p.writeUInt32BE((o.validLifetime ?? 86400) >>> 0, 4);
  p.writeUInt32BE((o.preferredLifetime ?? 14400) >>> 0, 8);
  ipv6Addr(o.prefix).copy(p, 16);
  return p;
}

export function routerAdvert(o: RouterAdvertOptions): Buffer {
  const b = Buffer.alloc(12);
  b[0] = o.hopLimit;
  b[1] = (o.managed ? 0x80 : 0) | (o.other ? 0x40 : 0);
  b.writeUInt16BE(o.lifetime, 2);
  b.writeUInt32BE(o.reachableTime ?? 0, 4);
  b.writeUInt32BE(o.retransTimer ?? 0, 8);
  const opts: Buffer[] = [];
  if (o.slla !== undefined) opts.push(lladdrOption(NDP_OPTION.SOURCE_LLADDR, o.slla));
  if (o.prefix !== undefined) opts.push(prefixOption(o.prefix));
  for (const p of o.morePrefixes ?? []) opts.push(prefixOption(p));
  if (o.rdnss !== undefined) {
    const r = Buffer.alloc(8 + 16 * o.rdnss.addrs.length);
    r[0] = NDP_OPTION.RDNSS;
    r[1] = 1 + 2 * o.rdnss.addrs.length;
    r.writeUInt32BE(o.rdnss.lifetime >>> 0, 4);
    for (const [i, a] of o.rdnss.addrs.entries()) ipv6Addr(a).copy(r, 8 + 16 * i);
    opts.push(r);
  }
  if (o.mtu !== undefined) {
    const m = Buffer.alloc(8);
    m[0] = NDP_OPTION.MTU;
    m[1] = 1;
    m.writeUInt32BE(o.mtu >>> 0, 4);
    opts.push(m);
  }
  if (o.reverseOptions === true) opts.reverse();
  return icmpv6Message(ICMPV6_TYPE.ROUTER_ADVERT, 0, Buffer.concat([b, ...opts]));
}

// ---------------------------------------------------------------- batman-adv
// These return the batman-adv header + inner frame, i.e. the payload of an
// outer Ethernet frame with type ETHERTYPE.BATADV (0x4305).

export interface BatadvUnicastOptions {
  ttl: number;
  ttvn: number;
  /** Originator address of the destination node. */
  dest: string;
  /** The encapsulated Ethernet frame (normally unpadded). */
  inner: Buffer;
  version?: number;
}

/** struct batadv_unicast_packet (10 bytes) + inner frame. */
export function batadvUnicast(o: BatadvUnicastOptions): Buffer {
  const h = Buffer.alloc(10);
  h[0] = BATADV_PACKET_TYPE.UNICAST;
  h[1] = o.version ?? BATADV_COMPAT_VERSION;
  h[2] = o.ttl;
  h[3] = o.ttvn;
  mac(o.dest).copy(h, 4);
  return Buffer.concat([h, o.inner]);
}

export interface BatadvUnicast4addrOptions extends BatadvUnicastOptions {
  /** Originator address of the source node. */
  src: string;
  /** BATADV_SUBTYPE value; default DATA. */
  subtype?: number;
}

/** struct batadv_unicast_4addr_packet (18 bytes) + inner frame. */
export function batadvUnicast4addr(o: BatadvUnicast4addrOptions): Buffer {
  const h = Buffer.alloc(18);
  h[0] = BATADV_PACKET_TYPE.UNICAST_4ADDR;
  h[1] = o.version ?? BATADV_COMPAT_VERSION;
  h[2] = o.ttl;
  h[3] = o.ttvn;
  mac(o.dest).copy(h, 4);
  mac(o.src).copy(h, 10);
  h[16] = o.subtype ?? BATADV_SUBTYPE.DATA;
  // h[17] reserved
  return Buffer.concat([h, o.inner]);
}

export interface BatadvBroadcastOptions {
  ttl: number;
  seqno: number;
  /** Originator address of the node that started the flood. */
  orig: string;
  inner: Buffer;
  version?: number;
}

/** struct batadv_bcast_packet (14 bytes) + inner frame. */
export function batadvBroadcast(o: BatadvBroadcastOptions): Buffer {
  const h = Buffer.alloc(14);
  h[0] = BATADV_PACKET_TYPE.BCAST;
  h[1] = o.version ?? BATADV_COMPAT_VERSION;
  h[2] = o.ttl;
  // h[3] reserved
  h.writeUInt32BE(o.seqno >>> 0, 4);
  mac(o.orig).copy(h, 8);
  return Buffer.concat([h, o.inner]);
}

// ---------------------------------------------------------------- DHCPv4

export const DHCP_MESSAGE = { DISCOVER: 1, OFFER: 2, REQUEST: 3, ACK: 5, NAK: 6 } as const;

export const DHCP_PORT = { SERVER: 67, CLIENT: 68 } as const;

/** One DHCP option: code and raw data (the builder adds the length byte). */
export interface DhcpOptionBytes {
  code: number;
  data: Buffer;
}

export interface DhcpOptions {
  /** BOOTP op: 1 request (client), 2 reply (server). Default: 2 for OFFER/ACK/NAK, else 1. */
  op?: number;
  /** Option 53; omitted when undefined (plain BOOTP keeps the cookie unless `cookie` is false). */
  type?: number;
  xid: number;
  chaddr: string;
  ciaddr?: string;
  yiaddr?: string;
  siaddr?: string;
  giaddr?: string;
  /** Broadcast flag (RFC 2131 §4.1). */
  broadcast?: boolean;
  subnetMask?: string;
  routers?: readonly string[];
  dns?: readonly string[];
  leaseTime?: number;
  serverId?: string;
  /** Option 12 and 15 as raw bytes: tests put escapes and control characters in them. */
  hostName?: Buffer;
  domainName?: Buffer;
  /** More options, after the ones above and before the end option. */
  extra?: readonly DhcpOptionBytes[];
  /** Leave out the magic cookie and every option: plain BOOTP. */
  cookie?: boolean;
  /** Leave out the end option. */
  noEnd?: boolean;
}

function addressList(ips: readonly string[]): Buffer {
  return Buffer.concat(ips.map(ipv4Addr));
}

/** A BOOTP/DHCPv4 message (RFC 2131): the 236-byte header, the magic cookie and the options, in the order of DhcpOptions. */
export function dhcp(o: DhcpOptions): Buffer {
  const h = Buffer.alloc(236);
  const isReply = o.type === DHCP_MESSAGE.OFFER || o.type === DHCP_MESSAGE.ACK || o.type === DHCP_MESSAGE.NAK;
  h[0] = o.op ?? (isReply ? 2 : 1);
  h[1] = 1; // Ethernet
  h[2] = 6;
  h.writeUInt32BE(o.xid >>> 0, 4);
  if (o.broadcast === true) h.writeUInt16BE(0x8000, 10);
  ipv4Addr(o.ciaddr ?? '0.0.0.0').copy(h, 12);
  ipv4Addr(o.yiaddr ?? '0.0.0.0').copy(h, 16);
  ipv4Addr(o.siaddr ?? '0.0.0.0').copy(h, 20);
  ipv4Addr(o.giaddr ?? '0.0.0.0').copy(h, 24);
  mac(o.chaddr).copy(h, 28);
  if (o.cookie === false) return h;
  const opts: DhcpOptionBytes[] = [];
  if (o.type !== undefined) opts.push({ code: 53, data: Buffer.from([o.type]) });
  if (o.serverId !== undefined) opts.push({ code: 54, data: ipv4Addr(o.serverId) });
  if (o.leaseTime !== undefined) {
    const t = Buffer.alloc(4);
    t.writeUInt32BE(o.leaseTime >>> 0, 0);
    opts.push({ code: 51, data: t });
  }
  if (o.subnetMask !== undefined) opts.push({ code: 1, data: ipv4Addr(o.subnetMask) });
  if (o.routers !== undefined) opts.push({ code: 3, data: addressList(o.routers) });
  if (o.dns !== undefined) opts.push({ code: 6, data: addressList(o.dns) });
  if (o.hostName !== undefined) opts.push({ code: 12, data: o.hostName });
  if (o.domainName !== undefined) opts.push({ code: 15, data: o.domainName });
  opts.push(...(o.extra ?? []));
  const body = opts.map((x) => Buffer.concat([Buffer.from([x.code, x.data.length]), x.data]));
  return Buffer.concat([h, Buffer.from([99, 130, 83, 99]), ...body, Buffer.from(o.noEnd === true ? [] : [255])]);
}

export interface DhcpFrameOptions {
  /** Ethernet and IP source/destination. */
  ethSrc: string;
  ethDst: string;
  src: string;
  dst: string;
  message: DhcpOptions;
  id?: number;
}

/** A DHCP message in UDP (server 67 → client 68 for replies, else 68 → 67), IPv4 and Ethernet. */
export function dhcpFrame(o: DhcpFrameOptions): Buffer {
  const msg = dhcp(o.message);
  const fromServer = msg[0] === 2;
  const sport = fromServer ? DHCP_PORT.SERVER : DHCP_PORT.CLIENT;
  const dport = fromServer ? DHCP_PORT.CLIENT : DHCP_PORT.SERVER;
  return ethernet({
    src: o.ethSrc,
    dst: o.ethDst,
    type: ETHERTYPE.IPV4,
    payload: ipv4({ src: o.src, dst: o.dst, proto: IP_PROTO.UDP, id: o.id ?? 0, ttl: fromServer ? 64 : 128, payload: udp({ sport, dport, payload: msg }) }),
  });
}
