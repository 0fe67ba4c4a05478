import type {
  DecodedArp,
  DecodedDhcp,
  DecodedFrame,
  DecodedIcmpv6,
  DecodedIpv4,
  DecodedIpv6,
  DecodedEcho,
  DecodedPorts,
  DecodedTcp,
} from '../decode/decoded-frame.js';
import type { FrameDecoder } from '../decode/frame-decoder.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { highWord, NO_MAC } from '../decode/read.js';
import type { DecodeStats } from '../decode/stats.js';

/**
 * A decoded frame as a fixed row of int32 words, so the decode thread can
 * hand frames to the analysis thread through shared memory with no object
 * per frame. The row holds exactly what `DecodedFrame` exposes. ARP and IP
 * never share a frame, so their words overlap; a router advertisement has no
 * NDP target, so its words overlap the target's.
 */
export const FRAME_ROW_WORDS = 41;

const W = {
  layers: 0,
  number: 1,
  tsSec: 2, // low 32 bits; high bits at tsSecHigh
  tsNsec: 3, // low 32 bits; high bits at tsNsecHigh
  wireLen: 4,
  tsDigitsStop: 5, // tsDigits | stop code << 8
  l2Src: 6, // hi, lo
  l2Dst: 8, // hi, lo
  // ARP
  arpOp: 10,
  arpFlags: 11,
  arpSha: 12, // hi, lo
  arpSpa: 14,
  arpTha: 15, // hi, lo
  arpTpa: 17,
  // IPv4 / IPv6
  ipv4Src: 10,
  ipv4Dst: 11,
  ipProtocol: 12, // IPv4 protocol or IPv6 next header
  ipv6Src: 13, // 4 words
  ipv6Dst: 17, // 4 words
  // ICMP / ICMPv6 / TCP / UDP
  l4a: 21, // type, or source port
  l4b: 22, // echo id, or destination port
  echoSeq: 23,
  // TCP (never beside echo or NDP words)
  tcpSeq: 23,
  tcpFlagsLength: 24, // flags | payload length << 8
  ndHasTargetFlags: 24, // hasTarget | (NA flags + 1) << 8
  ndTarget: 25, // 4 words
  ndTargetLinkAddr: 29, // hi, lo
  // Router advertisement (ICMPv6 type 134, no target)
  raPrefix: 25, // 4 words
  raHeader: 29, // hop limit | flags << 8 | router lifetime << 16
  raMtu: 30,
  raDigest: 31,
  raCounts: 34, // (prefix length + 1) | prefix count << 9 | RDNSS count << 17 | RA_HEADER_READ
  raPrefixValid: 35,
  raPrefixPreferred: 36,
  raRdnss: 37, // 4 words
  // DHCP (UDP, so never beside the ICMPv6 words it shares)
  dhcpType: 23,
  dhcpRouter: 24,
  dhcpRouterCount: 25,
  dhcpDns: 26,
  dhcpDnsCount: 27,
  dhcpServerId: 28,
  dhcpHasServerId: 29,
  dhcpChaddr: 30, // hi, lo
  // Timestamps beyond 32 bits: pcapng seconds with a large if_tsoffset, or a corrupt µs field
  // (up to 2^32 - 1 µs, times 1000 in nanoseconds). Read back exactly as the one-thread path sees them.
  tsSecHigh: 32,
  tsNsecHigh: 33,
} as const;

const ARP_COMPLETE = 1;
const ARP_ETHERNET_IPV4 = 2;
/** Protocol addresses present (4 bytes long): spa/tpa are unsigned, so -1 cannot mark their absence in an int32 word. */
const ARP_HAS_PA = 4;
const TWO_32 = 4294967296;
/** In raCounts: the RA's fixed fields were read (an RA cut before them has hop limit and lifetime -1). */
const RA_HEADER_READ = 1 << 25;

/**
 * A MAC as two words, high 16 bits and low 32. NO_MAC (-1) is written as
 * (-1, 0xffffffff), which reads back as -1 by the same formula: no branch
 * on read, where `hi < 0 ? NO_MAC : …` mixes a small integer with a double
 * and makes V8 box the MAC into a new heap number on every store.
 */
function writeMac(rows: Int32Array, at: number, mac: number): void {
  if (mac < 0) {
    rows[at] = -1;
    rows[at + 1] = -1;
    return;
  }
  writeWide(rows, at + 1, at, mac);
}

