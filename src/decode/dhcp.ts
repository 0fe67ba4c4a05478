import { Layer, Stop, type StopSink } from './layer.js';
import { be32, mac48, NO_MAC } from './read.js';

/**
 * BOOTP/DHCPv4 (RFC 2131, 2132) over UDP ports 67/68: a view over the
 * message's bytes. The fixed BOOTP header is 236 bytes, then the magic
 * cookie 99.130.83.99 and the options. A message without the cookie is
 * plain BOOTP: the header decodes, there are no options.
 *
 * The options are walked once, bounded by the UDP payload: pad (0) and end
 * (255) are one byte, every other option is code, length, data. Only the
 * options the detectors and the `frames` line use are kept, as numbers or —
 * for the host and domain names — as offsets into the frame, so nothing is
 * allocated per frame. An option cut by the capture stops the walk as
 * truncated; one that runs past the UDP payload, or an address option whose
 * length is not a multiple of 4, as malformed; what came before is kept.
 *
 * Not decoded: option overload (52) — options carried in the `file` and
 * `sname` fields are not walked, and `overload` says so — and long options
 * split over several instances (RFC 3396): each instance adds its addresses
 * to the count, the first address stays the first instance's.
 */

/** Size of the fixed BOOTP header (op … file). */
export const BOOTP_HEADER_BYTES = 236;
const COOKIE_BYTES = 4;
const MAGIC_COOKIE = 0x63825363;

/** DHCP message types (option 53, RFC 2132 §9.6). */
export const DhcpMessageType = {
  discover: 1,
  offer: 2,
  request: 3,
  decline: 4,
  ack: 5,
  nak: 6,
  release: 7,
  inform: 8,
} as const;

/** The option codes this view keeps (RFC 2132). */
export const DhcpOption = {
  pad: 0,
  subnetMask: 1,
  router: 3,
  dns: 6,
  hostName: 12,
  domainName: 15,
  leaseTime: 51,
  overload: 52,
  messageType: 53,
  serverId: 54,
  end: 255,
} as const;

/** BOOTP op codes. */
export const BootpOp = { request: 1, reply: 2 } as const;

/** UDP ports of DHCPv4: the server listens on 67, the client on 68. */
export const DhcpPort = { server: 67, client: 68 } as const;

export class DhcpView {
  offset = 0;
  /** BOOTP op (1 request, 2 reply), hardware type and length. */
  op = 0;
  htype = 0;
  hlen = 0;
  xid = 0;
  /** Client, "your" (offered), server and relay addresses (uint32). */
  ciaddr = 0;
  yiaddr = 0;
  siaddr = 0;
  giaddr = 0;
  /** Client hardware address as a MAC number when htype is Ethernet with hlen 6, else NO_MAC. */
  chaddr = NO_MAC;
  /** The magic cookie is there: a DHCP message, not plain BOOTP. */
  hasCookie = false;
  /** Option 53, -1 when absent. */
  messageType = -1;
  /** Option 1, -1 when absent. */
  subnetMask = -1;
  /** Option 3: the first router and how many were listed (0: no option). */
  router = -1;
  routerCount = 0;
  /** Option 6: the first DNS server and how many were listed; `dnsOffset` points at the first instance's addresses. */
  dns = -1;
  dnsCount = 0;
  dnsOffset = -1;
  dnsLength = 0;
  /** Option 51 in seconds, -1 when absent. */
  leaseTime = -1;
  /** Option 54, -1 when absent. */
  serverId = -1;
  /** Options 12 and 15 as byte ranges of the frame (-1 when absent): wire text, escape before printing. */
  hostNameOffset = -1;
  hostNameLength = 0;
  domainNameOffset = -1;
  domainNameLength = 0;
  /** Option 52 was present: the options it moves into `file`/`sname` are not decoded. */
  overload = false;

