import { Layer, Stop, type StopSink } from './layer.js';
import { be16, mac48 } from './read.js';

const HEADER_BYTES = 14;
/** Type/length values up to 1500 are an 802.3 length; from 0x0600 on they are an EtherType. */
const MAX_8023_LENGTH = 1500;
const LLC_SNAP = 0xaaaa03;
const LLC_BYTES = 3; // DSAP, SSAP, control
const SNAP_BYTES = 8; // LLC + OUI + EtherType

/**
 * Ethernet II or 802.3 header. For 802.3 + LLC/SNAP the EtherType comes from
 * the SNAP header, so ARP carried that way (old bridges, some Wi-Fi drivers)
 * decodes like any other. `end` is where the payload ends: the frame end for
 * Ethernet II (padding included: the next layer limits itself by its own
 * length field), the 802.3 length for 802.3.
 */
export class EthernetView {
  dst = 0;
  src = 0;
  /** EtherType of the payload, or 0 for 802.3 frames that carry no SNAP header. */
  etherType = 0;
  /** The 802.3 length field, or -1 for Ethernet II. */
  lengthField = -1;
  /** True when an LLC/SNAP header supplied the EtherType. */
  snap = false;
  offset = 0;
  payloadOffset = 0;
  end = 0;

  decode(b: Uint8Array, off: number, end: number, stops: StopSink): boolean {
    this.offset = off;
    if (end - off < HEADER_BYTES) {
      stops.stop(Layer.ethernet, Stop.truncated, HEADER_BYTES, end - off);
      return false;
    }
    this.dst = mac48(b, off);
    this.src = mac48(b, off + 6);
    const typeOrLength = be16(b, off + 12);
    this.payloadOffset = off + HEADER_BYTES;
    this.end = end;
    this.snap = false;
    if (typeOrLength > MAX_8023_LENGTH) {
      this.etherType = typeOrLength;
      this.lengthField = -1;
      return true;
    }
    this.lengthField = typeOrLength;
    this.end = Math.min(end, this.payloadOffset + typeOrLength);
    this.etherType = 0;
    const p = this.payloadOffset;
    const have = this.end - p;
    if (have >= SNAP_BYTES && ((b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!) === LLC_SNAP) {
      this.etherType = be16(b, p + 6);
      this.snap = true;
      this.payloadOffset = p + 8;
    } else if (end < p + typeOrLength && (have < LLC_BYTES || ((b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!) === LLC_SNAP)) {
      // The capture cut the LLC header, or the SNAP header after it: say so rather than look like a frame with no EtherType.
      stops.stop(Layer.llc, Stop.truncated, have < LLC_BYTES ? LLC_BYTES : SNAP_BYTES, have);
    }
    return true;
  }
}
