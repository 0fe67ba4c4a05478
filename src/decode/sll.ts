import { Layer, Stop, type StopSink } from './layer.js';
import { be16, be32, mac48, NO_MAC } from './read.js';

const SLL_BYTES = 16;
const SLL2_BYTES = 20;
/** ARPHRD_ETHER and friends whose 6-byte address is a MAC. */
const ARPHRD_ETHER = 1;

/** sll_pkttype values (linux/if_packet.h). */
export const SllPacketType = {
  host: 0,
  broadcast: 1,
  multicast: 2,
  otherHost: 3,
  outgoing: 4,
} as const;

/**
 * Linux "cooked" capture header, v1 (LINKTYPE_LINUX_SLL, `tcpdump -i any`
 * before libpcap 1.10) and v2 (LINKTYPE_LINUX_SLL2, which adds the
 * interface index). It has the sender's link address only: no destination.
 */
export class SllView {
  version = 1;
  packetType = 0;
  haType = 0;
  addrLen = 0;
  /** Link-layer source as a MAC number when it is a 6-byte Ethernet address, else NO_MAC. */
  addr = NO_MAC;
  addrOffset = 0;
  protocol = 0;
  /** Interface index (SLL2 only; 0 for SLL). */
  ifIndex = 0;
  payloadOffset = 0;

  decode(b: Uint8Array, off: number, end: number, version: 1 | 2, stops: StopSink): boolean {
    const need = version === 1 ? SLL_BYTES : SLL2_BYTES;
    if (end - off < need) {
      stops.stop(Layer.sll, Stop.truncated, need, end - off);
      return false;
    }
    this.version = version;
    if (version === 1) {
      this.packetType = be16(b, off);
      this.haType = be16(b, off + 2);
      this.addrLen = be16(b, off + 4);
      this.addrOffset = off + 6;
      this.protocol = be16(b, off + 14);
      this.ifIndex = 0;
    } else {
      this.protocol = be16(b, off);
      this.ifIndex = be32(b, off + 4);
      this.haType = be16(b, off + 8);
      this.packetType = b[off + 10]!;
      this.addrLen = b[off + 11]!;
      this.addrOffset = off + 12;
    }
    this.addr = this.addrLen === 6 && this.haType === ARPHRD_ETHER ? mac48(b, this.addrOffset) : NO_MAC;
    this.payloadOffset = off + need;
    return true;
  }
}
