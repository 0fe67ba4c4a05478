import { CaptureFormatError } from '../core/errors.js';
import { u16, u32, hex32 } from './bytes.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { MAX_PCAPNG_BLOCK_BYTES, type CaptureParser, type InterfaceInfo, type InterfaceListener } from './parser.js';
import { digitsForUnits, splitTimestamp, tsresolUnits, type SplitTime } from './timestamp.js';

/** pcapng block types (draft-ietf-opsawg-pcapng). */
export const BlockType = {
  sectionHeader: 0x0a0d0d0a,
  interfaceDescription: 0x00000001,
  obsoletePacket: 0x00000002,
  simplePacket: 0x00000003,
  enhancedPacket: 0x00000006,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_OVERHEAD = 12; // type + leading length + trailing length
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

interface PcapngInterface extends InterfaceInfo {
  unitsPerSecond: number;
  tsOffsetSec: number;
}

/** Different interface descriptions kept at most (identical ones share one). */
const MAX_DISTINCT_INTERFACES = 1 << 16;

export class PcapngParser implements CaptureParser {
  readonly format = 'pcapng' as const;
  /** Enhanced packet blocks longer than their interface's snap length are read whole; not counted yet. */
  readonly recordsOverSnapLen = 0;
  needed = BLOCK_OVERHEAD;
  /** Interfaces of every section, in file order; `sectionBase` maps a section's ids onto this list. */
  readonly interfaces: PcapngInterface[] = [];
  /** Interface descriptions by content, each kept once. */
  private readonly distinctInterfaces = new Map<string, PcapngInterface>();
  private sectionBase = 0;
  private littleEndian = true;
  private sawSection = false;
  private recordNumber = 0;
  private readonly record: FrameRecord;
  private readonly time: SplitTime = { sec: 0, nsec: 0 };

  private readonly onInterface: InterfaceListener;

  constructor(record: FrameRecord, onInterface: InterfaceListener) {
    this.record = record;
    this.onInterface = onInterface;
  }

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: FrameSink): number {
    let pos = start;
    while (end - pos >= BLOCK_OVERHEAD) {
      const at = fileOffset + (pos - start);
      const type = u32(buf, pos, this.littleEndian);
      if (type === BlockType.sectionHeader) {
        // A new section may switch byte order: the byte-order magic decides how to read its length.
        const bom = u32(buf, pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (u32(buf, pos + 8, false) === BYTE_ORDER_MAGIC) this.littleEndian = false;
        else throw new CaptureFormatError(`section header block has byte-order magic ${hex32(u32(buf, pos + 8, false))}, expected 0x1a2b3c4d`, at + 8);
      } else if (!this.sawSection) {
        throw new CaptureFormatError(`not a pcapng file: first block type is ${hex32(type)}, expected a section header (0x0a0d0d0a)`, at);
      }
      const le = this.littleEndian;
      const total = u32(buf, pos + 4, le);
      if (total < BLOCK_OVERHEAD || total % 4 !== 0) {
        throw new CaptureFormatError(`block of type ${hex32(type)} has total length ${total}, which is not a multiple of 4 of at least 12`, at + 4);
      }
      if (total > MAX_PCAPNG_BLOCK_BYTES) {
        throw new CaptureFormatError(
          `block of type ${hex32(type)} claims ${total} bytes, more than libpcap's limit of ${MAX_PCAPNG_BLOCK_BYTES}; the file is corrupt from here on`,
          at + 4,
        );
      }
      if (end - pos < total) {
        this.needed = total;
        return pos;
      }
      const trailer = u32(buf, pos + total - 4, le);
      // libpcap reads the file's first section header when it opens the file and never looks at its
      // trailing length: tcpdump shows every frame of a file whose only fault is there, and so do we.
      if (trailer !== total && at !== 0) {
        throw new CaptureFormatError(`block total length in header (${total}) and trailer (${trailer}) don't match`, at + total - 4);
      }
      switch (type) {
        case BlockType.sectionHeader:
          this.readSectionHeader(buf, pos, total, at);
          break;
        case BlockType.interfaceDescription:
          this.readInterface(buf, pos, total, at);
          break;
        case BlockType.enhancedPacket:
          this.readEnhancedPacket(buf, pos, total, at, sink);
          break;
        case BlockType.simplePacket:
          this.readSimplePacket(buf, pos, total, at, sink);
          break;
        case BlockType.obsoletePacket:
          this.readObsoletePacket(buf, pos, total, at, sink);
          break;
        default:
          // Name resolution, statistics, decryption secrets, custom blocks: nothing to decode.
          break;
      }
      pos += total;
    }
    this.needed = BLOCK_OVERHEAD;
    return pos;
  }

  finish(leftover: number, fileOffset: number): void {
    if (!this.sawSection) {
      throw new CaptureFormatError(
        leftover === 0 ? 'empty capture: no pcapng section header' : `truncated pcapng section header: ${leftover} bytes`,
        fileOffset,
      );
    }
    if (leftover === 0) return;
    throw new CaptureFormatError(
      leftover < BLOCK_OVERHEAD
        ? `truncated block: the file ends ${leftover} bytes into a block header`
        : `truncated block: its header says ${this.needed} bytes, the file ends after ${leftover}`,
      fileOffset,
      true,
    );
  }

  private readSectionHeader(buf: Uint8Array, pos: number, total: number, at: number): void {
    const le = this.littleEndian;
    if (total < 28) throw new CaptureFormatError(`section header block is ${total} bytes, shorter than its 28-byte minimum`, at + 4);
    const major = u16(buf, pos + 12, le);
    const minor = u16(buf, pos + 14, le);
    // libpcap reads 1.0 and the 1.2 some writers claimed; 0.x and 2.x were never specified.
    if (major !== 1 || (minor !== 0 && minor !== 2)) {
      throw new CaptureFormatError(`unsupported pcapng section version ${major}.${minor} (expected 1.0)`, at + 12);
    }
    // The section's options (comment, hardware, OS, application) are not checked: nothing here reads
    // them, and libpcap does not either, so one running past its block costs tcpdump no frame.
    this.sawSection = true;
    this.sectionBase = this.interfaces.length;
  }

  private readInterface(buf: Uint8Array, pos: number, total: number, at: number): void {
    const le = this.littleEndian;
    if (total < 20) throw new CaptureFormatError(`interface description block is ${total} bytes, shorter than its 20-byte minimum`, at + 4);
    const iface: PcapngInterface = {
      linkType: u16(buf, pos + 8, le),
      snapLen: u32(buf, pos + 12, le),
      tsDigits: 6,
      declaredAt: at,
      unitsPerSecond: 1e6,
      tsOffsetSec: 0,
    };
    const optEnd = pos + total - 4;
    this.checkOptions(buf, pos, pos + 16, optEnd, at, 'interface description');
    let o = pos + 16;
    while (o + 4 <= optEnd) {
      const code = u16(buf, o, le);
      const len = u16(buf, o + 2, le);
      if (code === OPTION_END) break;
      if (code === OPTION_IF_TSRESOL && len >= 1) iface.unitsPerSecond = tsresolUnits(buf[o + 4]!);
      if (code === OPTION_IF_TSOFFSET && len >= 8) {
        // A signed 64-bit count of seconds; the high word is enough to get the sign right.
        const lowWord = u32(buf, o + 4 + (le ? 0 : 4), le);
        const highWord = u32(buf, o + 4 + (le ? 4 : 0), le) | 0;
        iface.tsOffsetSec = highWord * 4294967296 + lowWord;
      }
      o += 4 + ((len + 3) & ~3);
    }
    iface.tsDigits = digitsForUnits(iface.unitsPerSecond);
    // Interfaces that describe the same link are one object: a file may declare a million of them
    // (one per input merged, or crafted), and an object each took 1.75 GB. Distinct ones are bounded.
    const key = `${iface.linkType}/${iface.snapLen}/${iface.unitsPerSecond}/${iface.tsOffsetSec}`;
    let shared = this.distinctInterfaces.get(key);
    if (shared === undefined) {
      if (this.distinctInterfaces.size >= MAX_DISTINCT_INTERFACES) {
        throw new CaptureFormatError(
          `more than ${MAX_DISTINCT_INTERFACES} different interface descriptions: no capture of a mesh bridge has that many; stopping here`,
          at,
        );
      }
      shared = iface;
      this.distinctInterfaces.set(key, shared);
    }
    this.interfaces.push(shared);
    this.onInterface(iface, this.interfaces.length - 1, this.format);
  }

  /** Options must tile the block body exactly; an option running past it is corruption (libpcap rejects it too). */
  private checkOptions(buf: Uint8Array, blockPos: number, from: number, to: number, at: number, blockName: string): void {
    const le = this.littleEndian;
    let o = from;
    while (o + 4 <= to) {
      const code = u16(buf, o, le);
      const len = u16(buf, o + 2, le);
      if (code === OPTION_END) return;
      const next = o + 4 + ((len + 3) & ~3);
      if (next > to) {
        throw new CaptureFormatError(`${blockName} block option ${code} of length ${len} runs past the end of its block`, at + (o - blockPos));
      }
      o = next;
    }
  }

  private interfaceFor(id: number, at: number): PcapngInterface {
    const iface = this.interfaces[this.sectionBase + id];
    if (iface === undefined || id >= this.interfaces.length - this.sectionBase) {
      throw new CaptureFormatError(`packet block names interface ${id}, but the section declared only ${this.interfaces.length - this.sectionBase}`, at + 8);
    }
    return iface;
  }

  private deliver(
    sink: FrameSink,
    buf: Uint8Array,
    ifaceIndex: number,
    iface: PcapngInterface,
    high: number,
    low: number,
    dataAt: number,
    capLen: number,
    wireLen: number,
    at: number,
  ): void {
    const rec = this.record;
    splitTimestamp(high, low, iface.unitsPerSecond, this.time);
    this.recordNumber++;
    rec.number = this.recordNumber;
    rec.tsSec = this.time.sec + iface.tsOffsetSec;
    rec.tsNsec = this.time.nsec;
    rec.tsDigits = iface.tsDigits;
    rec.capLen = capLen;
    rec.wireLen = wireLen;
    rec.linkType = iface.linkType;
    rec.interfaceId = ifaceIndex;
    rec.data = buf;
    rec.offset = dataAt;
    rec.fileOffset = at;
    sink.frame(rec);
  }

  private readEnhancedPacket(buf: Uint8Array, pos: number, total: number, at: number, sink: FrameSink): void {
    const le = this.littleEndian;
    if (total < 32) throw new CaptureFormatError(`enhanced packet block is ${total} bytes, shorter than its 32-byte minimum`, at + 4);
    const id = u32(buf, pos + 8, le);
    const iface = this.interfaceFor(id, at);
    const capLen = u32(buf, pos + 20, le);
    if (capLen > total - 32) {
      throw new CaptureFormatError(`enhanced packet block claims ${capLen} captured bytes but holds only ${total - 32}`, at + 20);
    }
    this.deliver(sink, buf, this.sectionBase + id, iface, u32(buf, pos + 12, le), u32(buf, pos + 16, le), pos + 28, capLen, u32(buf, pos + 24, le), at);
  }

  private readObsoletePacket(buf: Uint8Array, pos: number, total: number, at: number, sink: FrameSink): void {
    const le = this.littleEndian;
    if (total < 32) throw new CaptureFormatError(`packet block is ${total} bytes, shorter than its 32-byte minimum`, at + 4);
    const id = u16(buf, pos + 8, le);
    const iface = this.interfaceFor(id, at);
    const capLen = u32(buf, pos + 20, le);
    if (capLen > total - 32) {
      throw new CaptureFormatError(`packet block claims ${capLen} captured bytes but holds only ${total - 32}`, at + 20);
    }
    this.deliver(sink, buf, this.sectionBase + id, iface, u32(buf, pos + 12, le), u32(buf, pos + 16, le), pos + 28, capLen, u32(buf, pos + 24, le), at);
  }

  private readSimplePacket(buf: Uint8Array, pos: number, total: number, at: number, sink: FrameSink): void {
    const le = this.littleEndian;
    if (total < 16) throw new CaptureFormatError(`simple packet block is ${total} bytes, shorter than its 16-byte minimum`, at + 4);
    const iface = this.interfaceFor(0, at);
    const wireLen = u32(buf, pos + 8, le);
    // A simple packet block has no captured length: it is the smallest of the wire length, the snap length and the room in the block.
    let capLen = Math.min(wireLen, total - 16);
    if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
    // No timestamp either: keep the previous frame's so capture time never runs backwards.
    const rec = this.record;
    this.recordNumber++;
    rec.number = this.recordNumber;
    rec.tsDigits = iface.tsDigits;
    rec.capLen = capLen;
    rec.wireLen = wireLen;
    rec.linkType = iface.linkType;
    rec.interfaceId = this.sectionBase;
    rec.data = buf;
    rec.offset = pos + 12;
    rec.fileOffset = at;
    sink.frame(rec);
  }
}
