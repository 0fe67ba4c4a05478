import type { FrameRecord } from '../core/frame-record.js';
import { LinkType } from '../core/link-type.js';

/**
 * Whether a frame can hold ARP, judged from its first link-layer type field
 * alone — for passes that need only ARP (anycast inference) and should not
 * decode the other 95 % of a busy bridge's frames. Tags, batman-adv, 802.3
 * and unknown link layers answer "maybe" (true): the decoder decides.
 */
export function mayCarryArp(rec: FrameRecord): boolean {
  const b = rec.data;
  const o = rec.offset;
  let typeAt: number;
  switch (rec.linkType) {
    case LinkType.ethernet:
      typeAt = o + 12;
      break;
    case LinkType.linuxSll:
      typeAt = o + 14;
      break;
    case LinkType.linuxSll2:
      typeAt = o;
      break;
    default:
      return true;
  }
  if (rec.capLen < typeAt - o + 2) return true;
  const type = (b[typeAt]! << 8) | b[typeAt + 1]!;
  // IPv4 and IPv6, the bulk of the traffic, are the only types ruled out.
  return type !== 0x0800 && type !== 0x86dd;
}
