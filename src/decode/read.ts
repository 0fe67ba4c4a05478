/** Big-endian (network order) reads and the address numbers every layer keeps. */

export function be16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function be32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * The bits of an integer (|x| < 2^53) above its low 32, as int32: the high
 * word when a 48-bit MAC, a timestamp or a wide key is kept as two int32
 * words (Smis in V8, never boxed). The low word is `x | 0`.
 */
export function highWord(x: number): number {
  return Math.floor(x / 4294967296) | 0;
}

/** The integer kept as `high` (highWord) and `low` (`x | 0`, as int32): the inverse of the split. */
export function joinWords(high: number, low: number): number {
  return high * 4294967296 + (low >>> 0);
}

/** A MAC address as a 48-bit integer (exact in a double): cheap to compare and to key maps with. */
export function mac48(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) * 4294967296 + be32(b, o + 2);
}

/** Copies 16 address bytes into four 32-bit words (no allocation: the words array belongs to a view). */
export function ipv6Words(b: Uint8Array, o: number, out: Uint32Array): void {
  out[0] = be32(b, o);
  out[1] = be32(b, o + 4);
  out[2] = be32(b, o + 8);
  out[3] = be32(b, o + 12);
}

/** Group bit of the first octet: broadcast and multicast MACs. */
export function isGroupMac(mac: number): boolean {
  return Math.floor(mac / 1099511627776) % 2 === 1;
}

export const BROADCAST_MAC = 0xffffffffffff;
/** Marks "no such address" in a MAC field (valid MACs are < 2^48). */
export const NO_MAC = -1;