function readMac(rows: Int32Array, at: number): number {
  return readWide(rows, at + 1, at);
}

/** A non-negative integer below 2^53 as a low word (at `lo`) and a high word (at `hi`). */
function writeWide(rows: Int32Array, lo: number, hi: number, value: number): void {
  rows[lo] = value | 0; // ToInt32: the low 32 bits, no fmod
  rows[hi] = highWord(value);
}

function readWide(rows: Int32Array, lo: number, hi: number): number {
  return rows[hi]! * TWO_32 + (rows[lo]! >>> 0);
}

/** Counts the row at `base` into `stats` as DecodeStats.observe counted its frame (for a partial result). */
export function countRow(rows: Int32Array, base: number, stats: DecodeStats): void {
  stats.observeParts(rows[base + W.layers]!, rows[base + W.wireLen]! >>> 0, rows[base + W.tsDigitsStop]! >>> 8);
}

function writeWords(rows: Int32Array, at: number, words: Uint32Array): void {
  rows[at] = words[0]!;
  rows[at + 1] = words[1]!;
  rows[at + 2] = words[2]!;
  rows[at + 3] = words[3]!;
}

function readWords(rows: Int32Array, at: number, words: Uint32Array): void {
  words[0] = rows[at]!;
  words[1] = rows[at + 1]!;
  words[2] = rows[at + 2]!;
  words[3] = rows[at + 3]!;
}

/** Writes the row of the frame `d` is positioned on at `rows[base..base + FRAME_ROW_WORDS)`. */
export function writeFrameRow(d: FrameDecoder, rows: Int32Array, base: number): void {
  const layers = d.layers;
  rows[base + W.layers] = layers;
  rows[base + W.number] = d.number;
  writeWide(rows, base + W.tsSec, base + W.tsSecHigh, d.tsSec);
  writeWide(rows, base + W.tsNsec, base + W.tsNsecHigh, d.tsNsec);
  rows[base + W.wireLen] = d.wireLen;
  rows[base + W.tsDigitsStop] = d.tsDigits | (d.stopCode << 8);
  writeMac(rows, base + W.l2Src, d.l2Src);
  writeMac(rows, base + W.l2Dst, d.l2Dst);
  if ((layers & Layer.arp) !== 0) {
    const a = d.arp;
    rows[base + W.arpOp] = a.op;
    rows[base + W.arpFlags] = (a.complete ? ARP_COMPLETE : 0) | (a.isEthernetIpv4() ? ARP_ETHERNET_IPV4 : 0) | (a.spa >= 0 ? ARP_HAS_PA : 0);
    writeMac(rows, base + W.arpSha, a.sha);
    rows[base + W.arpSpa] = a.spa;
    writeMac(rows, base + W.arpTha, a.tha);
    rows[base + W.arpTpa] = a.tpa;
    return;
  }
  if ((layers & Layer.ipv4) !== 0) {
    rows[base + W.ipv4Src] = d.ipv4.src;
    rows[base + W.ipv4Dst] = d.ipv4.dst;
    rows[base + W.ipProtocol] = d.ipv4.protocol;
  } else if ((layers & Layer.ipv6) !== 0) {
    writeWords(rows, base + W.ipv6Src, d.ipv6.src);
    writeWords(rows, base + W.ipv6Dst, d.ipv6.dst);
    rows[base + W.ipProtocol] = d.ipv6.nextHeader;
  } else {
    return;
  }
  if ((layers & Layer.tcp) !== 0) {
    const t = d.tcp;
    rows[base + W.l4a] = t.srcPort;
    rows[base + W.l4b] = t.dstPort;
    rows[base + W.tcpSeq] = t.seq | 0;
    rows[base + W.tcpFlagsLength] = (t.flags & 0xff) | (t.payloadLength << 8);
  } else if ((layers & Layer.udp) !== 0) {
    rows[base + W.l4a] = d.udp.srcPort;
    rows[base + W.l4b] = d.udp.dstPort;
    if ((layers & Layer.dhcp) !== 0) writeDhcp(d.dhcp, rows, base);
  } else if ((layers & Layer.icmp) !== 0) {
    rows[base + W.l4a] = d.icmp.type;
    rows[base + W.l4b] = d.icmp.id;
    rows[base + W.echoSeq] = d.icmp.seq;
  } else if ((layers & Layer.icmpv6) !== 0) {
    const n = d.icmpv6;
    rows[base + W.l4a] = n.type;
    rows[base + W.l4b] = n.id;
    rows[base + W.echoSeq] = n.seq;
    rows[base + W.ndHasTargetFlags] = (n.hasTarget ? 1 : 0) | ((n.naFlags + 1) << 8);
    if (n.type === Icmpv6Type.routerAdvert) {
      writeRouterAdvert(n, rows, base);
      return;
    }
    if (n.hasTarget) writeWords(rows, base + W.ndTarget, n.target);
    writeMac(rows, base + W.ndTargetLinkAddr, n.targetLinkAddr);
  }
}

