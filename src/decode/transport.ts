import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32 } from './read.js';

const UDP_BYTES = 8;
const TCP_MIN_BYTES = 20;
const PORTS_BYTES = 4;

/** UDP header: ports and length. A cut header still yields its ports when 4 bytes are there. */
export class UdpView {
  srcPort = -1;
  dstPort = -1;
  length = 0;
  offset = 0;

  decode(b: Uint8Array, off: number, end: number, stops: StopSink): boolean {
    this.offset = off;
    this.srcPort = -1;
    this.dstPort = -1;
    if (end - off >= PORTS_BYTES) {
      this.srcPort = be16(b, off);
      this.dstPort = be16(b, off + 2);
    }
    if (end - off < UDP_BYTES) {
      stops.stop(Layer.udp, Stop.truncated, UDP_BYTES, end - off);
      return false;
    }
    this.length = be16(b, off + 4);
    return true;
  }
}

/** TCP flag bits (low byte of the offset/flags word). */
export const TcpFlag = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10, urg: 0x20 } as const;

/** TCP header: ports, sequence numbers, flags, and the payload length the IP header claims. */
export class TcpView {
  srcPort = -1;
  dstPort = -1;
  seq = 0;
  ack = 0;
  flags = 0;
  headerLength = 0;
  offset = 0;
  payloadLength = 0;

  /** `end`: where the captured bytes end; `claimedEnd`: where the IP length fields say the segment ends. */
  decode(b: Uint8Array, off: number, end: number, claimedEnd: number, stops: StopSink): boolean {
    this.offset = off;
    this.srcPort = -1;
    this.dstPort = -1;
    this.seq = 0;
    this.flags = 0;
    this.payloadLength = 0;
    if (end - off >= PORTS_BYTES) {
      this.srcPort = be16(b, off);
      this.dstPort = be16(b, off + 2);
    }
    if (end - off < TCP_MIN_BYTES) {
      stops.stop(Layer.tcp, Stop.truncated, TCP_MIN_BYTES, end - off);
      return false;
    }
    this.seq = be32(b, off + 4);
    this.ack = be32(b, off + 8);
    this.headerLength = (b[off + 12]! >>> 4) * 4;
    this.flags = b[off + 13]!;
    if (this.headerLength < TCP_MIN_BYTES) {
      stops.stop(Layer.tcp, Stop.malformed, TCP_MIN_BYTES, this.headerLength);
      return false;
    }
    this.payloadLength = Math.max(0, claimedEnd - off - this.headerLength);
    return true;
  }
}
