import type { FrameDetail } from '../decode/decoded-frame.js';
import { Layer, Stop, layerName, stopName } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { etherTypeName, EtherType } from '../decode/dispatch.js';
import { batadvTypeName, BatadvType } from '../decode/batadv.js';
import { Icmpv6Type, NaFlag } from '../decode/icmpv6.js';
import { dhcpAddresses, dhcpMessageName } from './dhcp-words.js';
import { escapeBytes } from './escape.js';
import { LinkType } from '../core/link-type.js';
import { formatHex, formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import { formatCaptureTime } from './time.js';

/**
 * One line per frame in the spirit of `tcpdump -nne`: frame number, UTC
 * time, link addresses, tags, then the decoded ARP / ICMP / ICMPv6 fields.
 * A frame cut short ends with `[|layer: why]`, as tcpdump's `[|arp]` does.
 */
export function frameLine(d: FrameDetail): string {
  const parts: string[] = [];
  parts.push(`${String(d.number).padStart(5)}  ${formatCaptureTime(d.tsSec, d.tsNsec, d.tsDigits)} `);
  parts.push(linkText(d));
  parts.push(networkText(d));
  if (d.stopCode !== Stop.none) parts.push(stopText(d));
  return parts.join('');
}

function etherTypeText(type: number): string {
  return `ethertype ${etherTypeName(type)} (0x${type.toString(16).padStart(4, '0')})`;
}

function sllPacketTypeText(t: number): string {
  switch (t) {
    case 0:
      return 'In';
    case 1:
      return 'B';
    case 2:
      return 'M';
    case 3:
      return 'P';
    case 4:
      return 'Out';
    default:
      return `pkttype ${t}`;
  }
}

function linkText(d: FrameDetail): string {
  const parts: string[] = [];
  if (d.linkType === LinkType.linuxSll || d.linkType === LinkType.linuxSll2) {
    if (!d.has(Layer.sll)) return '';
    const s = d.sll;
    if (s.version === 2) parts.push(`ifindex ${s.ifIndex} `);
    const addr = s.addr >= 0 ? formatMac(s.addr) : formatHex(d.fieldBytes(s.addrOffset, Math.min(s.addrLen, 8)));
    parts.push(`${sllPacketTypeText(s.packetType)} ${addr} ${etherTypeText(s.protocol)}, length ${d.wireLen}: `);
    parts.push(tagsText(d, 0));
    return parts.join('');
  }
  if (d.linkType === LinkType.ppp || d.linkType === LinkType.pppHdlc)
    return d.has(Layer.ppp) ? `PPP protocol 0x${d.pppProtocol.toString(16).padStart(4, '0')}, length ${d.wireLen}: ` : '';
  if (d.linkType !== LinkType.ethernet) return '';
  if (d.has(Layer.batadv)) {
    const b = d.batadv;
    parts.push(`${formatMac(b.outerSrc)} > ${formatMac(b.outerDst)}, ${etherTypeText(EtherType.batadv)}, length ${d.wireLen}: `);
    parts.push(`batman-adv ${batadvTypeName(b.packetType)}, ttl ${b.ttl}`);
    if (b.packetType === BatadvType.broadcast) parts.push(`, seqno ${b.seqno}, orig ${formatMac(b.orig)}`);
    if (b.dest >= 0) parts.push(`, ttvn ${b.ttvn}, dst ${formatMac(b.dest)}`);
    if (b.packetType === BatadvType.unicast4addr) parts.push(`, src ${formatMac(b.orig)}, subtype ${b.subtype}`);
    if (b.innerOffset < 0) return parts.join('');
    parts.push(': ');
    if (!d.has(Layer.ethernet)) return parts.join('');
  } else if (!d.has(Layer.ethernet)) {
    return '';
  }
  const e = d.ethernet;
  parts.push(`${formatMac(e.src)} > ${formatMac(e.dst)}, `);
  if (e.lengthField >= 0) {
    parts.push(`802.3, length ${e.lengthField}: `);
    if (e.snap) parts.push(`LLC/SNAP, ${etherTypeText(e.etherType)}: `);
  } else {
    parts.push(`${etherTypeText(e.etherType)}, length ${d.has(Layer.batadv) ? d.capLen - (e.offset - d.offset) : d.wireLen}: `);
  }
  parts.push(tagsText(d, 0));
  return parts.join('');
}

function tagsText(d: FrameDetail, from: number): string {
  const v = d.vlan;
  let text = '';
  for (let i = from; i < v.count; i++) {
    const next = i + 1 < v.count ? v.tpid[i + 1]! : v.etherType;
    text += `vlan ${v.vid(i)}, p ${v.pcp(i)}${v.dei(i) ? ', DEI' : ''}, ${etherTypeText(next)}, `;
  }
  return text;
}

function networkText(d: FrameDetail): string {
  if (d.has(Layer.arp) || d.stopLayer === Layer.arp) return arpText(d);
  if (d.has(Layer.ipv4)) {
    const ip = d.ipv4;
    const head = `${formatIpv4(ip.src)} > ${formatIpv4(ip.dst)}: `;
    if (d.has(Layer.icmp)) return head + icmpText(d);
    if (d.has(Layer.dhcp)) return head + dhcpText(d);
    return `${head}ip-proto-${ip.protocol}${transportText(d)}, length ${ip.totalLength}`;
  }
  if (d.has(Layer.ipv6)) {
    const ip = d.ipv6;
    const head = `${formatIpv6(ip.src)} > ${formatIpv6(ip.dst)}: `;
    if (d.has(Layer.icmpv6)) return head + icmpv6Text(d);
    return `${head}next-header ${ip.nextHeader}${transportText(d)}, payload length ${ip.payloadLength}`;
  }
  return '';
}

function transportText(d: FrameDetail): string {
  if (d.has(Layer.udp) || (d.stopLayer === Layer.udp && d.udp.srcPort >= 0)) return ` (UDP ${d.udp.srcPort} > ${d.udp.dstPort})`;
  if (d.has(Layer.tcp) || (d.stopLayer === Layer.tcp && d.tcp.srcPort >= 0)) return ` (TCP ${d.tcp.srcPort} > ${d.tcp.dstPort})`;
  return '';
}

function arpText(d: FrameDetail): string {
  const a = d.arp;
  if (!d.has(Layer.arp) || !a.complete) return '';
  // tcpdump's "length" is what the link layer hands to ARP: up to the frame end, or the 802.3 length.
  const e = d.ethernet;
  const length = d.has(Layer.ethernet) && e.lengthField >= 0 ? e.offset + 14 + e.lengthField - a.offset : d.wireLen - (a.offset - d.offset);
  if (!a.isEthernetIpv4()) {
    return `${hardwareName(a.htype)} (len ${a.hlen}), ${a.ptype === 0x0800 ? 'IPv4' : `Unknown Protocol (0x${a.ptype.toString(16).padStart(4, '0')})`} (len ${a.plen}), ${arpOpText(d)}, length ${length}`;
  }
  return `${arpOpText(d)}, length ${length}`;
}

function hardwareName(htype: number): string {
  switch (htype) {
    case 1:
      return 'Ethernet';
    case 6:
      return 'TokenRing';
    case 15:
      return 'Frame Relay';
    case 32:
      return 'InfiniBand';
    default:
      return `Unknown Hardware (${htype})`;
  }
}

function arpOpText(d: FrameDetail): string {
  const a = d.arp;
  const sha = a.sha >= 0 ? formatMac(a.sha) : formatHex(d.fieldBytes(a.shaOffset, a.hlen));
  const tha = a.tha >= 0 ? formatMac(a.tha) : formatHex(d.fieldBytes(a.thaOffset, a.hlen));
  const spa = a.spa >= 0 ? formatIpv4(a.spa) : formatHex(d.fieldBytes(a.spaOffset, a.plen));
  const tpa = a.tpa >= 0 ? formatIpv4(a.tpa) : formatHex(d.fieldBytes(a.tpaOffset, a.plen));
  switch (a.op) {
    case ArpOp.request:
      return `Request who-has ${tpa}${a.tha > 0 ? ` (${tha})` : ''} tell ${spa}`;
    case ArpOp.reply:
      return `Reply ${spa} is-at ${sha}`;
    case ArpOp.reverseRequest:
      return `Reverse Request who-is ${tha} tell ${sha}`;
    case ArpOp.reverseReply:
      return `Reverse Reply ${tha} at ${tpa}`;
    case ArpOp.inverseRequest:
      return `Inverse Request who-is ${tha} tell ${spa}`;
    case ArpOp.inverseReply:
      return `Inverse Reply ${sha} at ${spa}`;
    case ArpOp.nak:
      return 'NACK Reply';
    default:
      return `Unknown (${a.op})`;
  }
}

function icmpText(d: FrameDetail): string {
  const c = d.icmp;
  const tail = `, length ${c.length}`;
  if (c.capturedLength < 8 && c.id < 0) return `ICMP type ${c.type}, code ${c.code}${tail}`;
  const inner = c.innerValid ? formatIpv4(c.innerDst) : '?';
  switch (c.type) {
    case 0:
      return `ICMP echo reply, id ${c.id}, seq ${c.seq}${tail}`;
    case 8:
      return `ICMP echo request, id ${c.id}, seq ${c.seq}${tail}`;
    case 3:
      switch (c.code) {
        case 0:
          return `ICMP net ${inner} unreachable${tail}`;
        case 1:
          return `ICMP host ${inner} unreachable${tail}`;
        case 2:
          return `ICMP ${inner} protocol ${c.innerProtocol} unreachable${tail}`;
        case 3:
          return `ICMP ${inner} ${c.innerProtocol === 6 ? 'tcp' : c.innerProtocol === 17 ? 'udp' : `proto ${c.innerProtocol}`} port ${c.innerDstPort} unreachable${tail}`;
        case 4:
          return `ICMP ${inner} unreachable - need to frag (mtu ${c.restOfHeader & 0xffff})${tail}`;
        default:
          return `ICMP ${inner} unreachable - code ${c.code}${tail}`;
      }
    case 5:
      return `ICMP redirect ${inner} to host ${formatIpv4(c.restOfHeader)}${tail}`;
    case 11:
      return `ICMP time exceeded ${c.code === 0 ? 'in-transit' : 'reassembly'}${tail}`;
    case 12:
      return `ICMP parameter problem - octet ${c.restOfHeader >>> 24}${tail}`;
    case 13:
      return `ICMP time stamp query id ${c.id} seq ${c.seq}${tail}`;
    case 14:
      return `ICMP time stamp reply id ${c.id} seq ${c.seq}${tail}`;
    default:
      return `ICMP type-#${c.type}${tail}`;
  }
}

function icmpv6Text(d: FrameDetail): string {
  const c = d.icmpv6;
  const tail = `, length ${c.length}`;
  const lla =
    (c.sourceLinkAddr >= 0 ? `, source link-address ${formatMac(c.sourceLinkAddr)}` : '') +
    (c.targetLinkAddr >= 0 ? `, target link-address ${formatMac(c.targetLinkAddr)}` : '');
  switch (c.type) {
    case Icmpv6Type.echoRequest:
      return `ICMP6, echo request, id ${c.id}, seq ${c.seq}${tail}`;
    case Icmpv6Type.echoReply:
      return `ICMP6, echo reply, id ${c.id}, seq ${c.seq}${tail}`;
    case Icmpv6Type.neighborSolicit:
      return `ICMP6, neighbor solicitation, who has ${c.hasTarget ? formatIpv6(c.target) : '?'}${lla}${tail}`;
    case Icmpv6Type.neighborAdvert: {
      const f = Math.max(c.naFlags, 0); // -1: the frame ends before the flags
      const flags = [f & NaFlag.router ? 'router' : '', f & NaFlag.solicited ? 'solicited' : '', f & NaFlag.override ? 'override' : '']
        .filter((f) => f !== '')
        .join(', ');
      return `ICMP6, neighbor advertisement, tgt is ${c.hasTarget ? formatIpv6(c.target) : '?'}${flags ? `, Flags [${flags}]` : ''}${lla}${tail}`;
    }
    case Icmpv6Type.routerSolicit:
      return `ICMP6, router solicitation${lla}${tail}`;
    case Icmpv6Type.routerAdvert:
      return `ICMP6, router advertisement${c.raLifetime >= 0 ? routerAdvertText(c) : ''}${lla}${raOptionsText(c)}${tail}`;
    case Icmpv6Type.redirect:
      return `ICMP6, redirect${tail}`;
    case Icmpv6Type.destUnreachable:
      return `ICMP6, destination unreachable${c.innerValid ? `, unreachable ${formatIpv6(c.innerDst)}` : ''}, code ${c.code}${tail}`;
    case Icmpv6Type.packetTooBig:
      return `ICMP6, packet too big${tail}`;
    case Icmpv6Type.timeExceeded:
      return `ICMP6, time exceeded ${c.code === 0 ? 'in-transit' : 'reassembly'}${tail}`;
    case Icmpv6Type.parameterProblem:
      return `ICMP6, parameter problem, code ${c.code}${tail}`;
    case 130:
      return `ICMP6, multicast listener query${tail}`;
    case 131:
      return `ICMP6, multicast listener report${tail}`;
    case 132:
      return `ICMP6, multicast listener done${tail}`;
    case 143:
      return `ICMP6, multicast listener report v2${tail}`;
    default:
      return `ICMP6, type ${c.type}, code ${c.code}${tail}`;
  }
}

/** The RA's fixed fields as tcpdump -v prints them. */
function routerAdvertText(c: FrameDetail['icmpv6']): string {
  const flags = [c.raFlags & 0x80 ? 'managed' : '', c.raFlags & 0x40 ? 'other stateful' : '', c.raFlags & 0x20 ? 'home agent' : '']
    .filter((f) => f !== '')
    .join(', ');
  const pref = ['medium', 'high', 'reserved', 'low'][(c.raFlags >>> 3) & 3];
  return `, hop limit ${c.raHopLimit}, Flags [${flags || 'none'}], pref ${pref}, router lifetime ${c.raLifetime}s, reachable time ${c.raReachable}ms, retrans timer ${c.raRetrans}ms`;
}

/** The first prefix, RDNSS and MTU options of an RA, in tcpdump -v's words, on the one line. */
function raOptionsText(c: FrameDetail['icmpv6']): string {
  let out = '';
  if (c.raPrefixLength >= 0) {
    const f = c.raPrefixFlags;
    const flags = [f & 0x80 ? 'onlink' : '', f & 0x40 ? 'auto' : '', f & 0x20 ? 'router' : ''].filter((x) => x !== '').join(', ');
    out += `, prefix info ${formatIpv6(c.raPrefix)}/${c.raPrefixLength}, Flags [${flags || 'none'}], valid time ${lifetimeText(c.raPrefixValid)}, pref. time ${lifetimeText(c.raPrefixPreferred)}`;
    if (c.prefixCount > 1) out += ` (+${c.prefixCount - 1} more prefixes)`;
  }
  if (c.rdnssCount > 0) {
    out += `, rdnss lifetime ${lifetimeText(c.raRdnssLifetime)}, addr: ${formatIpv6(c.raRdnss)}`;
    if (c.rdnssCount > 1) out += ` (+${c.rdnssCount - 1} more)`;
  }
  if (c.raMtu > 0) out += `, mtu ${c.raMtu}`;
  return out;
}

/** A lifetime in seconds; all ones is infinity (RFC 4861 §4.6.2), as tcpdump says. */
function lifetimeText(s: number): string {
  return s === 0xffffffff ? 'infinity' : `${s}s`;
}

/** tcpdump's BOOTP/DHCP summary, on one line, with the options the anycast checks read; wire names escaped. */
function dhcpText(d: FrameDetail): string {
  const h = d.dhcp;
  const parts = [`BOOTP/DHCP (UDP ${d.udp.srcPort} > ${d.udp.dstPort}), ${h.op === 1 ? 'Request' : h.op === 2 ? 'Reply' : `op ${h.op}`}`];
  parts.push(`length ${d.udp.length - 8}, xid 0x${h.xid.toString(16).padStart(8, '0')}`);
  if (h.messageType >= 0) parts.push(`DHCP-Message ${dhcpMessageName(h.messageType)}`);
  if (h.ciaddr !== 0) parts.push(`Client-IP ${formatIpv4(h.ciaddr)}`);
  if (h.yiaddr !== 0) parts.push(`Your-IP ${formatIpv4(h.yiaddr)}`);
  if (h.siaddr !== 0) parts.push(`Server-IP ${formatIpv4(h.siaddr)}`);
  if (h.giaddr !== 0) parts.push(`Gateway-IP ${formatIpv4(h.giaddr)}`);
  if (h.chaddr >= 0) parts.push(`Client-Ethernet-Address ${formatMac(h.chaddr)}`);
  if (h.serverId >= 0) parts.push(`Server-ID ${formatIpv4(h.serverId)}`);
  if (h.leaseTime >= 0) parts.push(`Lease-Time ${h.leaseTime}`);
  if (h.subnetMask >= 0) parts.push(`Subnet-Mask ${formatIpv4(h.subnetMask)}`);
  if (h.routerCount > 0) parts.push(`Default-Gateway ${formatIpv4(h.router)}${h.routerCount > 1 ? ` (+${h.routerCount - 1} more)` : ''}`);
  if (h.dnsCount > 0) parts.push(`Domain-Name-Server ${dhcpAddresses(d, h).map(formatIpv4).join(',')}`);
  if (h.hostNameOffset >= 0) parts.push(`Hostname "${escapeBytes(d.fieldBytes(h.hostNameOffset, h.hostNameLength), 0, h.hostNameLength, WIRE_NAME_SHOWN)}"`);
  if (h.domainNameOffset >= 0)
    parts.push(`Domain-Name "${escapeBytes(d.fieldBytes(h.domainNameOffset, h.domainNameLength), 0, h.domainNameLength, WIRE_NAME_SHOWN)}"`);
  if (h.overload) parts.push('Option-Overload [not decoded]');
  return parts.join(', ');
}

/** Bytes of a name from the wire shown on a frame's line (a DHCP option holds up to 255; `--json` has them all). */
const WIRE_NAME_SHOWN = 64;

function stopText(d: FrameDetail): string {
  if (d.stopCode === Stop.unsupportedLinkType) return `[link type ${d.stopHave} not decoded]`;
  return ` [|${layerName(d.stopLayer)}: ${stopName(d.stopCode)}, need ${d.stopNeed}, have ${d.stopHave}]`;
}
