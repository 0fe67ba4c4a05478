import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32 } from './read.js';

const HEADER_BYTES = 8;
const MIN_BYTES = 4;
const IP_HEADER_MIN = 20;

/** ICMP types this project names (RFC 792, 950). */
export const IcmpType = {
  echoReply: 0,
  destUnreachable: 3,
  sourceQuench: 4,
  redirect: 5,
  echoRequest: 8,
  routerAdvert: 9,
  routerSolicit: 10,
  timeExceeded: 11,
  parameterProblem: 12,
  timestampRequest: 13,
  timestampReply: 14,
  infoRequest: 15,
  infoReply: 16,
  maskRequest: 17,
  maskReply: 18,
} as const;

/** Types whose second word is identifier + sequence. */
export function icmpHasIdSeq(type: number): boolean {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

/** Error types that quote the offending datagram's IP header + 8 bytes. */
export function icmpIsError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/**
 * ICMP message (RFC 792). Echo-style messages expose id and sequence; error
 * messages expose the quoted datagram's addresses, protocol and first
 * transport bytes (ports, or the quoted echo's id/sequence), which is what
 * pairs an error with the flow that caused it.
 */
export class IcmpView {
  type = 0;
  code = 0;
  checksum = 0;
  /** Echo/timestamp/info/mask identifier and sequence, or -1. */
  id = -1;
  seq = -1;
  /** Second header word (gateway for redirects, next-hop MTU…), or -1 when cut. */
  restOfHeader = -1;
  offset = 0;
  /** ICMP message bytes present in the capture and the length the IP header says it has. */
  capturedLength = 0;
  length = 0;
  /** Quoted datagram of an error message; innerValid when its IPv4 header was there. */
  innerValid = false;
  innerSrc = 0;
  innerDst = 0;
  innerProtocol = 0;
  /** Quoted transport ports (UDP/TCP) or echo id/seq (ICMP), -1 when not quoted. */
  innerSrcPort = -1;
  innerDstPort = -1;
  innerOffset = 0;

  decode(b: Uint8Array, off: number, end: number, claimedEnd: number, stops: StopSink): boolean {
    this.offset = off;
    this.id = -1;
    this.seq = -1;
    this.restOfHeader = -1;
    this.innerValid = false;
    this.innerSrcPort = -1;
    this.innerDstPort = -1;
    this.capturedLength = end - off;
    this.length = claimedEnd - off;
    if (end - off < MIN_BYTES) {
      stops.stop(Layer.icmp, Stop.truncated, MIN_BYTES, end - off);
      return false;
    }
    this.type = b[off]!;
    this.code = b[off + 1]!;
    this.checksum = be16(b, off + 2);
    if (end - off < HEADER_BYTES) {
      // An echo cut inside its second word still names its identifier.
      if (end - off >= 6 && icmpHasIdSeq(this.type)) this.id = be16(b, off + 4);
      stops.stop(Layer.icmp, Stop.truncated, HEADER_BYTES, end - off);
      return false;
    }
    this.restOfHeader = be32(b, off + 4);
    if (icmpHasIdSeq(this.type)) {
      this.id = be16(b, off + 4);
      this.seq = be16(b, off + 6);
    } else if (icmpIsError(this.type)) {
      this.decodeQuoted(b, off + HEADER_BYTES, end, claimedEnd, stops);
    }
    return true;
  }

  private decodeQuoted(b: Uint8Array, q: number, end: number, claimedEnd: number, stops: StopSink): void {
    this.innerOffset = q;
    if (end - q < IP_HEADER_MIN) {
      this.quoteCut(q + IP_HEADER_MIN, end, claimedEnd, stops);
      return;
    }
    if (b[q]! >>> 4 !== 4) return;
    const ihl = (b[q]! & 0x0f) * 4;
    if (ihl < IP_HEADER_MIN) return;
    this.innerValid = true;
    this.innerProtocol = b[q + 9]!;
    this.innerSrc = be32(b, q + 12);
    this.innerDst = be32(b, q + 16);
    const t = q + ihl;
    if (end - t < 4) {
      this.quoteCut(t + 4, end, claimedEnd, stops);
      return;
    }
    if (this.innerProtocol === 1) {
      if (end - t < 8) {
        this.quoteCut(t + 8, end, claimedEnd, stops);
        return;
      }
      if (icmpHasIdSeq(b[t]!)) {
        this.innerSrcPort = be16(b, t + 4);
        this.innerDstPort = be16(b, t + 6);
      }
      return;
    }
    this.innerSrcPort = be16(b, t);
    this.innerDstPort = be16(b, t + 2);
  }

  /** A quote the capture cut (not one the sender sent short) is a truncation of this layer. */
  private quoteCut(need: number, end: number, claimedEnd: number, stops: StopSink): void {
    if (end < claimedEnd) stops.stop(Layer.icmp, Stop.truncated, need - this.offset, end - this.offset);
  }
}
