import type { FrameDetail } from './decoded-frame.js';
import type { FrameRecord } from '../core/frame-record.js';
import { LinkType } from '../core/link-type.js';
import { ArpView } from './arp.js';
import { BatadvView } from './batadv.js';
import { DhcpView } from './dhcp.js';
import { etherTypeForPpp, layerForEtherType, layerForIpProtocol, layerForUdpPorts, EtherType } from './dispatch.js';
import { EthernetView } from './ethernet.js';
import { IcmpView } from './icmp.js';
import { Icmpv6View } from './icmpv6.js';
import { Ipv4View } from './ipv4.js';
import { Ipv6View } from './ipv6.js';
import { Layer, Stop, type LayerId, type StopCode, type StopSink } from './layer.js';
import { be16, NO_MAC } from './read.js';
import { SllView } from './sll.js';
import { TcpView, UdpView } from './transport.js';
import { VlanTags } from './vlan.js';

/**
 * Decodes one frame into its layer views. One instance is reused for every
 * frame: `decode` overwrites the views, so nothing is allocated per frame and
 * a consumer that keeps a value past the next frame must copy it. Decoding
 * never throws: a cut or malformed frame keeps the layers that decoded, and
 * `stopLayer`/`stopCode`/`stopNeed`/`stopHave` say where and why it ended.
 *
 * For batman-adv frames `ethernet` holds the carried (inner) frame's header
 * — the one ARP and IP belong to — and `batadv.outerSrc/outerDst` the
 * hop-by-hop mesh addresses.
 */
export class FrameDecoder implements StopSink, FrameDetail {
  number = 0;
  tsSec = 0;
  tsNsec = 0;
  tsDigits = 6;
  capLen = 0;
  wireLen = 0;
  linkType = 0;
  interfaceId = 0;
  data: Uint8Array = new Uint8Array(0);
  offset = 0;

  /** Bitmask of Layer values that decoded. */
  layers = 0;
  stopLayer: LayerId = Layer.none;
  stopCode: StopCode = Stop.none;
  stopNeed = 0;
  stopHave = 0;

  /** EtherType of the network layer (after tags and batman-adv), 0 when unknown. */
  etherType = 0;
  /** Link-layer source/destination of the frame that carries the network layer; NO_MAC when the link has none (SLL has no destination). */
  l2Src = NO_MAC;
  l2Dst = NO_MAC;

  readonly ethernet = new EthernetView();
  readonly vlan = new VlanTags();
  readonly sll = new SllView();
  readonly batadv = new BatadvView();
  readonly arp = new ArpView();
  readonly ipv4 = new Ipv4View();
  readonly ipv6 = new Ipv6View();
  readonly icmp = new IcmpView();
  readonly icmpv6 = new Icmpv6View();
  readonly udp = new UdpView();
  readonly tcp = new TcpView();
  readonly dhcp = new DhcpView();
  /** PPP protocol number for PPP links, else 0. */
  pppProtocol = 0;

  fieldBytes(at: number, length: number): Uint8Array {
    return this.data.subarray(at, at + length);
  }

  has(layer: LayerId): boolean {
    return (this.layers & layer) !== 0;
  }

  stop(layer: LayerId, code: StopCode, need: number, have: number): void {
    if (this.stopCode !== Stop.none) return;
    this.stopLayer = layer;
    this.stopCode = code;
    this.stopNeed = need;
    this.stopHave = have;
  }

  decode(rec: FrameRecord): void {
    this.number = rec.number;
    this.tsSec = rec.tsSec;
    this.tsNsec = rec.tsNsec;
    this.tsDigits = rec.tsDigits;
    this.capLen = rec.capLen;
    this.wireLen = rec.wireLen;
    this.linkType = rec.linkType;
    this.interfaceId = rec.interfaceId;
    this.decodeBytes(rec.data, rec.offset, rec.offset + rec.capLen, rec.linkType);
    if (this.stopCode === Stop.none) this.flagOverlongLengths(rec.offset + Math.max(rec.wireLen, rec.capLen));
  }

