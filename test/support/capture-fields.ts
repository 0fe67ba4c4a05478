/**
 * Finds the length fields of a capture file — the container's (pcap record
 * lengths, pcapng block and option lengths) and the frames' (SLL address
 * length, ARP hlen/plen, IPv4 IHL and total length, IPv6 payload length,
 * UDP length, NDP and DHCP option lengths, the Ethernet and VLAN
 * type/length words) — so the sweeps and the fuzzer can set each one to
 * the values decoders get wrong: 0, 1, the field's maximum and one past
 * the bytes there are.
 *
 * Written apart from src/source and src/decode on purpose: a walker that
 * shared the decoders' bugs would not put a field where they fail to look.
 * It is tolerant: it never reads past the buffer and stops a walk where the
 * bytes stop making sense.
 */

export type FieldWidth = 'u8' | 'u16' | 'u32' | 'nibble';

export interface LengthField {
  /** For messages: "record 2 incl_len", "frame 3 IPv4 total length". */
  name: string;
  /** Byte offset of the field in the file. */
  offset: number;
  width: FieldWidth;
  littleEndian: boolean;
  /** Bytes there are from where the field counts, so `room / unit + 1` is one past the buffer. */
  room: number;
  /** Bytes per unit of the field (IPv4 IHL: 4, NDP option length: 8). */
  unit: number;
}

const MAX: Record<FieldWidth, number> = { u8: 0xff, u16: 0xffff, u32: 0xffffffff, nibble: 0xf };

/** 0, 1, the field's maximum and one past the buffer (deduplicated, each within the field's range). */
export function edgeValues(f: LengthField): number[] {
  const past = Math.floor(f.room / f.unit) + 1;
  return [...new Set([0, 1, MAX[f.width], Math.min(past, MAX[f.width])])];
}

/** A copy of `file` with the field set to `value`. */
export function withField(file: Uint8Array, f: LengthField, value: number): Uint8Array {
  const out = Uint8Array.from(file);
  const v = new DataView(out.buffer);
  switch (f.width) {
    case 'u8':
      out[f.offset] = value & 0xff;
      break;
    case 'nibble':
      out[f.offset] = (out[f.offset]! & 0xf0) | (value & 0x0f);
      break;
    case 'u16':
      v.setUint16(f.offset, value & 0xffff, f.littleEndian);
      break;
    case 'u32':
      v.setUint32(f.offset, value >>> 0, f.littleEndian);
      break;
  }
  return out;
}

class Reader {
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  u8(o: number): number {
    return this.b[o] ?? 0;
  }
  u16(o: number, le: boolean): number {
    return le ? this.u8(o) | (this.u8(o + 1) << 8) : (this.u8(o) << 8) | this.u8(o + 1);
  }
  u32(o: number, le: boolean): number {
    return le
      ? (this.u8(o) | (this.u8(o + 1) << 8) | (this.u8(o + 2) << 16) | (this.u8(o + 3) << 24)) >>> 0
      : ((this.u8(o) << 24) | (this.u8(o + 1) << 16) | (this.u8(o + 2) << 8) | this.u8(o + 3)) >>> 0;
  }
}

/** Every length field of the file, container first, then each frame's in order. */
export function lengthFields(file: Uint8Array): LengthField[] {
  const r = new Reader(file);
  const out: LengthField[] = [];
  if (file.length < 24) return out;
  const le = r.u32(0, true);
  const be = r.u32(0, false);
  if (le === 0x0a0d0d0a) pcapngFields(r, out);
  else if (le === 0xa1b2c3d4 || le === 0xa1b23c4d) pcapFields(r, true, out);
  else if (be === 0xa1b2c3d4 || be === 0xa1b23c4d) pcapFields(r, false, out);
  return out;
}

function pcapFields(r: Reader, le: boolean, out: LengthField[]): void {
  const len = r.b.length;
  out.push({ name: 'file header snaplen', offset: 16, width: 'u32', littleEndian: le, room: len - 40, unit: 1 });
  const linkType = r.u32(20, le) & 0xffff;
  let n = 0;
  for (let pos = 24; pos + 16 <= len; ) {
    n++;
    const incl = r.u32(pos + 8, le);
    out.push({ name: `record ${n} incl_len`, offset: pos + 8, width: 'u32', littleEndian: le, room: len - pos - 16, unit: 1 });
    out.push({ name: `record ${n} orig_len`, offset: pos + 12, width: 'u32', littleEndian: le, room: len - pos - 16, unit: 1 });
    if (incl > len - pos - 16) break;
    frameFields(r, linkType, pos + 16, pos + 16 + incl, `frame ${n}`, out);
    pos += 16 + incl;
  }
}

