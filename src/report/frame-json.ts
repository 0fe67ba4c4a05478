import type { FrameDetail } from '../decode/decoded-frame.js';
import { Layer, Stop, layerName, stopName } from '../decode/layer.js';
import { batadvTypeName } from '../decode/batadv.js';
import { NaFlag } from '../decode/icmpv6.js';
import { formatHex, formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import { formatEpoch, formatIsoTime } from './time.js';
import { dhcpAddresses } from './dhcp-words.js';
import { escapeBytes } from './escape.js';

/**
 * The `frames --json` object for one frame: every decoded field under the
 * layer it belongs to, addresses in text form, and `stop` when decoding
 * ended early. Documented in schema/frame.schema.json.
 */
export interface FrameJson {
  frame: number;
  time: string;
  ts: string;
  caplen: number;
  len: number;
  linktype: number;
  interface?: number;
  eth?: { src: string; dst: string; type: number; length?: number; snap?: boolean };
  sll?: { version: number; pkttype: number; hatype: number; addr: string; protocol: number; ifindex?: number };
  vlan?: { tpid: number; id: number; pcp: number; dei: number }[];
  batadv?: {
    type: string;
    packetType: number;
    version: number;
    ttl: number;
    ttvn?: number;
    dest?: string;
    orig?: string;
    subtype?: number;
    seqno?: number;
    eth?: { src: string; dst: string; type: number };
  };
  arp?: {
    etherType: number;
    htype: number;
    ptype: number;
    hlen: number;
    plen: number;
    op: number;
    sha?: string;
    spa?: string;
    tha?: string;
    tpa?: string;
    complete: boolean;
  };
  ip?: { src: string; dst: string; proto: number; ttl: number; id: number; len: number; frag: number };
  ip6?: { src: string; dst: string; next: number; hlim: number; plen: number };
  icmp?: {
    type: number;
    code: number;
    id?: number;
    seq?: number;
    inner?: { src: string; dst: string; proto: number; sport?: number; dport?: number };
  };
  icmp6?: {
    type: number;
    code: number;
    id?: number;
    seq?: number;
    target?: string;
    sll?: string;
    tll?: string;
    flags?: { router: boolean; solicited: boolean; override: boolean };
    ra?: {
      hlim: number;
      flags: number;
      lifetime: number;
      prefixes: number;
      reachable: number;
      retrans: number;
      mtu?: number;
      prefix?: { prefix: string; length: number; flags: number; valid: number; preferred: number };
      rdnss?: { addr: string; lifetime: number; count: number };
    };
    badOption?: boolean;
    inner?: { src: string; dst: string; next: number };
  };
  udp?: { sport: number; dport: number };
  tcp?: { sport: number; dport: number; flags?: number };
  dhcp?: {
    op: number;
    xid: number;
    ciaddr: string;
    yiaddr: string;
    siaddr: string;
    giaddr: string;
    chaddr?: string;
    type?: number;
    serverId?: string;
    leaseTime?: number;
    subnetMask?: string;
    router?: string;
    routerCount?: number;
    dns?: string[];
    dnsCount?: number;
    /** Wire text, escaped (escapeBytes): never raw control bytes. */
    hostName?: string;
    domainName?: string;
    overload?: boolean;
  };
  stop?: { layer: string; reason: string; need: number; have: number };
}

export function frameJson(d: FrameDetail): FrameJson {
  const out: FrameJson = {
    frame: d.number,
    time: formatIsoTime(d.tsSec, d.tsNsec, d.tsDigits),
    ts: formatEpoch(d.tsSec, d.tsNsec, d.tsDigits),
    caplen: d.capLen,
    len: d.wireLen,
    linktype: d.linkType,
  };
  if (d.interfaceId !== 0) out.interface = d.interfaceId;
  const bat = d.has(Layer.batadv);
  if (bat) {
    const b = d.batadv;
    out.eth = { src: formatMac(b.outerSrc), dst: formatMac(b.outerDst), type: 0x4305 };
    out.batadv = { type: batadvTypeName(b.packetType), packetType: b.packetType, version: b.version, ttl: b.ttl };
    if (b.dest >= 0) {
      out.batadv.ttvn = b.ttvn;
      out.batadv.dest = formatMac(b.dest);
    }
    if (b.orig >= 0) out.batadv.orig = formatMac(b.orig);
    if (b.subtype >= 0) out.batadv.subtype = b.subtype;
    if (b.seqno >= 0) out.batadv.seqno = b.seqno;
    // Only packets that carry a frame (unicast, broadcast) have an inner Ethernet header; for OGM, ELP
    // and fragments the Ethernet layer is the outer one, already shown as eth.
    if (d.has(Layer.ethernet) && b.innerOffset >= 0)
      out.batadv.eth = { src: formatMac(d.ethernet.src), dst: formatMac(d.ethernet.dst), type: d.ethernet.etherType };
  } else if (d.has(Layer.ethernet)) {
    const e = d.ethernet;
    out.eth = { src: formatMac(e.src), dst: formatMac(e.dst), type: e.etherType };
    if (e.lengthField >= 0) out.eth.length = e.lengthField;
    if (e.snap) out.eth.snap = true;
  }
  if (d.has(Layer.sll)) {
    const s = d.sll;
    out.sll = {
      version: s.version,
      pkttype: s.packetType,
      hatype: s.haType,
      addr: s.addr >= 0 ? formatMac(s.addr) : formatHex(d.fieldBytes(s.addrOffset, Math.min(s.addrLen, 8))),
      protocol: s.protocol,
    };
    if (s.version === 2) out.sll.ifindex = s.ifIndex;
  }
  if (d.vlan.count > 0) {
    out.vlan = [];
    for (let i = 0; i < d.vlan.count; i++) out.vlan.push({ tpid: d.vlan.tpid[i]!, id: d.vlan.vid(i), pcp: d.vlan.pcp(i), dei: d.vlan.dei(i) });
  }
  if (d.has(Layer.arp)) {
    const a = d.arp;
    out.arp = { etherType: a.etherType, htype: a.htype, ptype: a.ptype, hlen: a.hlen, plen: a.plen, op: a.op, complete: a.complete };
    // Addresses of other sizes (IPoIB's 20-byte hardware address…) are shown as hex, when captured.
    const hex = (at: number, len: number): string | undefined => (a.complete ? formatHex(d.fieldBytes(at, len)) : undefined);
    const sha = a.sha >= 0 ? formatMac(a.sha) : hex(a.shaOffset, a.hlen);
    const spa = a.spa >= 0 ? formatIpv4(a.spa) : hex(a.spaOffset, a.plen);
    const tha = a.tha >= 0 ? formatMac(a.tha) : hex(a.thaOffset, a.hlen);
    const tpa = a.tpa >= 0 ? formatIpv4(a.tpa) : hex(a.tpaOffset, a.plen);
    if (sha !== undefined) out.arp.sha = sha;
    if (spa !== undefined) out.arp.spa = spa;
    if (tha !== undefined) out.arp.tha = tha;
    if (tpa !== undefined) out.arp.tpa = tpa;
  }
  if (d.has(Layer.ipv4)) {
    const ip = d.ipv4;
    out.ip = { src: formatIpv4(ip.src), dst: formatIpv4(ip.dst), proto: ip.protocol, ttl: ip.ttl, id: ip.id, len: ip.totalLength, frag: ip.fragmentOffset };
  }
  if (d.has(Layer.ipv6)) {
    const ip = d.ipv6;
    out.ip6 = { src: formatIpv6(ip.src), dst: formatIpv6(ip.dst), next: ip.nextHeader, hlim: ip.hopLimit, plen: ip.payloadLength };
  }
  if (d.has(Layer.icmp)) {
    const c = d.icmp;
    out.icmp = { type: c.type, code: c.code };
    if (c.id >= 0) out.icmp.id = c.id;
    if (c.seq >= 0) out.icmp.seq = c.seq;
    if (c.innerValid) {
      out.icmp.inner = { src: formatIpv4(c.innerSrc), dst: formatIpv4(c.innerDst), proto: c.innerProtocol };
      if (c.innerSrcPort >= 0) {
        out.icmp.inner.sport = c.innerSrcPort;
        out.icmp.inner.dport = c.innerDstPort;
      }
    }
  }
  if (d.has(Layer.icmpv6)) {
    const c = d.icmpv6;
    out.icmp6 = { type: c.type, code: c.code };
    if (c.id >= 0) {
      out.icmp6.id = c.id;
      out.icmp6.seq = c.seq;
    }
    if (c.hasTarget) out.icmp6.target = formatIpv6(c.target);
    if (c.type === 136 && c.naFlags >= 0) {
      out.icmp6.flags = {
        router: (c.naFlags & NaFlag.router) !== 0,
        solicited: (c.naFlags & NaFlag.solicited) !== 0,
        override: (c.naFlags & NaFlag.override) !== 0,
      };
    }
    if (c.sourceLinkAddr >= 0) out.icmp6.sll = formatMac(c.sourceLinkAddr);
    if (c.targetLinkAddr >= 0) out.icmp6.tll = formatMac(c.targetLinkAddr);
    if (c.raLifetime >= 0) {
      const ra: NonNullable<NonNullable<FrameJson['icmp6']>['ra']> = {
        hlim: c.raHopLimit,
        flags: c.raFlags,
        lifetime: c.raLifetime,
        prefixes: c.prefixCount,
        reachable: c.raReachable,
        retrans: c.raRetrans,
      };
      if (c.raMtu > 0) ra.mtu = c.raMtu;
      if (c.raPrefixLength >= 0)
        ra.prefix = {
          prefix: formatIpv6(c.raPrefix),
          length: c.raPrefixLength,
          flags: c.raPrefixFlags,
          valid: c.raPrefixValid,
          preferred: c.raPrefixPreferred,
        };
      if (c.rdnssCount > 0) ra.rdnss = { addr: formatIpv6(c.raRdnss), lifetime: c.raRdnssLifetime, count: c.rdnssCount };
      out.icmp6.ra = ra;
    }
    if (c.badOption) out.icmp6.badOption = true;
    if (c.innerValid) out.icmp6.inner = { src: formatIpv6(c.innerSrc), dst: formatIpv6(c.innerDst), next: c.innerNextHeader };
  }
  if (d.has(Layer.udp) || (d.stopLayer === Layer.udp && d.udp.srcPort >= 0)) out.udp = { sport: d.udp.srcPort, dport: d.udp.dstPort };
  if (d.has(Layer.tcp)) out.tcp = { sport: d.tcp.srcPort, dport: d.tcp.dstPort, flags: d.tcp.flags };
  else if (d.stopLayer === Layer.tcp && d.tcp.srcPort >= 0) out.tcp = { sport: d.tcp.srcPort, dport: d.tcp.dstPort };
  if (d.has(Layer.dhcp)) out.dhcp = dhcpJson(d);
  if (d.stopCode !== Stop.none) out.stop = { layer: layerName(d.stopLayer), reason: stopName(d.stopCode), need: d.stopNeed, have: d.stopHave };
  return out;
}

function dhcpJson(d: FrameDetail): NonNullable<FrameJson['dhcp']> {
  const h = d.dhcp;
  const out: NonNullable<FrameJson['dhcp']> = {
    op: h.op,
    xid: h.xid,
    ciaddr: formatIpv4(h.ciaddr),
    yiaddr: formatIpv4(h.yiaddr),
    siaddr: formatIpv4(h.siaddr),
    giaddr: formatIpv4(h.giaddr),
  };
  if (h.chaddr >= 0) out.chaddr = formatMac(h.chaddr);
  if (h.messageType >= 0) out.type = h.messageType;
  if (h.serverId >= 0) out.serverId = formatIpv4(h.serverId);
  if (h.leaseTime >= 0) out.leaseTime = h.leaseTime;
  if (h.subnetMask >= 0) out.subnetMask = formatIpv4(h.subnetMask);
  if (h.routerCount > 0) {
    out.router = formatIpv4(h.router);
    out.routerCount = h.routerCount;
  }
  if (h.dnsCount > 0) {
    out.dns = dhcpAddresses(d, h).map(formatIpv4);
    out.dnsCount = h.dnsCount;
  }
  if (h.hostNameOffset >= 0) out.hostName = escapeBytes(d.fieldBytes(h.hostNameOffset, h.hostNameLength), 0, h.hostNameLength);
  if (h.domainNameOffset >= 0) out.domainName = escapeBytes(d.fieldBytes(h.domainNameOffset, h.domainNameLength), 0, h.domainNameLength);
  if (h.overload) out.overload = true;
  return out;
}
