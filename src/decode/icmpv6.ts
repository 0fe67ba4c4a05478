import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32, ipv6Words, mac48, NO_MAC } from './read.js';

const MIN_BYTES = 4;
const HEADER_BYTES = 8;
const NDP_TARGET_BYTES = 24; // header + reserved/flags + 16-byte target
const RA_FIXED_BYTES = 16;
const IPV6_HEADER_BYTES = 40;

/** ICMPv6 types (RFC 4443, 4861). */
export const Icmpv6Type = {
  destUnreachable: 1,
  packetTooBig: 2,
  timeExceeded: 3,
  parameterProblem: 4,
  echoRequest: 128,
  echoReply: 129,
  routerSolicit: 133,
  routerAdvert: 134,
  neighborSolicit: 135,
  neighborAdvert: 136,
  redirect: 137,
} as const;

/** NDP option types carrying link-layer addresses. */
const OPTION_SOURCE_LL = 1;
const OPTION_TARGET_LL = 2;
const OPTION_PREFIX_INFO = 3;
const OPTION_MTU = 5;
/** Recursive DNS server option (RFC 8106): lifetime, then 16-byte addresses. */
const OPTION_RDNSS = 25;
const PREFIX_INFO_BYTES = 32;
const MTU_OPTION_BYTES = 8;
const RDNSS_HEADER_BYTES = 8;
/** Prefixes and DNS servers are counted up to this (a byte each in the decode thread's row). */
const MAX_COUNTED = 255;

/** Neighbor advertisement flag bits (first byte after the checksum). */
export const NaFlag = { router: 0x80, solicited: 0x40, override: 0x20 } as const;

/**
 * ICMPv6 message: echo id/sequence, NDP target and link-layer address
 * options, RA fields, and the quoted header of error messages. An option
 * with length 0 is malformed (RFC 4861 §4.6): the walk stops there, and what
 * was read before is kept.
 */
export class Icmpv6View {
  type = 0;
  code = 0;
  checksum = 0;
  id = -1;
  seq = -1;
  offset = 0;
  capturedLength = 0;
  length = 0;
  /** NS/NA/redirect target address; valid when hasTarget. */
  hasTarget = false;
  readonly target = new Uint32Array(4);
  /** NA flags byte (router/solicited/override); -1 when the frame ends before it. */
  naFlags = 0;
  /** Source / target link-layer address options as MAC numbers, NO_MAC when absent. */
  sourceLinkAddr = NO_MAC;
  targetLinkAddr = NO_MAC;
  /** RA: current hop limit, flags byte, router lifetime (s); -1 when not an RA. */
  raHopLimit = -1;
  raFlags = 0;
  raLifetime = -1;
  /** RA: reachable time and retransmission timer (ms), -1 when not an RA. */
  raReachable = -1;
  raRetrans = -1;
  /** Prefix information options (up to 255). */
  prefixCount = 0;
  /** RA: the first whole prefix information option (prefix, length, L/A flags, lifetimes in s); length -1 when none. */
  readonly raPrefix = new Uint32Array(4);
  raPrefixLength = -1;
  raPrefixFlags = 0;
  raPrefixValid = 0;
  raPrefixPreferred = 0;
  /** RA: MTU option, 0 when absent (0 is no valid MTU). */
  raMtu = 0;
  /** RA: recursive DNS servers in every RDNSS option (up to 255), the first of them (zero when none) and its option's lifetime (s). */
  rdnssCount = 0;
  readonly raRdnss = new Uint32Array(4);
  raRdnssLifetime = 0;
  /**
   * RA: a 32-bit digest of what the RA tells clients — the fixed fields
   * (hop limit, flags, router lifetime, timers) and every option but the
   * link-layer addresses, each option hashed alone and the hashes added, so
   * the option order does not matter. Two RAs with different digests say
   * different things; the fields above say what, for the first prefix and
   * RDNSS, and the digest catches the rest (a second prefix, DNSSL, routes)
   * without carrying every option to the detectors. 0 when not an RA, or
   * when its options were cut or malformed (what it says is not all known).
   */
  raDigest = 0;
  /** Options walk hit a zero or overlong option. */
  badOption = false;
  /** Quoted IPv6 header of an error message. */
  innerValid = false;
  readonly innerSrc = new Uint32Array(4);
  readonly innerDst = new Uint32Array(4);
  innerNextHeader = 0;