function writeRouterAdvert(n: DecodedIcmpv6, rows: Int32Array, base: number): void {
  writeWords(rows, base + W.raPrefix, n.raPrefix);
  rows[base + W.raHeader] = (n.raHopLimit & 0xff) | ((n.raFlags & 0xff) << 8) | ((n.raLifetime & 0xffff) << 16);
  rows[base + W.raMtu] = n.raMtu;
  rows[base + W.raDigest] = n.raDigest;
  rows[base + W.raCounts] = (n.raPrefixLength + 1) | (n.prefixCount << 9) | (n.rdnssCount << 17) | (n.raLifetime >= 0 ? RA_HEADER_READ : 0);
  rows[base + W.raPrefixValid] = n.raPrefixValid;
  rows[base + W.raPrefixPreferred] = n.raPrefixPreferred;
  writeWords(rows, base + W.raRdnss, n.raRdnss);
}

function readRouterAdvert(n: RowLoadable['icmpv6'], rows: Int32Array, base: number): void {
  readWords(rows, base + W.raPrefix, n.raPrefix);
  const header = rows[base + W.raHeader]!;
  const counts = rows[base + W.raCounts]!;
  const headerRead = (counts & RA_HEADER_READ) !== 0;
  n.raHopLimit = headerRead ? header & 0xff : -1;
  n.raFlags = headerRead ? (header >>> 8) & 0xff : 0;
  n.raLifetime = headerRead ? header >>> 16 : -1;
  n.raMtu = rows[base + W.raMtu]! >>> 0;
  n.raDigest = rows[base + W.raDigest]!;
  n.raPrefixLength = (counts & 0x1ff) - 1;
  n.prefixCount = (counts >>> 9) & 0xff;
  n.rdnssCount = (counts >>> 17) & 0xff;
  n.raPrefixValid = rows[base + W.raPrefixValid]! >>> 0;
  n.raPrefixPreferred = rows[base + W.raPrefixPreferred]! >>> 0;
  readWords(rows, base + W.raRdnss, n.raRdnss);
}

/** The DHCP words: addresses are uint32 (any int32 word), so their presence travels as counts and a flag. */
function writeDhcp(h: DecodedDhcp, rows: Int32Array, base: number): void {
  rows[base + W.dhcpType] = h.messageType;
  rows[base + W.dhcpRouter] = h.router | 0;
  rows[base + W.dhcpRouterCount] = h.routerCount;
  rows[base + W.dhcpDns] = h.dns | 0;
  rows[base + W.dhcpDnsCount] = h.dnsCount;
  rows[base + W.dhcpServerId] = h.serverId | 0;
  rows[base + W.dhcpHasServerId] = h.serverId >= 0 ? 1 : 0;
  writeMac(rows, base + W.dhcpChaddr, h.chaddr);
}

function readDhcp(h: DecodedDhcpFields, rows: Int32Array, base: number): void {
  h.messageType = rows[base + W.dhcpType]!;
  h.routerCount = rows[base + W.dhcpRouterCount]!;
  h.router = h.routerCount > 0 ? rows[base + W.dhcpRouter]! >>> 0 : -1;
  h.dnsCount = rows[base + W.dhcpDnsCount]!;
  h.dns = h.dnsCount > 0 ? rows[base + W.dhcpDns]! >>> 0 : -1;
  h.serverId = rows[base + W.dhcpHasServerId] === 1 ? rows[base + W.dhcpServerId]! >>> 0 : -1;
  h.chaddr = readMac(rows, base + W.dhcpChaddr);
}

/** The DHCP fields a row sets, on a row view or a decoder's DhcpView. */
type DecodedDhcpFields = { -readonly [K in keyof DecodedDhcp]: DecodedDhcp[K] };

