import { Layer, Stop, type StopCode, type StopSink } from './layer.js';
import { be16, ipv6Words } from './read.js';

const HEADER_BYTES = 40;
/** A chain longer than this is a crafted loop, not a real packet. */
const MAX_EXTENSION_HEADERS = 8;

/** Extension headers walked to find the transport (RFC 8200 §4). */
export const Ipv6Next = {
  hopByHop: 0,
  routing: 43,
  fragment: 44,
  esp: 50,
  authentication: 51,
  noNext: 59,
  destinationOptions: 60,
  mobility: 135,
  icmpv6: 58,
} as const;

/**
 * IPv6 header with its extension headers skipped: `nextHeader` and
 * `payloadOffset` describe the transport that follows the chain, so an
 * ICMPv6 MLD report behind a Hop-by-Hop header decodes like any other.
 * Addresses are four 32-bit words each.
 */
export class Ipv6View {
  trafficClass = 0;
  flowLabel = 0;
  payloadLength = 0;
  /** Next header of the fixed header (before extension headers were walked). */
  firstNextHeader = 0;
  /** Transport protocol after the extension-header chain. */
  nextHeader = 0;
  hopLimit = 0;
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  offset = 0;
  payloadOffset = 0;
  end = 0;
  truncated = false;
  /** Non-first fragment: no transport header here. */
  laterFragment = false;
  extensionHeaders = 0;
  /**
   * The fixed header decoded (addresses, next header): true even when the
   * extension-header walk then stopped, so the frame keeps its IPv6 layer
   * with the stop reason, as tcpdump and tshark keep it.
   */
  headerRead = false;

  decode(b: Uint8Array, off: number, end: number, stops: StopSink): boolean {
    this.offset = off;
    this.laterFragment = false;
    this.extensionHeaders = 0;
    this.headerRead = false;
    if (end - off < HEADER_BYTES) {
      stops.stop(Layer.ipv6, Stop.truncated, HEADER_BYTES, end - off);
      return false;
    }
    const version = b[off]! >>> 4;
    if (version !== 6) {
      stops.stop(Layer.ipv6, Stop.unsupportedVersion, 6, version);
      return false;
    }
    this.trafficClass = ((b[off]! & 0x0f) << 4) | (b[off + 1]! >>> 4);
    this.flowLabel = ((b[off + 1]! & 0x0f) << 16) | be16(b, off + 2);
    this.payloadLength = be16(b, off + 4);
    this.firstNextHeader = b[off + 6]!;
    this.hopLimit = b[off + 7]!;
    ipv6Words(b, off + 8, this.src);
    ipv6Words(b, off + 24, this.dst);
    this.nextHeader = this.firstNextHeader;
    this.headerRead = true;
    // Payload length 0 is a jumbogram only with a Hop-by-Hop header (its Jumbo Payload option):
    // then the capture end stands in. Without one there is no payload (tcpdump: "length 0
    // (invalid)", tshark: malformed): the bytes after the header are not decoded as anything.
    if (this.payloadLength === 0 && this.firstNextHeader !== Ipv6Next.hopByHop) {
      this.end = off + HEADER_BYTES;
      this.truncated = false;
      stops.stop(Layer.ipv6, Stop.malformed, 1, 0);
      return false;
    }
    const claimedEnd = this.payloadLength === 0 ? end : off + HEADER_BYTES + this.payloadLength;
    this.truncated = claimedEnd > end;
    this.end = this.truncated ? end : claimedEnd;
    let next = this.firstNextHeader;
    let p = off + HEADER_BYTES;
    while (
      next === Ipv6Next.hopByHop ||
      next === Ipv6Next.routing ||
      next === Ipv6Next.fragment ||
      next === Ipv6Next.destinationOptions ||
      next === Ipv6Next.authentication ||
      next === Ipv6Next.mobility
    ) {
      if (this.extensionHeaders === MAX_EXTENSION_HEADERS) {
        stops.stop(Layer.ipv6, Stop.malformed, MAX_EXTENSION_HEADERS, MAX_EXTENSION_HEADERS + 1);
        return false;
      }
      if (this.end - p < 8) {
        stops.stop(Layer.ipv6, this.overrun(p + 8, claimedEnd), p - off + 8, this.end - off);
        return false;
      }
      let length: number;
      if (next === Ipv6Next.fragment) {
        length = 8;
        if ((be16(b, p + 2) & 0xfff8) !== 0) this.laterFragment = true;
      } else if (next === Ipv6Next.authentication) {
        length = (b[p + 1]! + 2) * 4;
      } else {
        length = (b[p + 1]! + 1) * 8;
      }
      next = b[p]!;
      p += length;
      this.extensionHeaders++;
      if (p > this.end) {
        stops.stop(Layer.ipv6, this.overrun(p, claimedEnd), p - off, this.end - off);
        return false;
      }
      if (this.laterFragment) break;
    }
    this.nextHeader = next;
    this.payloadOffset = p;
    return true;
  }

  /** A chain running past the payload length contradicts the header (malformed); past the capture only, it was cut (truncated). */
  private overrun(need: number, claimedEnd: number): StopCode {
    return this.payloadLength !== 0 && need > claimedEnd ? Stop.malformed : Stop.truncated;
  }
}
