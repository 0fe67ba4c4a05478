import { CaptureFormatError } from '../core/errors.js';
import { u16, u32, hex32 } from './bytes.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { MAX_RECORD_BYTES, type CaptureParser, type InterfaceInfo, type InterfaceListener } from './parser.js';

/** Classic libpcap savefile: 24-byte file header, then 16-byte record headers each followed by the frame. */
const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

export const PcapMagic = {
  micro: 0xa1b2c3d4,
  nano: 0xa1b23c4d,
  /** Alexey Kuznetsov's patched format: different record header size. */
  modified: 0xa1b2cd34,
} as const;

export class PcapParser implements CaptureParser {
  readonly format = 'pcap' as const;
  needed = FILE_HEADER_BYTES;
  readonly interfaces: InterfaceInfo[] = [];
  private littleEndian = true;
  private nanosecond = false;
  private snapLen = 0;
  /** Records whose captured length exceeds the header's snap length (read whole, as libpcap does). */
  recordsOverSnapLen = 0;
  private linkType = 0;
  private headerDone = false;
  private recordNumber = 0;
  private readonly record: FrameRecord;

  private readonly onInterface: InterfaceListener;

  constructor(record: FrameRecord, onInterface: InterfaceListener) {
    this.record = record;
    this.onInterface = onInterface;
  }

  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: FrameSink): number {
    let pos = start;
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER_BYTES) {
        this.needed = FILE_HEADER_BYTES;
        return pos;
      }
      this.readFileHeader(buf, pos);
      pos += FILE_HEADER_BYTES;
    }
    const nsecPerTick = this.nanosecond ? 1 : 1000;
    const limit = this.snapLen > 0 ? Math.max(this.snapLen, 0) : MAX_RECORD_BYTES;
    // Files written on x86/ARM are little-endian: read their header words inline, without the
    // per-read byte-order branch of u32() (a measurable share of the per-record cost).
    if (this.littleEndian) return this.parseLittleEndian(buf, pos, start, end, fileOffset, sink, nsecPerTick, limit);
    return this.parseGeneral(buf, pos, start, end, fileOffset, sink, nsecPerTick, limit);
  }

  /** The record loop for either byte order; also reports every error and the unfinished last record. */
  private parseGeneral(
    buf: Uint8Array,
    from: number,
    start: number,
    end: number,
    fileOffset: number,
    sink: FrameSink,
    nsecPerTick: number,
    limit: number,
  ): number {
    const le = this.littleEndian;
    const rec = this.record;
    let pos = from;
    while (end - pos >= RECORD_HEADER_BYTES) {
      const capLen = u32(buf, pos + 8, le);
      if (capLen > MAX_RECORD_BYTES) {
        throw new CaptureFormatError(
          `record ${this.recordNumber + 1}: captured length ${capLen} is absurd (libpcap's maximum is ${MAX_RECORD_BYTES}); the file is corrupt from here on`,
          fileOffset + (pos - start),
        );
      }
      // Longer than the file header's snap length: libpcap (and so tcpdump) and tshark read such
      // records whole — common in ordinary captures (65,549 bytes under a 65,535 header). Counted.
      if (capLen > limit) this.recordsOverSnapLen++;
      if (end - pos < RECORD_HEADER_BYTES + capLen) {
        this.needed = RECORD_HEADER_BYTES + capLen;
        return pos;
      }
      this.recordNumber++;
      rec.number = this.recordNumber;
      rec.tsSec = u32(buf, pos, le);
      rec.tsNsec = u32(buf, pos + 4, le) * nsecPerTick;
      rec.capLen = capLen;
      rec.wireLen = u32(buf, pos + 12, le);
      rec.data = buf;
      rec.offset = pos + RECORD_HEADER_BYTES;
      rec.fileOffset = fileOffset + (pos - start);
      sink.frame(rec);
      pos += RECORD_HEADER_BYTES + capLen;
    }
    this.needed = RECORD_HEADER_BYTES;
    return pos;
  }

  /** parse() for little-endian files: the same checks and record fields, byte order fixed. */
  private parseLittleEndian(
    buf: Uint8Array,
    from: number,
    start: number,
    end: number,
    fileOffset: number,
    sink: FrameSink,
    nsecPerTick: number,
    limit: number,
  ): number {
    const rec = this.record;
    let pos = from;
    let number = this.recordNumber;
    while (end - pos >= RECORD_HEADER_BYTES) {
      const capLen = (buf[pos + 8]! | (buf[pos + 9]! << 8) | (buf[pos + 10]! << 16) | (buf[pos + 11]! << 24)) >>> 0;
      if (capLen > MAX_RECORD_BYTES || capLen > limit || end - pos < RECORD_HEADER_BYTES + capLen) {
        // Errors and the unfinished last record: leave them to the general loop's messages.
        this.recordNumber = number;
        break;
      }
      number++;
      this.recordNumber = number;
      rec.number = number;
      rec.tsSec = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
      rec.tsNsec = ((buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0) * nsecPerTick;
      rec.capLen = capLen;
      rec.wireLen = (buf[pos + 12]! | (buf[pos + 13]! << 8) | (buf[pos + 14]! << 16) | (buf[pos + 15]! << 24)) >>> 0;
      rec.data = buf;
      rec.offset = pos + RECORD_HEADER_BYTES;
      rec.fileOffset = fileOffset + (pos - start);
      sink.frame(rec);
      pos += RECORD_HEADER_BYTES + capLen;
    }
    return this.parseGeneral(buf, pos, start, end, fileOffset, sink, nsecPerTick, limit);
  }

  finish(leftover: number, fileOffset: number): void {
    if (!this.headerDone) {
      throw new CaptureFormatError(
        leftover === 0 ? 'empty capture: no pcap file header' : `truncated pcap file header: ${leftover} of ${FILE_HEADER_BYTES} bytes`,
        fileOffset,
      );
    }
    if (leftover === 0) return;
    const next = this.recordNumber + 1;
    if (leftover < RECORD_HEADER_BYTES) {
      throw new CaptureFormatError(`record ${next} truncated: the file ends ${leftover} bytes into its ${RECORD_HEADER_BYTES}-byte header`, fileOffset, true);
    }
    throw new CaptureFormatError(
      `record ${next} truncated: its header says ${this.needed - RECORD_HEADER_BYTES} bytes, the file ends after ${leftover - RECORD_HEADER_BYTES}`,
      fileOffset,
      true,
    );
  }

  private readFileHeader(buf: Uint8Array, pos: number): void {
    const magicLe = u32(buf, pos, true);
    const magicBe = u32(buf, pos, false);
    if (magicLe === PcapMagic.micro || magicLe === PcapMagic.nano) {
      this.littleEndian = true;
      this.nanosecond = magicLe === PcapMagic.nano;
    } else if (magicBe === PcapMagic.micro || magicBe === PcapMagic.nano) {
      this.littleEndian = false;
      this.nanosecond = magicBe === PcapMagic.nano;
    } else if (magicLe === PcapMagic.modified || magicBe === PcapMagic.modified) {
      throw new CaptureFormatError('Kuznetsov-modified pcap (magic 0xa1b2cd34) is not supported; convert it with editcap -F pcap', 0);
    } else {
      throw new CaptureFormatError(`not a pcap file: magic ${hex32(magicBe)}`, 0);
    }
    const le = this.littleEndian;
    const major = u16(buf, pos + 4, le);
    const minor = u16(buf, pos + 6, le);
    if (major !== 2) {
      throw new CaptureFormatError(`unsupported pcap version ${major}.${minor} (only 2.x exists in the wild)`, 4);
    }
    this.snapLen = u32(buf, pos + 16, le);
    // The upper bits of the link-type word carry the FCS length flags (LINKTYPE spec); the type is the low 16 bits.
    this.linkType = u32(buf, pos + 20, le) & 0xffff;
    this.record.linkType = this.linkType;
    this.record.interfaceId = 0;
    this.record.tsDigits = this.nanosecond ? 9 : 6;
    const info: InterfaceInfo = { linkType: this.linkType, snapLen: this.snapLen, tsDigits: this.record.tsDigits, declaredAt: 20 };
    this.interfaces.push(info);
    this.headerDone = true;
    this.onInterface(info, 0, this.format);
  }
}
