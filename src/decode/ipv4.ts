import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32 } from './read.js';

const MIN_HEADER_BYTES = 20;

/**
 * IPv4 header (RFC 791). The payload ends at total_length, not at the end of
 * the frame (Ethernet pads short frames); where the capture was cut earlier,
 * `end` is the capture end and `truncated` says so. A total_length of 0 is
 * what TSO hands to a local capture: the captured length stands in for it.
 */
export class Ipv4View {
  version = 0;
  headerLength = 0;
  tos = 0;
  totalLength = 0;
  id = 0;
  /** Flags (DF = 2, MF = 1) and fragment offset in 8-byte units. */
  flags = 0;
  fragmentOffset = 0;
  ttl = 0;
  protocol = 0;
  checksum = 0;
  src = 0;
  dst = 0;
  offset = 0;
  payloadOffset = 0;
  end = 0;
  /** The capture holds less than total_length. */
  truncated = false;

  /** Not the first fragment: the transport header is in another frame. */
  isLaterFragment(): boolean {
    return this.fragmentOffset !== 0;
  }

  decode(b: Uint8Array, off: number, end: number, stops: StopSink): boolean {
    this.offset = off;
    if (end - off < MIN_HEADER_BYTES) {
      stops.stop(Layer.ipv4, Stop.truncated, MIN_HEADER_BYTES, end - off);
      return false;
    }
    const vihl = b[off]!;
    this.version = vihl >>> 4;
    this.headerLength = (vihl & 0x0f) * 4;
    if (this.version !== 4) {
      stops.stop(Layer.ipv4, Stop.unsupportedVersion, 4, this.version);
      return false;
    }
    if (this.headerLength < MIN_HEADER_BYTES) {
      stops.stop(Layer.ipv4, Stop.malformed, MIN_HEADER_BYTES, this.headerLength);
      return false;
    }
    this.tos = b[off + 1]!;
    this.totalLength = be16(b, off + 2);
    this.id = be16(b, off + 4);
    const fragWord = be16(b, off + 6);
    this.flags = fragWord >>> 13;
    this.fragmentOffset = fragWord & 0x1fff;
    this.ttl = b[off + 8]!;
    this.protocol = b[off + 9]!;
    this.checksum = be16(b, off + 10);
    this.src = be32(b, off + 12);
    this.dst = be32(b, off + 16);
    if (end - off < this.headerLength) {
      stops.stop(Layer.ipv4, Stop.truncated, this.headerLength, end - off);
      return false;
    }
    const claimed = this.totalLength === 0 ? end - off : this.totalLength;
    if (claimed < this.headerLength) {
      stops.stop(Layer.ipv4, Stop.malformed, this.headerLength, claimed);
      return false;
    }
    this.payloadOffset = off + this.headerLength;
    this.truncated = off + claimed > end;
    this.end = this.truncated ? end : off + claimed;
    return true;
  }
}
