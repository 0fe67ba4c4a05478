/**
 * Address prefixes of either family as numbers (IPv4 in word 3 of four
 * 32-bit words, like an IPv4-mapped address), for containment tests.
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from '../core/address.js';

export interface Prefix {
  family: 4 | 6;
  /** IPv6: the four words; IPv4: word 3, the rest 0. */
  words: Uint32Array;
  length: number;
}

/** "10.172.0.0" / 16, "2001:db8::" / 32, "all" or "default" (length 0); undefined when not an address. */
export function prefixOf(text: string, length: number, family: 4 | 6): Prefix | undefined {
  const words = new Uint32Array(4);
  if (text === 'all' || text === 'default') return { family, words, length: 0 };
  if (family === 4) {
    const v = parseIpv4(text);
    if (Number.isNaN(v)) return undefined;
    words[3] = v;
  } else if (!parseIpv6(text, words)) return undefined;
  return { family, words: masked(words, family === 4 ? 96 + length : length), length };
}

function masked(words: Uint32Array, bits: number): Uint32Array {
  const out = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, bits - i * 32));
    out[i] = keep === 0 ? 0 : keep === 32 ? words[i]! : words[i]! & (0xffffffff << (32 - keep));
  }
  return out;
}

/** `outer` contains every address of `inner`. */
export function contains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  const inside = masked(inner.words, outer.family === 4 ? 96 + outer.length : outer.length);
  return inside.every((w, i) => w === outer.words[i]);
}

export function formatPrefix(p: Prefix): string {
  const addr = p.family === 4 ? formatIpv4(p.words[3]!) : formatIpv6(p.words);
  return `${addr}/${p.length}`;
}

export function hostPrefix(family: 4 | 6, words: Uint32Array): Prefix {
  return { family, words, length: family === 4 ? 32 : 128 };
}

export function ipv4Prefix(addr: number, length: number): Prefix {
  const words = new Uint32Array(4);
  words[3] = addr;
  return { family: 4, words: masked(words, 96 + length), length };
}

export function ipv6Prefix(words: Uint32Array, length: number): Prefix {
  return { family: 6, words: masked(words, length), length };
}