function pcapngFields(r: Reader, out: LengthField[]): void {
  const len = r.b.length;
  let le = true;
  const linkTypes: number[] = [];
  let n = 0;
  let block = 0;
  for (let pos = 0; pos + 12 <= len; ) {
    block++;
    if (r.u32(pos, true) === 0x0a0d0d0a) {
      le = r.u32(pos + 8, true) === 0x1a2b3c4d;
      linkTypes.length = 0;
    }
    const type = r.u32(pos, le);
    const total = r.u32(pos + 4, le);
    out.push({ name: `block ${block} total length`, offset: pos + 4, width: 'u32', littleEndian: le, room: len - pos, unit: 1 });
    if (total < 12 || total % 4 !== 0 || total > len - pos) break;
    out.push({ name: `block ${block} trailing total length`, offset: pos + total - 4, width: 'u32', littleEndian: le, room: len - pos, unit: 1 });
    const end = pos + total - 4;
    if (type === 0x0a0d0d0a) optionFields(r, le, pos + 24, end, `block ${block} (section header)`, out);
    else if (type === 1) {
      linkTypes.push(r.u16(pos + 8, le));
      out.push({ name: `block ${block} snaplen`, offset: pos + 12, width: 'u32', littleEndian: le, room: 65535, unit: 1 });
      optionFields(r, le, pos + 16, end, `block ${block} (interface)`, out);
    } else if (type === 6 || type === 2) {
      n++;
      const cap = r.u32(pos + 20, le);
      out.push({ name: `block ${block} captured length`, offset: pos + 20, width: 'u32', littleEndian: le, room: total - 32, unit: 1 });
      out.push({ name: `block ${block} original length`, offset: pos + 24, width: 'u32', littleEndian: le, room: total - 32, unit: 1 });
      const id = type === 6 ? r.u32(pos + 8, le) : r.u16(pos + 8, le);
      if (cap <= total - 32) frameFields(r, linkTypes[id] ?? -1, pos + 28, pos + 28 + cap, `frame ${n}`, out);
    } else if (type === 3) {
      n++;
      out.push({ name: `block ${block} simple packet length`, offset: pos + 8, width: 'u32', littleEndian: le, room: total - 16, unit: 1 });
    }
    pos += total;
  }
}

/** pcapng options: code (u16), length (u16), value padded to 4. */
function optionFields(r: Reader, le: boolean, from: number, to: number, where: string, out: LengthField[]): void {
  for (let o = from; o + 4 <= to; ) {
    const code = r.u16(o, le);
    if (code === 0) return;
    const len = r.u16(o + 2, le);
    out.push({ name: `${where} option ${code} length`, offset: o + 2, width: 'u16', littleEndian: le, room: to - o - 4, unit: 1 });
    o += 4 + ((len + 3) & ~3);
  }
}

const ETHERTYPE = { ipv4: 0x0800, arp: 0x0806, rarp: 0x8035, vlan: 0x8100, qinq: 0x88a8, ipv6: 0x86dd } as const;

function frameFields(r: Reader, linkType: number, from: number, end: number, where: string, out: LengthField[]): void {
  if (linkType === 1) {
    if (end - from < 14) return;
    out.push({ name: `${where} Ethernet type/length`, offset: from + 12, width: 'u16', littleEndian: false, room: end - from - 14, unit: 1 });
    network(r, r.u16(from + 12, false), from + 14, end, where, out);
  } else if (linkType === 113) {
    if (end - from < 16) return;
    out.push({ name: `${where} SLL address length`, offset: from + 4, width: 'u16', littleEndian: false, room: 8, unit: 1 });
    network(r, r.u16(from + 14, false), from + 16, end, where, out);
  } else if (linkType === 276) {
    if (end - from < 20) return;
    out.push({ name: `${where} SLL2 address length`, offset: from + 11, width: 'u8', littleEndian: false, room: 8, unit: 1 });
    network(r, r.u16(from, false), from + 20, end, where, out);
  }
}