  /**
   * A length field that claims more bytes than the frame held on the wire contradicts the frame
   * (tshark: "total length exceeds packet length", tcpdump: "truncated-ip", "bad length"): the
   * frame keeps every layer that decoded and is flagged malformed. A claim past the captured bytes
   * but within the wire length is the snap length's doing, not a fault, and is not flagged. A
   * length of 0 is left alone: TSO's IPv4 total length, a jumbogram's payload and UDP lengths.
   * stop() keeps the first reason, so a UDP length is judged only inside an IP length that held.
   */
  private flagOverlongLengths(wireEnd: number): void {
    let ipEnd = wireEnd;
    if (this.has(Layer.ipv4) && this.ipv4.totalLength !== 0) {
      ipEnd = this.ipv4.offset + this.ipv4.totalLength;
      if (ipEnd > wireEnd) this.stop(Layer.ipv4, Stop.malformed, this.ipv4.totalLength, wireEnd - this.ipv4.offset);
    } else if (this.has(Layer.ipv6) && this.ipv6.payloadLength !== 0) {
      ipEnd = this.ipv6.offset + 40 + this.ipv6.payloadLength;
      if (ipEnd > wireEnd) this.stop(Layer.ipv6, Stop.malformed, 40 + this.ipv6.payloadLength, wireEnd - this.ipv6.offset);
    }
    const u = this.udp;
    if (this.has(Layer.udp) && u.length !== 0 && (u.length < 8 || u.offset + u.length > ipEnd)) {
      this.stop(Layer.udp, Stop.malformed, u.length, ipEnd - u.offset);
    }
  }

  /** Decode bytes directly (tests, live capture): frame metadata stays as set. */
  decodeBytes(b: Uint8Array, off: number, end: number, linkType: number): void {
    this.data = b;
    this.offset = off;
    this.layers = 0;
    this.stopLayer = Layer.none;
    this.stopCode = Stop.none;
    this.stopNeed = 0;
    this.stopHave = 0;
    this.etherType = 0;
    this.l2Src = NO_MAC;
    this.l2Dst = NO_MAC;
    this.pppProtocol = 0;
    this.vlan.reset();
    switch (linkType) {
      case LinkType.ethernet:
        this.fromEthernet(b, off, end);
        return;
      case LinkType.linuxSll:
      case LinkType.linuxSll2:
        if (!this.sll.decode(b, off, end, linkType === LinkType.linuxSll ? 1 : 2, this)) return;
        this.layers |= Layer.sll;
        this.l2Src = this.sll.addr;
        this.network(b, this.sll.protocol, this.sll.payloadOffset, end);
        return;
      case LinkType.ppp:
      case LinkType.pppHdlc:
        this.fromPpp(b, off, end);
        return;
      case LinkType.raw:
        if (end - off < 1) {
          this.stop(Layer.none, Stop.truncated, 1, 0);
          return;
        }
        this.network(b, b[off]! >>> 4 === 6 ? EtherType.ipv6 : EtherType.ipv4, off, end);
        return;
      case LinkType.ipv4:
        this.network(b, EtherType.ipv4, off, end);
        return;
      case LinkType.ipv6:
        this.network(b, EtherType.ipv6, off, end);
        return;
      default:
        this.stop(Layer.none, Stop.unsupportedLinkType, 0, linkType);
        return;
    }
  }

  private fromEthernet(b: Uint8Array, off: number, end: number): void {
    const eth = this.ethernet;
    if (!eth.decode(b, off, end, this)) return;
    this.layers |= Layer.ethernet;
    if (eth.snap) this.layers |= Layer.llc;
    this.l2Src = eth.src;
    this.l2Dst = eth.dst;
    this.network(b, eth.etherType, eth.payloadOffset, eth.end);
  }

