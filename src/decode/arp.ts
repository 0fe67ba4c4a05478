import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32, mac48, NO_MAC } from './read.js';

const FIXED_BYTES = 8;
const HTYPE_ETHERNET = 1;
const PTYPE_IPV4 = 0x0800;

/** ARP / RARP / InARP operation codes (RFC 826, 903, 2390). */
export const ArpOp = {
  request: 1,
  reply: 2,
  reverseRequest: 3,
  reverseReply: 4,
  inverseRequest: 8,
  inverseReply: 9,
  nak: 10,
} as const;

/**
 * ARP packet (RFC 826), also RARP (same layout on EtherType 0x8035). The
 * packet's own length is 8 + 2·hlen + 2·plen: Ethernet padding after it is
 * not ARP. Addresses are numbers when they are Ethernet/IPv4 sized; other
 * sizes keep only their offsets, for printing.
 */
export class ArpView {
  htype = 0;
  ptype = 0;
  hlen = 0;
  plen = 0;
  op = 0;
  /** Sender/target hardware address as a MAC number (hlen 6), else NO_MAC. */
  sha = NO_MAC;
  tha = NO_MAC;
  /** Sender/target protocol address as a uint32 (plen 4), else -1. */
  spa = -1;
  tpa = -1;
  shaOffset = 0;
  spaOffset = 0;
  thaOffset = 0;
  tpaOffset = 0;
  /**
   * The whole packet was captured. A cut packet keeps only its fixed part
   * (types, lengths, opcode) and no addresses, as tcpdump ([|arp]) and
   * tshark (malformed) both treat it.
   */
  complete = false;
  /** Bytes of ARP the header describes (8 + 2·hlen + 2·plen). */
  length = 0;
  /** EtherType it arrived on: 0x0806 ARP or 0x8035 RARP. */
  etherType = 0;
  offset = 0;

  /** Ethernet hardware and IPv4 protocol addresses: the only kind anycast cares about. */
  isEthernetIpv4(): boolean {
    return this.htype === HTYPE_ETHERNET && this.ptype === PTYPE_IPV4 && this.hlen === 6 && this.plen === 4;
  }

  /** Marks the view Ethernet/IPv4 or not without bytes (a frame loaded from a kept row: pipeline/frame-row.ts). */
  setEthernetIpv4(yes: boolean): void {
    this.htype = yes ? HTYPE_ETHERNET : 0;
    this.ptype = yes ? PTYPE_IPV4 : 0;
    this.hlen = yes ? 6 : 0;
    this.plen = yes ? 4 : 0;
  }

  decode(b: Uint8Array, off: number, end: number, etherType: number, stops: StopSink): boolean {
    this.etherType = etherType;
    this.offset = off;
    this.sha = NO_MAC;
    this.tha = NO_MAC;
    this.spa = -1;
    this.tpa = -1;
    this.complete = false;
    if (end - off < FIXED_BYTES) {
      this.hlen = 0;
      this.plen = 0;
      stops.stop(Layer.arp, Stop.truncated, FIXED_BYTES, end - off);
      return false;
    }
    this.htype = be16(b, off);
    this.ptype = be16(b, off + 2);
    this.hlen = b[off + 4]!;
    this.plen = b[off + 5]!;
    this.op = be16(b, off + 6);
    this.length = FIXED_BYTES + 2 * this.hlen + 2 * this.plen;
    this.shaOffset = off + FIXED_BYTES;
    this.spaOffset = this.shaOffset + this.hlen;
    this.thaOffset = this.spaOffset + this.plen;
    this.tpaOffset = this.thaOffset + this.hlen;
    if (end - off < this.length) {
      stops.stop(Layer.arp, Stop.truncated, this.length, end - off);
      return false;
    }
    if (this.hlen === 6) {
      this.sha = mac48(b, this.shaOffset);
      this.tha = mac48(b, this.thaOffset);
    }
    if (this.plen === 4) {
      this.spa = be32(b, this.spaOffset);
      this.tpa = be32(b, this.tpaOffset);
    }
    this.complete = true;
    return true;
  }
}
