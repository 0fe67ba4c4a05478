/**
 * In-memory pcapng builder for tests (allocation is fine). Emits valid blocks
 * by default and offers raw hooks (block(), raw()) to forge broken files.
 *
 * Blocks are appended in call order; each section's byte order is chosen by
 * its shb() call, so a file can mix sections of both byte orders.
 */

export const PCAPNG_BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  SPB: 0x00000003,
  EPB: 0x00000006,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const PCAPNG_OPTION = {
  END: 0,
  COMMENT: 1,
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
} as const;

/** if_tsresol values: power of ten of the per-second unit. */
export const TSRESOL = { MICRO: 6, NANO: 9 } as const;

export interface PcapngOption {
  code: number;
  value: Buffer;
}

export interface ShbOptions {
  bigEndian?: boolean;
  major?: number;
  minor?: number;
  /** -1n (unknown) unless given. */
  sectionLength?: bigint;
  options?: readonly PcapngOption[];
}

export interface IdbOptions {
  linkType: number;
  snapLen?: number;
  /** if_tsresol (6 = µs, 9 = ns). Omitted from the block when undefined (µs default). */
  tsresol?: number;
  name?: string;
  options?: readonly PcapngOption[];
}

export interface EpbOptions {
  interfaceId: number;
  tsSec: number;
  tsNsec: number;
  data: Buffer;
  /** Captured length; default data.length. Only the first capLen bytes are written. */
  capLen?: number;
  /** Original length; default capLen. */
  wireLen?: number;
  options?: readonly PcapngOption[];
}

export interface SpbOptions {
  data: Buffer;
  /** Original length; default data.length. */
  wireLen?: number;
}

export interface RawBlockOptions {
  /** Override the leading total length (default: real length). */
  leadingLength?: number;
  /** Override the trailing total length (default: real length). */
  trailingLength?: number;
  /** Byte order; default the current section's. */
  bigEndian?: boolean;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export class PcapngBuilder {
  private readonly chunks: Buffer[] = [];
  private bigEndian = false;
  /** if_tsresol of each interface of the current section. */
  private resolutions: number[] = [];

  private u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.bigEndian) b.writeUInt16BE(v, 0);
    else b.writeUInt16LE(v, 0);
    return b;
  }

  private u32(v: number, bigEndian = this.bigEndian): Buffer {
    const b = Buffer.alloc(4);
    if (bigEndian) b.writeUInt32BE(v >>> 0, 0);
    else b.writeUInt32LE(v >>> 0, 0);
    return b;
  }

  /** Encodes options followed by opt_endofopt; empty list encodes to nothing. */
  encodeOptions(options: readonly PcapngOption[]): Buffer {
    if (options.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const o of options) {
      parts.push(this.u16(o.code), this.u16(o.value.length), o.value, Buffer.alloc(pad4(o.value.length) - o.value.length));
    }
    parts.push(this.u16(PCAPNG_OPTION.END), this.u16(0));
    return Buffer.concat(parts);
  }

  /** Appends a block of `type` with `body` padded to 4 bytes, framed by its lengths. */
  block(type: number, body: Buffer, o: RawBlockOptions = {}): this {
    const be = o.bigEndian ?? this.bigEndian;
    const padded = Buffer.concat([body, Buffer.alloc(pad4(body.length) - body.length)]);
    const total = 12 + padded.length;
    this.chunks.push(this.u32(type, be), this.u32(o.leadingLength ?? total, be), padded, this.u32(o.trailingLength ?? total, be));
    return this;
  }

  /** Appends bytes verbatim (for truncated or garbage tails). */
  raw(bytes: Buffer): this {
    this.chunks.push(Buffer.from(bytes));
    return this;
  }

  /** Starts a new section; sets the byte order of the blocks that follow. */
  shb(o: ShbOptions = {}): this {
    this.bigEndian = o.bigEndian ?? false;
    this.resolutions = [];
    const len = Buffer.alloc(8);
    const sectionLength = o.sectionLength ?? -1n;
    if (this.bigEndian) len.writeBigInt64BE(sectionLength, 0);
    else len.writeBigInt64LE(sectionLength, 0);
    const body = Buffer.concat([this.u32(PCAPNG_BYTE_ORDER_MAGIC), this.u16(o.major ?? 1), this.u16(o.minor ?? 0), len, this.encodeOptions(o.options ?? [])]);
    return this.block(PCAPNG_BLOCK.SHB, body);
  }

  /** Adds an interface to the current section; returns its interface id. */
  idb(o: IdbOptions): number {
    const options: PcapngOption[] = [];
    if (o.name !== undefined) options.push({ code: PCAPNG_OPTION.IF_NAME, value: Buffer.from(o.name, 'utf8') });
    if (o.tsresol !== undefined) options.push({ code: PCAPNG_OPTION.IF_TSRESOL, value: Buffer.from([o.tsresol]) });
    options.push(...(o.options ?? []));
    const body = Buffer.concat([this.u16(o.linkType), this.u16(0), this.u32(o.snapLen ?? 262144), this.encodeOptions(options)]);
    this.block(PCAPNG_BLOCK.IDB, body);
    this.resolutions.push(o.tsresol ?? TSRESOL.MICRO);
    return this.resolutions.length - 1;
  }

  /** Timestamp in units of the interface's if_tsresol (base-10 resolutions only). */
  timestampUnits(interfaceId: number, tsSec: number, tsNsec: number): bigint {
    const res = this.resolutions[interfaceId] ?? TSRESOL.MICRO;
    if (res & 0x80) throw new Error('base-2 if_tsresol is not supported by this builder');
    const perSec = 10n ** BigInt(res);
    const sub = res >= 9 ? BigInt(tsNsec) * 10n ** BigInt(res - 9) : BigInt(tsNsec) / 10n ** BigInt(9 - res);
    return BigInt(tsSec) * perSec + sub;
  }

  epb(o: EpbOptions): this {
    const capLen = o.capLen ?? o.data.length;
    const ts = this.timestampUnits(o.interfaceId, o.tsSec, o.tsNsec);
    const data = o.data.subarray(0, capLen);
    const body = Buffer.concat([
      this.u32(o.interfaceId),
      this.u32(Number(ts >> 32n)),
      this.u32(Number(ts & 0xffffffffn)),
      this.u32(capLen),
      this.u32(o.wireLen ?? capLen),
      data,
      Buffer.alloc(pad4(data.length) - data.length),
      this.encodeOptions(o.options ?? []),
    ]);
    return this.block(PCAPNG_BLOCK.EPB, body);
  }

  /** Simple Packet Block: always refers to interface 0, no timestamp. */
  spb(o: SpbOptions): this {
    return this.block(PCAPNG_BLOCK.SPB, Buffer.concat([this.u32(o.wireLen ?? o.data.length), o.data]));
  }

  /** A block of a type readers do not know, to test that they skip it. */
  unknown(type: number, body: Buffer = Buffer.from('unknown block body')): this {
    return this.block(type, body);
  }

  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
