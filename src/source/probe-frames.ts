/**
 * The frames `probe` sends, built into one reused buffer: an ARP who-has
 * (RFC 826) for the anycast IP, broadcast, and an ICMP echo request
 * (RFC 792) to the anycast IP, sent to the anycast MAC. Addresses are
 * numbers (MAC 48-bit, IPv4 uint32), as everywhere below report/.
 */

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ICMPV6 = 58;
/** Ethernet frames shorter than this are padded (the NIC would pad them anyway; a capture then shows the same bytes). */
const MIN_FRAME = 60;
/** Echo payload bytes: enough to see in a capture, small enough never to fragment. */
export const ECHO_PAYLOAD = 32;
export const BROADCAST = 0xffffffffffff;

function putMac(b: Uint8Array, o: number, mac: number): void {
  const hi = Math.floor(mac / 0x100000000);
  b[o] = (hi >>> 8) & 0xff;
  b[o + 1] = hi & 0xff;
  putU32(b, o + 2, mac >>> 0);
}

function putU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** The Internet checksum (RFC 1071) of b[o, o + length). */
export function internetChecksum(b: Uint8Array, o: number, length: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < length; i += 2) sum += (b[o + i]! << 8) | b[o + i + 1]!;
  if (length % 2 === 1) sum += b[o + length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function putIpv6(b: Uint8Array, o: number, words: ArrayLike<number>): void {
  for (let i = 0; i < 4; i++) putU32(b, o + 4 * i, words[i]! >>> 0);
}

/** An IPv6 header at b[14..54) and the ICMPv6 checksum over the pseudo-header (RFC 8200 §8.1) and the message after it. */
function ipv6Icmp(b: Uint8Array, src: ArrayLike<number>, dst: ArrayLike<number>, payloadLength: number, hopLimit: number): void {
  const ip = 14;
  putU32(b, ip, 0x60000000);
  putU16(b, ip + 4, payloadLength);
  b[ip + 6] = ICMPV6;
  b[ip + 7] = hopLimit;
  putIpv6(b, ip + 8, src);
  putIpv6(b, ip + 24, dst);
  const icmp = ip + 40;
  putU16(b, icmp + 2, 0);
  // The pseudo-header: both addresses, the upper-layer length, three zero bytes and the next header.
  const pseudo = new Uint8Array(40 + payloadLength);
  pseudo.set(b.subarray(ip + 8, ip + 40), 0);
  putU32(pseudo, 32, payloadLength);
  pseudo[39] = ICMPV6;
  pseudo.set(b.subarray(icmp, icmp + payloadLength), 40);
  putU16(b, icmp + 2, internetChecksum(pseudo, 0, pseudo.length));
}

/** The solicited-node multicast address of `target` (ff02::1:ffXX:XXXX, RFC 4291 §2.7.1). */
export function solicitedNode(target: ArrayLike<number>, out: Uint32Array): Uint32Array {
  out[0] = 0xff020000;
  out[1] = 0;
  out[2] = 1;
  out[3] = (0xff000000 | (target[3]! & 0xffffff)) >>> 0;
  return out;
}

function ethernet(b: Uint8Array, dst: number, src: number, type: number): void {
  putMac(b, 0, dst);
  putMac(b, 6, src);
  putU16(b, 12, type);
}

export class ProbeFrames {
  /** The frame last built; its length is what the builder returned. */
  readonly buffer = new Uint8Array(14 + 40 + 8 + ECHO_PAYLOAD + MIN_FRAME);
  private readonly group = new Uint32Array(4);

  /** "who-has `targetIp` tell `senderIp`" from `senderMac`, broadcast; returns the frame length. */
  arpRequest(senderMac: number, senderIp: number, targetIp: number): number {
    const b = this.buffer;
    b.fill(0, 0, MIN_FRAME);
    ethernet(b, BROADCAST, senderMac, ETHERTYPE_ARP);
    putU16(b, 14, 1); // hardware: Ethernet
    putU16(b, 16, ETHERTYPE_IPV4);
    b[18] = 6;
    b[19] = 4;
    putU16(b, 20, 1); // request
    putMac(b, 22, senderMac);
    putU32(b, 28, senderIp);
    putMac(b, 32, 0); // target hardware address: unknown
    putU32(b, 38, targetIp);
    return MIN_FRAME;
  }

  /** An ICMP echo request `id`/`seq` from srcIp to dstIp, in a frame from srcMac to dstMac; returns the frame length. */
  echoRequest(srcMac: number, dstMac: number, srcIp: number, dstIp: number, id: number, seq: number): number {
    const b = this.buffer;
    const ip = 14;
    const icmp = ip + 20;
    const total = 20 + 8 + ECHO_PAYLOAD;
    ethernet(b, dstMac, srcMac, ETHERTYPE_IPV4);
    b[ip] = 0x45;
    b[ip + 1] = 0;
    putU16(b, ip + 2, total);
    putU16(b, ip + 4, seq & 0xffff); // identification
    putU16(b, ip + 6, 0x4000); // don't fragment
    b[ip + 8] = 64; // TTL
    b[ip + 9] = 1; // ICMP
    putU16(b, ip + 10, 0);
    putU32(b, ip + 12, srcIp);
    putU32(b, ip + 16, dstIp);
    putU16(b, ip + 10, internetChecksum(b, ip, 20));
    b[icmp] = 8; // echo request
    b[icmp + 1] = 0;
    putU16(b, icmp + 2, 0);
    putU16(b, icmp + 4, id & 0xffff);
    putU16(b, icmp + 6, seq & 0xffff);
    // A recognisable payload, like ping's: the bytes 0x10, 0x11, …
    for (let i = 0; i < ECHO_PAYLOAD; i++) b[icmp + 8 + i] = (0x10 + i) & 0xff;
    putU16(b, icmp + 2, internetChecksum(b, icmp, 8 + ECHO_PAYLOAD));
    return Math.max(MIN_FRAME, 14 + total);
  }

  /** A neighbor solicitation for `target` (RFC 4861 §4.3) to its solicited-node group, with our link-layer address; returns the frame length. */
  neighborSolicit(srcMac: number, src: ArrayLike<number>, target: ArrayLike<number>): number {
    const b = this.buffer;
    const group = solicitedNode(target, this.group);
    // 33:33 and the group's low 32 bits (RFC 2464 §7).
    ethernet(b, 0x333300000000 + group[3]!, srcMac, ETHERTYPE_IPV6);
    const icmp = 14 + 40;
    b[icmp] = 135;
    b[icmp + 1] = 0;
    putU32(b, icmp + 4, 0);
    putIpv6(b, icmp + 8, target);
    b[icmp + 24] = 1; // source link-layer address option, 8 bytes
    b[icmp + 25] = 1;
    putMac(b, icmp + 26, srcMac);
    ipv6Icmp(b, src, group, 32, 255);
    return 14 + 40 + 32;
  }

  /** An ICMPv6 echo request `id`/`seq` from src to dst, in a frame from srcMac to dstMac; returns the frame length. */
  echo6Request(srcMac: number, dstMac: number, src: ArrayLike<number>, dst: ArrayLike<number>, id: number, seq: number): number {
    const b = this.buffer;
    ethernet(b, dstMac, srcMac, ETHERTYPE_IPV6);
    const icmp = 14 + 40;
    b[icmp] = 128;
    b[icmp + 1] = 0;
    putU16(b, icmp + 4, id & 0xffff);
    putU16(b, icmp + 6, seq & 0xffff);
    for (let i = 0; i < ECHO_PAYLOAD; i++) b[icmp + 8 + i] = (0x10 + i) & 0xff;
    ipv6Icmp(b, src, dst, 8 + ECHO_PAYLOAD, 64);
    return 14 + 40 + 8 + ECHO_PAYLOAD;
  }
}