class RowArp implements DecodedArp {
  complete = false;
  op = 0;
  sha = NO_MAC;
  spa = -1;
  tha = NO_MAC;
  tpa = -1;
  ethernetIpv4 = false;
  isEthernetIpv4(): boolean {
    return this.ethernetIpv4;
  }
  setEthernetIpv4(yes: boolean): void {
    this.ethernetIpv4 = yes;
  }
}

class RowIpv4 implements DecodedIpv4 {
  src = 0;
  dst = 0;
  protocol = 0;
}

class RowIpv6 implements DecodedIpv6 {
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  nextHeader = 0;
}

class RowEcho implements DecodedEcho {
  type = 0;
  id = -1;
  seq = -1;
}

class RowIcmpv6 extends RowEcho implements DecodedIcmpv6 {
  hasTarget = false;
  readonly target = new Uint32Array(4);
  targetLinkAddr = NO_MAC;
  naFlags = -1;
  raHopLimit = -1;
  raFlags = 0;
  raLifetime = -1;
  raMtu = 0;
  raDigest = 0;
  prefixCount = 0;
  readonly raPrefix = new Uint32Array(4);
  raPrefixLength = -1;
  raPrefixValid = 0;
  raPrefixPreferred = 0;
  rdnssCount = 0;
  readonly raRdnss = new Uint32Array(4);
}

class RowDhcp implements DecodedDhcp {
  messageType = -1;
  router = -1;
  routerCount = 0;
  dns = -1;
  dnsCount = 0;
  serverId = -1;
  chaddr = NO_MAC;
}

class RowPorts implements DecodedPorts {
  srcPort = -1;
  dstPort = -1;
}

class RowTcp extends RowPorts implements DecodedTcp {
  seq = 0;
  flags = 0;
  payloadLength = 0;
}

/**
 * One reused `DecodedFrame` over rows written by `writeFrameRow`: `load`
 * copies a row's words into plain fields (only the layers the row has), so
 * detectors read numbers, never the shared memory, and nothing is allocated
 * per frame.
 */
export class FrameRowView implements DecodedFrame {
  number = 0;
  tsSec = 0;
  tsNsec = 0;
  tsDigits = 6;
  wireLen = 0;
  layers = 0;
  l2Src = NO_MAC;
  l2Dst = NO_MAC;
  readonly arp = new RowArp();
  readonly ipv4 = new RowIpv4();
  readonly ipv6 = new RowIpv6();
  readonly icmp = new RowEcho();
  readonly icmpv6 = new RowIcmpv6();
  readonly tcp = new RowTcp();
  readonly udp = new RowPorts();
  readonly dhcp = new RowDhcp();

  private rows: Int32Array | undefined;
  private base = 0;

  /** Copies the row this view was loaded from to `out[at..at + FRAME_ROW_WORDS)`. */
  copyRow(out: Int32Array, at: number): void {
    const rows = this.rows!;
    for (let i = 0; i < FRAME_ROW_WORDS; i++) out[at + i] = rows[this.base + i]!;
  }

  load(rows: Int32Array, base: number): void {
    this.rows = rows;
    this.base = base;
    loadRow(this, rows, base);
  }
}

/** A frame whose detector fields a row can be loaded into: a FrameRowView, or a FrameDecoder (see loadRow). */
export interface RowLoadable {
  number: number;
  tsSec: number;
  tsNsec: number;
  tsDigits: number;
  wireLen: number;
  layers: number;
  l2Src: number;
  l2Dst: number;
  readonly arp: { complete: boolean; op: number; sha: number; spa: number; tha: number; tpa: number; setEthernetIpv4(yes: boolean): void };
  readonly ipv4: { src: number; dst: number; protocol: number };
  readonly ipv6: { readonly src: Uint32Array; readonly dst: Uint32Array; nextHeader: number };
  readonly icmp: { type: number; id: number; seq: number };
  readonly icmpv6: {
    type: number;
    id: number;
    seq: number;
    hasTarget: boolean;
    readonly target: Uint32Array;
    targetLinkAddr: number;
    naFlags: number;
    raHopLimit: number;
    raFlags: number;
    raLifetime: number;
    raMtu: number;
    raDigest: number;
    prefixCount: number;
    readonly raPrefix: Uint32Array;
    raPrefixLength: number;
    raPrefixValid: number;
    raPrefixPreferred: number;
    rdnssCount: number;
    readonly raRdnss: Uint32Array;
  };
  readonly tcp: { srcPort: number; dstPort: number; seq: number; flags: number; payloadLength: number };
  readonly udp: { srcPort: number; dstPort: number };
  readonly dhcp: DecodedDhcpFields;
}