  decode(b: Uint8Array, off: number, end: number, claimedEnd: number, stops: StopSink): boolean {
    this.offset = off;
    this.id = -1;
    this.seq = -1;
    this.hasTarget = false;
    this.naFlags = -1;
    this.sourceLinkAddr = NO_MAC;
    this.targetLinkAddr = NO_MAC;
    this.raHopLimit = -1;
    this.raFlags = 0;
    this.raLifetime = -1;
    this.raReachable = -1;
    this.raRetrans = -1;
    this.prefixCount = 0;
    this.raPrefix.fill(0);
    this.raPrefixLength = -1;
    this.raPrefixFlags = 0;
    this.raPrefixValid = 0;
    this.raPrefixPreferred = 0;
    this.raMtu = 0;
    this.rdnssCount = 0;
    this.raRdnss.fill(0);
    this.raRdnssLifetime = 0;
    this.raDigest = 0;
    this.badOption = false;
    this.innerValid = false;
    this.capturedLength = end - off;
    this.length = claimedEnd - off;
    if (end - off < MIN_BYTES) {
      stops.stop(Layer.icmpv6, Stop.truncated, MIN_BYTES, end - off);
      return false;
    }
    this.type = b[off]!;
    this.code = b[off + 1]!;
    this.checksum = be16(b, off + 2);
    const t = this.type;
    let need = HEADER_BYTES;
    if (t === Icmpv6Type.neighborSolicit || t === Icmpv6Type.neighborAdvert) need = NDP_TARGET_BYTES;
    else if (t === Icmpv6Type.routerAdvert) need = RA_FIXED_BYTES;
    else if (t === Icmpv6Type.redirect) need = NDP_TARGET_BYTES + 16;
    if (end - off < need) {
      // Keep type/code: a cut NS is still an NS. Echo id/seq need the first 8 bytes.
      // A cut NA still has its flags when their byte is there.
      if (t === Icmpv6Type.neighborAdvert && end - off >= 5) this.naFlags = b[off + 4]!;
      if (end - off >= HEADER_BYTES && (t === Icmpv6Type.echoRequest || t === Icmpv6Type.echoReply)) {
        this.id = be16(b, off + 4);
        this.seq = be16(b, off + 6);
      }
      stops.stop(Layer.icmpv6, Stop.truncated, need, end - off);
      return false;
    }
    switch (t) {
      case Icmpv6Type.echoRequest:
      case Icmpv6Type.echoReply:
        this.id = be16(b, off + 4);
        this.seq = be16(b, off + 6);
        break;
      case Icmpv6Type.neighborSolicit:
      case Icmpv6Type.neighborAdvert:
      case Icmpv6Type.redirect:
        if (t === Icmpv6Type.neighborAdvert) this.naFlags = b[off + 4]!;
        this.hasTarget = true;
        ipv6Words(b, off + 8, this.target);
        this.walkOptions(b, off + need, end, claimedEnd, stops);
        break;
      case Icmpv6Type.routerSolicit:
        this.walkOptions(b, off + HEADER_BYTES, end, claimedEnd, stops);
        break;
      case Icmpv6Type.routerAdvert:
        this.raHopLimit = b[off + 4]!;
        this.raFlags = b[off + 5]!;
        this.raLifetime = be16(b, off + 6);
        this.raReachable = be32(b, off + 8);
        this.raRetrans = be32(b, off + 12);
        this.raDigest = hashBytes(b, off + 4, off + RA_FIXED_BYTES);
        this.walkOptions(b, off + RA_FIXED_BYTES, end, claimedEnd, stops);
        break;
      case Icmpv6Type.destUnreachable:
      case Icmpv6Type.packetTooBig:
      case Icmpv6Type.timeExceeded:
      case Icmpv6Type.parameterProblem:
        this.decodeQuoted(b, off + HEADER_BYTES, end, claimedEnd, stops);
        break;
      default:
        break;
    }
    return true;
  }

