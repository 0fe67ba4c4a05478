import type { FrameDetail } from '../decode/decoded-frame.js';
import { DhcpMessageType, type DhcpView } from '../decode/dhcp.js';

/** Names of DHCP message types as tcpdump prints them (option 53). */
export function dhcpMessageName(type: number): string {
  switch (type) {
    case DhcpMessageType.discover:
      return 'Discover';
    case DhcpMessageType.offer:
      return 'Offer';
    case DhcpMessageType.request:
      return 'Request';
    case DhcpMessageType.decline:
      return 'Decline';
    case DhcpMessageType.ack:
      return 'ACK';
    case DhcpMessageType.nak:
      return 'NACK';
    case DhcpMessageType.release:
      return 'Release';
    case DhcpMessageType.inform:
      return 'Inform';
    default:
      return `type ${type}`;
  }
}

/**
 * The DNS servers of the first option 6 the view saw, read from the frame
 * (the view keeps only the first as a number); further instances of the
 * option (RFC 3396) are counted in `dnsCount` but not listed.
 */
export function dhcpAddresses(d: FrameDetail, h: DhcpView): number[] {
  const bytes = d.fieldBytes(h.dnsOffset, h.dnsLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
  return out;
}