  /**
   * `end` is where the capture ends, `claimedEnd` where the UDP payload
   * says it ends; the options are walked up to the nearer of the two.
   */
  decode(b: Uint8Array, off: number, end: number, claimedEnd: number, stops: StopSink): boolean {
    this.offset = off;
    this.chaddr = NO_MAC;
    this.hasCookie = false;
    this.messageType = -1;
    this.subnetMask = -1;
    this.router = -1;
    this.routerCount = 0;
    this.dns = -1;
    this.dnsCount = 0;
    this.dnsOffset = -1;
    this.dnsLength = 0;
    this.leaseTime = -1;
    this.serverId = -1;
    this.hostNameOffset = -1;
    this.hostNameLength = 0;
    this.domainNameOffset = -1;
    this.domainNameLength = 0;
    this.overload = false;
    const limit = Math.min(end, claimedEnd);
    if (limit - off < BOOTP_HEADER_BYTES) {
      stops.stop(Layer.dhcp, claimedEnd - off < BOOTP_HEADER_BYTES ? Stop.malformed : Stop.truncated, BOOTP_HEADER_BYTES, limit - off);
      return false;
    }
    this.op = b[off]!;
    this.htype = b[off + 1]!;
    this.hlen = b[off + 2]!;
    this.xid = be32(b, off + 4);
    this.ciaddr = be32(b, off + 12);
    this.yiaddr = be32(b, off + 16);
    this.siaddr = be32(b, off + 20);
    this.giaddr = be32(b, off + 24);
    if (this.htype === 1 && this.hlen === 6) this.chaddr = mac48(b, off + 28);
    const cookieAt = off + BOOTP_HEADER_BYTES;
    if (limit - cookieAt < COOKIE_BYTES) {
      // Plain BOOTP ends here; a cookie the capture cut is a truncation.
      if (end < claimedEnd && claimedEnd - cookieAt >= COOKIE_BYTES) stops.stop(Layer.dhcp, Stop.truncated, BOOTP_HEADER_BYTES + COOKIE_BYTES, end - off);
      return true;
    }
    if (be32(b, cookieAt) !== MAGIC_COOKIE) return true;
    this.hasCookie = true;
    this.walkOptions(b, cookieAt + COOKIE_BYTES, end, claimedEnd, stops);
    return true;
  }

  private walkOptions(b: Uint8Array, start: number, end: number, claimedEnd: number, stops: StopSink): void {
    const limit = Math.min(end, claimedEnd);
    let p = start;
    // Every turn moves p forward by at least one byte: the walk ends within the payload.
    while (p < limit) {
      const code = b[p]!;
      if (code === DhcpOption.pad) {
        p++;
        continue;
      }
      if (code === DhcpOption.end) return;
      if (limit - p < 2) {
        this.cut(p + 2, end, claimedEnd, stops);
        return;
      }
      const length = b[p + 1]!;
      const data = p + 2;
      if (data + length > limit) {
        this.cut(data + length, end, claimedEnd, stops);
        return;
      }
      const needed = this.option(b, code, data, length);
      if (needed !== FITS) {
        // The option's length cannot hold its value: need and have are the option's lengths.
        stops.stop(Layer.dhcp, Stop.malformed, needed, length);
        return;
      }
      p = data + length;
    }
    // No end option: a message cut by the capture (else the sender left it out, which is no error here).
    if (end < claimedEnd) stops.stop(Layer.dhcp, Stop.truncated, p + 1 - this.offset, end - this.offset);
  }

  /** The option at [data, data + length) does not fit: cut by the capture, or longer than the message. */
  private cut(need: number, end: number, claimedEnd: number, stops: StopSink): void {
    const code = need > claimedEnd ? Stop.malformed : Stop.truncated;
    stops.stop(Layer.dhcp, code, need - this.offset, Math.min(end, claimedEnd) - this.offset);
  }

  /** Keeps one option's value; returns FITS, or the length the option needed when its own cannot hold the value. */
  private option(b: Uint8Array, code: number, data: number, length: number): number {
    switch (code) {
      case DhcpOption.messageType:
        if (length !== 1) return 1;
        this.messageType = b[data]!;
        return FITS;
      case DhcpOption.subnetMask:
        if (length !== 4) return 4;
        this.subnetMask = be32(b, data);
        return FITS;
      case DhcpOption.leaseTime:
        if (length !== 4) return 4;
        this.leaseTime = be32(b, data);
        return FITS;
      case DhcpOption.serverId:
        if (length !== 4) return 4;
        this.serverId = be32(b, data);
        return FITS;
      case DhcpOption.router:
        if (length === 0 || length % 4 !== 0) return addressListLength(length);
        if (this.routerCount === 0) this.router = be32(b, data);
        this.routerCount += length / 4;
        return FITS;
      case DhcpOption.dns:
        if (length === 0 || length % 4 !== 0) return addressListLength(length);
        if (this.dnsCount === 0) {
          this.dns = be32(b, data);
          this.dnsOffset = data;
          this.dnsLength = length;
        }
        this.dnsCount += length / 4;
        return FITS;
      case DhcpOption.hostName:
        this.hostNameOffset = data;
        this.hostNameLength = length;
        return FITS;
      case DhcpOption.domainName:
        this.domainNameOffset = data;
        this.domainNameLength = length;
        return FITS;
      case DhcpOption.overload:
        this.overload = true;
        return FITS;
      default:
        return FITS;
    }
  }
}

/** What `option` returns for an option whose length holds its value. */
const FITS = -1;

/** The length an address-list option of `length` bytes should have had: the next whole number of addresses, at least one. */
function addressListLength(length: number): number {
  return Math.max(4, Math.ceil(length / 4) * 4);
}
