import type { FrameRecord } from '../core/frame-record.js';
import { LinkType } from '../core/link-type.js';

/**
 * `tcpdump -i any` records a bridged frame once per interface it crosses
 * (the port it came in on, the bridge, the port it left by), byte for byte
 * the same. Counting each copy would double every request and reply, so a
 * cooked-capture frame whose network-layer bytes equal a frame seen within
 * DUPLICATE_WINDOW_NS on another interface is a copy. Only SLL/SLL2 links
 * are checked: an Ethernet capture sees each frame once.
 *
 * Two gateways can send byte-identical frames microseconds apart (both
 * anycast macvlans answer one ARP request with the same reply), so a match
 * is a copy only if its interface has not yet seen that frame: each entry
 * keeps the set of interfaces (ifindex mod 32) that saw it, and a frame
 * seen again on one of them is a new frame. The number of distinct frames
 * is then the most copies any one interface saw, as it should be.
 *
 * State is a fixed ring of numbers (hash, length, time, interface set): no
 * allocation per frame. SLL v1 has no interface index, so there a copy is
 * any identical frame within the window — a real resend is never that fast.
 */
export const DUPLICATE_WINDOW_NS = 10_000_000;
const RING = 64;
/** Bytes hashed per frame: headers and the start of the payload are what differ between frames. */
const HASHED_BYTES = 256;

export class AnyCaptureDedup {
  private readonly hash = new Uint32Array(RING);
  private readonly length = new Uint32Array(RING);
  private readonly timeNs = new Float64Array(RING);
  /** Bit (ifindex mod 32) per interface that saw the entry's frame; 0 for SLL v1. */
  private readonly seenOn = new Uint32Array(RING);
  private next = 0;
  private filled = 0;
  duplicates = 0;

  /** True when `rec` is a second copy of a recent frame; otherwise remembers it. */
  isDuplicate(rec: FrameRecord): boolean {
    let headerBytes: number;
    let ifIndex = -1;
    const b = rec.data;
    const o = rec.offset;
    if (rec.linkType === LinkType.linuxSll) {
      headerBytes = 16;
    } else if (rec.linkType === LinkType.linuxSll2) {
      headerBytes = 20;
      if (rec.capLen >= 8) ifIndex = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]! | 0;
    } else {
      return false;
    }
    if (rec.capLen <= headerBytes) return false;
    const end = o + Math.min(rec.capLen, headerBytes + HASHED_BYTES);
    // FNV-1a over the network-layer bytes (the cooked header differs between the copies).
    let h = 0x811c9dc5;
    for (let i = o + headerBytes; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h >>>= 0;
    const len = rec.wireLen - headerBytes;
    const t = rec.tsSec * 1e9 + rec.tsNsec;
    const bit = ifIndex >= 0 ? 1 << (ifIndex & 31) : 0;
    for (let k = 0; k < this.filled; k++) {
      if (this.hash[k] !== h || this.length[k] !== len) continue;
      if (Math.abs(t - this.timeNs[k]!) > DUPLICATE_WINDOW_NS) continue;
      if (bit !== 0 && (this.seenOn[k]! & bit) !== 0) continue;
      this.seenOn[k] = this.seenOn[k]! | bit;
      this.duplicates++;
      return true;
    }
    const slot = this.next;
    this.hash[slot] = h;
    this.length[slot] = len;
    this.timeNs[slot] = t;
    this.seenOn[slot] = bit;
    this.next = (slot + 1) % RING;
    if (this.filled < RING) this.filled++;
    return false;
  }
}