/**
 * Sets the detector fields of `f` from the row at `rows[base..]`, only for
 * the layers the row has. Loaded into a FrameDecoder, a kept row reaches
 * the detectors as the same class as the frames decoded on one thread, so
 * their property reads stay monomorphic (a second frame class seen by
 * every detector cost 10 % of a one-thread run).
 */
export function loadRow(f: RowLoadable, rows: Int32Array, base: number): void {
  const layers = rows[base + W.layers]!;
  f.layers = layers;
  f.number = rows[base + W.number]! >>> 0;
  f.tsSec = readWide(rows, base + W.tsSec, base + W.tsSecHigh);
  f.tsNsec = readWide(rows, base + W.tsNsec, base + W.tsNsecHigh);
  f.wireLen = rows[base + W.wireLen]! >>> 0;
  f.tsDigits = rows[base + W.tsDigitsStop]! & 0xff;
  f.l2Src = readMac(rows, base + W.l2Src);
  f.l2Dst = readMac(rows, base + W.l2Dst);
  if ((layers & Layer.arp) !== 0) {
    const a = f.arp;
    const flags = rows[base + W.arpFlags]!;
    a.op = rows[base + W.arpOp]!;
    a.complete = (flags & ARP_COMPLETE) !== 0;
    a.setEthernetIpv4((flags & ARP_ETHERNET_IPV4) !== 0);
    a.sha = readMac(rows, base + W.arpSha);
    a.tha = readMac(rows, base + W.arpTha);
    const hasPa = (flags & ARP_HAS_PA) !== 0;
    a.spa = hasPa ? rows[base + W.arpSpa]! >>> 0 : -1;
    a.tpa = hasPa ? rows[base + W.arpTpa]! >>> 0 : -1;
    return;
  }
  if ((layers & Layer.ipv4) !== 0) {
    const ip = f.ipv4;
    ip.src = rows[base + W.ipv4Src]! >>> 0;
    ip.dst = rows[base + W.ipv4Dst]! >>> 0;
    ip.protocol = rows[base + W.ipProtocol]!;
  } else if ((layers & Layer.ipv6) !== 0) {
    readWords(rows, base + W.ipv6Src, f.ipv6.src);
    readWords(rows, base + W.ipv6Dst, f.ipv6.dst);
    f.ipv6.nextHeader = rows[base + W.ipProtocol]!;
  } else {
    return;
  }
  if ((layers & Layer.tcp) !== 0) {
    const t = f.tcp;
    t.srcPort = rows[base + W.l4a]!;
    t.dstPort = rows[base + W.l4b]!;
    t.seq = rows[base + W.tcpSeq]! >>> 0;
    const flagsLength = rows[base + W.tcpFlagsLength]!;
    t.flags = flagsLength & 0xff;
    t.payloadLength = flagsLength >>> 8;
  } else if ((layers & Layer.udp) !== 0) {
    f.udp.srcPort = rows[base + W.l4a]!;
    f.udp.dstPort = rows[base + W.l4b]!;
    if ((layers & Layer.dhcp) !== 0) readDhcp(f.dhcp, rows, base);
  } else if ((layers & Layer.icmp) !== 0) {
    f.icmp.type = rows[base + W.l4a]!;
    f.icmp.id = rows[base + W.l4b]!;
    f.icmp.seq = rows[base + W.echoSeq]!;
  } else if ((layers & Layer.icmpv6) !== 0) {
    const n = f.icmpv6;
    n.type = rows[base + W.l4a]!;
    n.id = rows[base + W.l4b]!;
    n.seq = rows[base + W.echoSeq]!;
    const targetFlags = rows[base + W.ndHasTargetFlags]!;
    n.hasTarget = (targetFlags & 1) === 1;
    n.naFlags = (targetFlags >> 8) - 1;
    if (n.type === Icmpv6Type.routerAdvert) {
      // An RA has neither target nor target link-layer address: its own words are where theirs are.
      n.targetLinkAddr = NO_MAC;
      readRouterAdvert(n, rows, base);
      return;
    }
    if (n.hasTarget) readWords(rows, base + W.ndTarget, n.target);
    n.targetLinkAddr = readMac(rows, base + W.ndTargetLinkAddr);
  }
}
