/** Turning the decoders' numbers into the notation operators read. Only report/ formats. */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatMac(mac: number): string {
  if (mac < 0) return '';
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  return `${HEX[(hi >>> 8) & 0xff]}:${HEX[hi & 0xff]}:${HEX[lo >>> 24]}:${HEX[(lo >>> 16) & 0xff]}:${HEX[(lo >>> 8) & 0xff]}:${HEX[lo & 0xff]}`;
}

export function formatIpv4(addr: number): string {
  if (addr < 0) return '';
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** Bytes as colon-separated hex, for hardware addresses that are not 6 bytes long. */
export function formatHexBytes(b: Uint8Array, off: number, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(HEX[b[off + i]!]!);
  return parts.join(':');
}

/** Every byte of `b` as colon-separated hex. */
export function formatHex(b: Uint8Array): string {
  return formatHexBytes(b, 0, b.length);
}

/** RFC 5952 text form: lower case, longest run (≥ 2) of zero groups compressed, IPv4-mapped in dotted form. */
export function formatIpv6(words: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = words[i]! >>> 0;
    groups.push(w >>> 16, w & 0xffff);
  }
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(words[3]! >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * The link-local address the kernel gives an interface with this MAC
 * (modified EUI-64, RFC 4291 appendix A: ff:fe in the middle, the
 * universal/local bit flipped), written into `out` as four words.
 */
export function linkLocalFromMac(mac: number, out: Uint32Array): Uint32Array {
  const hi = Math.floor(mac / 4294967296);
  const lo = mac >>> 0;
  out[0] = 0xfe800000;
  out[1] = 0;
  out[2] = ((((hi >>> 8) & 0xff) ^ 0x02) * 16777216 + (hi & 0xff) * 65536 + (lo >>> 24) * 256 + 0xff) >>> 0;
  out[3] = (0xfe000000 + (lo & 0xffffff)) >>> 0;
  return out;
}

/** Parses "aa:bb:cc:dd:ee:ff" (or with '-') into the 48-bit number the decoders use; NaN when invalid. */
export function parseMac(text: string): number {
  const m = /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/i.exec(text.trim());
  if (m === null) return Number.NaN;
  let value = 0;
  for (let i = 1; i <= 6; i++) value = value * 256 + parseInt(m[i]!, 16);
  return value;
}

/** Parses dotted-quad IPv4 into a uint32; NaN when invalid. */
export function parseIpv4(text: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (m === null) return Number.NaN;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return Number.NaN;
    value = value * 256 + octet;
  }
  return value;
}

/** Parses IPv6 text into four words; returns false when invalid. */
export function parseIpv6(text: string, out: Uint32Array): boolean {
  let s = text.trim().toLowerCase();
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s.includes('.')) {
    // Embedded dotted quad (::ffff:192.0.2.1): rewrite it as the two groups it stands for.
    const lastColon = s.lastIndexOf(':');
    const v4 = lastColon < 0 ? Number.NaN : parseIpv4(s.slice(lastColon + 1));
    if (Number.isNaN(v4)) return false;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return false;
  const known = head.length + rest.length;
  if (halves.length === 1 && known !== 8) return false;
  if (halves.length === 2 && known > 7) return false;
  const groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest];
  for (let i = 0; i < 4; i++) out[i] = ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0;
  return true;
}