  private walkOptions(b: Uint8Array, p: number, end: number, claimedEnd: number, stops: StopSink): void {
    while (end - p >= 2) {
      const type = b[p]!;
      const length = b[p + 1]! * 8;
      if (length === 0 || p + length > claimedEnd) {
        this.badOption = true;
        this.raDigest = 0;
        return;
      }
      if (p + length > end) {
        // The option is whole in the message but the capture cut it.
        this.raDigest = 0;
        stops.stop(Layer.icmpv6, Stop.truncated, p + length - this.offset, end - this.offset);
        return;
      }
      if (type === OPTION_SOURCE_LL && length === 8) this.sourceLinkAddr = mac48(b, p + 2);
      else if (this.type === Icmpv6Type.routerAdvert) this.raOption(b, p, type, length);
      else if (type === OPTION_TARGET_LL && length === 8) this.targetLinkAddr = mac48(b, p + 2);
      p += length;
    }
    // The capture ended before the message did: the options after `p` were cut.
    if (end < claimedEnd) {
      this.raDigest = 0;
      stops.stop(Layer.icmpv6, Stop.truncated, Math.min(p + 2, claimedEnd) - this.offset, end - this.offset);
    }
  }

  /** One whole RA option at `p` (`length` bytes): the fields of the first prefix, MTU and RDNSS, and its hash into the digest. */
  private raOption(b: Uint8Array, p: number, type: number, length: number): void {
    this.raDigest = (this.raDigest + hashBytes(b, p, p + length)) | 0;
    if (type === OPTION_PREFIX_INFO) {
      if (length >= PREFIX_INFO_BYTES && this.raPrefixLength < 0) {
        this.raPrefixLength = b[p + 2]!;
        this.raPrefixFlags = b[p + 3]!;
        this.raPrefixValid = be32(b, p + 4);
        this.raPrefixPreferred = be32(b, p + 8);
        ipv6Words(b, p + 16, this.raPrefix);
      }
      if (this.prefixCount < MAX_COUNTED) this.prefixCount++;
    } else if (type === OPTION_MTU && length >= MTU_OPTION_BYTES) {
      this.raMtu = be32(b, p + 4);
    } else if (type === OPTION_RDNSS && length >= RDNSS_HEADER_BYTES + 16) {
      if (this.rdnssCount === 0) {
        this.raRdnssLifetime = be32(b, p + 4);
        ipv6Words(b, p + RDNSS_HEADER_BYTES, this.raRdnss);
      }
      this.rdnssCount = Math.min(MAX_COUNTED, this.rdnssCount + ((length - RDNSS_HEADER_BYTES) >>> 4));
    }
  }

  private decodeQuoted(b: Uint8Array, q: number, end: number, claimedEnd: number, stops: StopSink): void {
    if (end - q < IPV6_HEADER_BYTES) {
      // Cut by the capture (not quoted short by the sender): a truncation of this layer.
      if (end < claimedEnd) stops.stop(Layer.icmpv6, Stop.truncated, q + IPV6_HEADER_BYTES - this.offset, end - this.offset);
      return;
    }
    if (b[q]! >>> 4 !== 6) return;
    this.innerValid = true;
    this.innerNextHeader = b[q + 6]!;
    ipv6Words(b, q + 8, this.innerSrc);
    ipv6Words(b, q + 24, this.innerDst);
  }
}

/** FNV-1a over b[from..to): one RA part's contribution to its digest. */
function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h | 0;
}