  private fromPpp(b: Uint8Array, off: number, end: number): void {
    let p = off;
    // Address/control (0xff 0x03) may be compressed away (RFC 1661 ACFC).
    if (end - p >= 2 && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
    // A lone 0xff is a cut address field, not a one-byte protocol.
    if (end - p < 1 || (end - p === 1 && b[p] === 0xff)) {
      this.stop(Layer.ppp, Stop.truncated, p - off + 2, end - off);
      return;
    }
    // Protocol field compression: an odd first byte is a one-byte protocol.
    let protocol: number;
    if ((b[p]! & 1) === 1) {
      protocol = b[p]!;
      p += 1;
    } else {
      if (end - p < 2) {
        this.stop(Layer.ppp, Stop.truncated, p - off + 2, end - off);
        return;
      }
      protocol = be16(b, p);
      p += 2;
    }
    this.layers |= Layer.ppp;
    this.pppProtocol = protocol;
    const etherType = etherTypeForPpp(protocol);
    if (etherType !== 0) this.network(b, etherType, p, end);
  }

  private network(b: Uint8Array, etherType: number, off: number, end: number): void {
    let type = etherType;
    let p = off;
    let next = layerForEtherType(type);
    while (next === Layer.vlan) {
      if (!this.vlan.decode(b, p, end, type, this)) return;
      this.layers |= Layer.vlan;
      type = this.vlan.etherType;
      p = this.vlan.payloadOffset;
      next = layerForEtherType(type);
    }
    this.etherType = type;
    switch (next) {
      case Layer.arp:
        // A cut ARP packet still counts as ARP once its fixed 8 bytes are there; `arp.complete` tells the rest.
        if (this.arp.decode(b, p, end, type, this) || end - p >= 8) this.layers |= Layer.arp;
        return;
      case Layer.ipv4: {
        const ip = this.ipv4;
        if (!ip.decode(b, p, end, this)) return;
        this.layers |= Layer.ipv4;
        if (ip.isLaterFragment()) return;
        const claimedEnd = ip.totalLength === 0 ? ip.end : ip.offset + ip.totalLength;
        this.transport(b, ip.protocol, ip.payloadOffset, ip.end, claimedEnd);
        return;
      }
      case Layer.ipv6: {
        const ip = this.ipv6;
        if (!ip.decode(b, p, end, this)) {
          if (ip.headerRead) this.layers |= Layer.ipv6;
          return;
        }
        this.layers |= Layer.ipv6;
        if (ip.laterFragment) return;
        const claimedEnd = ip.payloadLength === 0 ? ip.end : ip.offset + 40 + ip.payloadLength;
        this.transport(b, ip.nextHeader, ip.payloadOffset, ip.end, claimedEnd);
        return;
      }
      case Layer.batadv: {
        if (this.has(Layer.batadv)) {
          // batman-adv inside batman-adv does not happen on a real mesh: refuse to recurse.
          this.stop(Layer.batadv, Stop.malformed, 0, 0);
          return;
        }
        const bat = this.batadv;
        if (!bat.decode(b, p, end, this.ethernet.src, this.ethernet.dst, this)) return;
        this.layers |= Layer.batadv;
        if (bat.innerOffset >= 0) {
          this.layers &= ~Layer.ethernet;
          this.fromEthernet(b, bat.innerOffset, end);
        }
        return;
      }
      default:
        return;
    }
  }

  private transport(b: Uint8Array, protocol: number, off: number, end: number, claimedEnd: number): void {
    switch (layerForIpProtocol(protocol)) {
      case Layer.icmp:
        if (this.icmp.decode(b, off, end, claimedEnd, this)) this.layers |= Layer.icmp;
        else if (end - off >= 4) this.layers |= Layer.icmp;
        return;
      case Layer.icmpv6:
        if (this.icmpv6.decode(b, off, end, claimedEnd, this)) this.layers |= Layer.icmpv6;
        else if (end - off >= 4) this.layers |= Layer.icmpv6;
        return;
      case Layer.udp:
        if (this.udp.decode(b, off, end, this)) {
          this.layers |= Layer.udp;
          this.udpPayload(b, off, end, claimedEnd);
        }
        return;
      case Layer.tcp:
        if (this.tcp.decode(b, off, end, claimedEnd, this)) this.layers |= Layer.tcp;
        return;
      default:
        return;
    }
  }

  /** The application layer of a UDP datagram, bounded by the UDP length where it is sound, else by the IP payload. */
  private udpPayload(b: Uint8Array, off: number, end: number, claimedEnd: number): void {
    const u = this.udp;
    // DHCPv4 runs over IPv4 only (DHCPv6 has its own ports, 546/547).
    if (layerForUdpPorts(u.srcPort, u.dstPort) !== Layer.dhcp || !this.has(Layer.ipv4)) return;
    const udpEnd = u.length >= 8 && off + u.length <= claimedEnd ? off + u.length : claimedEnd;
    if (this.dhcp.decode(b, off + 8, Math.min(end, udpEnd), udpEnd, this)) this.layers |= Layer.dhcp;
  }
}