function network(r: Reader, etherType: number, from: number, end: number, where: string, out: LengthField[]): void {
  let type = etherType;
  let p = from;
  // Tags are bounded by the bytes, but a crafted frame could hold hundreds: the walk stops at 8.
  for (let tags = 0; (type === ETHERTYPE.vlan || type === ETHERTYPE.qinq) && tags < 8; tags++) {
    if (end - p < 4) return;
    out.push({ name: `${where} VLAN tag ${tags + 1} type/length`, offset: p + 2, width: 'u16', littleEndian: false, room: end - p - 4, unit: 1 });
    type = r.u16(p + 2, false);
    p += 4;
  }
  if (type === ETHERTYPE.arp || type === ETHERTYPE.rarp) {
    if (end - p < 8) return;
    out.push({ name: `${where} ARP hlen`, offset: p + 4, width: 'u8', littleEndian: false, room: end - p - 8, unit: 1 });
    out.push({ name: `${where} ARP plen`, offset: p + 5, width: 'u8', littleEndian: false, room: end - p - 8, unit: 1 });
  } else if (type === ETHERTYPE.ipv4) {
    if (end - p < 20) return;
    out.push({ name: `${where} IPv4 IHL`, offset: p, width: 'nibble', littleEndian: false, room: end - p, unit: 4 });
    out.push({ name: `${where} IPv4 total length`, offset: p + 2, width: 'u16', littleEndian: false, room: end - p, unit: 1 });
    const ihl = (r.u8(p) & 0x0f) * 4;
    if (ihl < 20 || end - p < ihl) return;
    if (r.u8(p + 9) === 17) udp(r, p + ihl, end, where, out);
  } else if (type === ETHERTYPE.ipv6) {
    if (end - p < 40) return;
    out.push({ name: `${where} IPv6 payload length`, offset: p + 4, width: 'u16', littleEndian: false, room: end - p - 40, unit: 1 });
    const next = r.u8(p + 6);
    if (next === 58) icmpv6(r, p + 40, end, where, out);
    else if (next === 17) udp(r, p + 40, end, where, out);
  }
}

function udp(r: Reader, p: number, end: number, where: string, out: LengthField[]): void {
  if (end - p < 8) return;
  out.push({ name: `${where} UDP length`, offset: p + 4, width: 'u16', littleEndian: false, room: end - p, unit: 1 });
  const src = r.u16(p, false);
  const dst = r.u16(p + 2, false);
  // DHCP: the options follow the 236-byte BOOTP header and the 4-byte magic cookie.
  if ((src !== 67 && src !== 68) || (dst !== 67 && dst !== 68)) return;
  let o = p + 8 + 240;
  for (let i = 0; i < 64 && o + 2 <= end; i++) {
    const code = r.u8(o);
    if (code === 255) return;
    if (code === 0) {
      o++;
      continue;
    }
    out.push({ name: `${where} DHCP option ${code} length`, offset: o + 1, width: 'u8', littleEndian: false, room: end - o - 2, unit: 1 });
    o += 2 + r.u8(o + 1);
  }
}

/** NDP messages carry options after a fixed part whose size depends on the type. */
const NDP_OPTIONS_AT: Record<number, number> = { 133: 8, 134: 16, 135: 24, 136: 24, 137: 40 };

function icmpv6(r: Reader, p: number, end: number, where: string, out: LengthField[]): void {
  const at = NDP_OPTIONS_AT[r.u8(p)];
  if (at === undefined) return;
  let o = p + at;
  for (let i = 0; i < 32 && o + 2 <= end; i++) {
    const len = r.u8(o + 1);
    out.push({ name: `${where} NDP option ${r.u8(o)} length`, offset: o + 1, width: 'u8', littleEndian: false, room: end - o, unit: 8 });
    if (len === 0) return;
    o += len * 8;
  }
}

/** [start, end) of every whole record (pcap) or block (pcapng, section headers included). */
export function recordSpans(file: Uint8Array): [number, number][] {
  const spans: [number, number][] = [];
  if (file.length < 12) return spans;
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = v.getUint32(0, true);
  if (magic === 0x0a0d0d0a) {
    let le = true;
    for (let pos = 0; pos + 12 <= file.length; ) {
      if (v.getUint32(pos, true) === 0x0a0d0d0a) le = v.getUint32(pos + 8, true) === 0x1a2b3c4d;
      const total = v.getUint32(pos + 4, le);
      if (total < 12 || total % 4 !== 0 || pos + total > file.length) break;
      spans.push([pos, pos + total]);
      pos += total;
    }
    return spans;
  }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && v.getUint32(0, false) !== 0xa1b2c3d4 && v.getUint32(0, false) !== 0xa1b23c4d) return spans;
  for (let pos = 24; pos + 16 <= file.length; ) {
    const incl = v.getUint32(pos + 8, le);
    if (pos + 16 + incl > file.length) break;
    spans.push([pos, pos + 16 + incl]);
    pos += 16 + incl;
  }
  return spans;
}
