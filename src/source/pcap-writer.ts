import { EnvironmentError } from '../core/errors.js';
/**
 * Classic libpcap file writer (the format of `tcpdump -w`), version 2.4.
 *
 * Two APIs:
 *  - `PcapWriter`: builds the global header and records as Buffers (or into a
 *    caller-supplied buffer). Used by the fixture builder and tests.
 *  - `openPcapFile()`: streaming writer for `watch --write FILE.pcap`. It packs
 *    records into one reused 1 MiB buffer and flushes with fs.writeSync, so the
 *    per-packet path allocates nothing in the steady state.
 *
 * Timestamps are always passed as (seconds, nanoseconds); the writer converts
 * to microseconds when the file uses the µs magic, so callers never have to
 * care which precision the file was opened with.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

export const PCAP_MAGIC = {
  /** Timestamps in seconds + microseconds. */
  MICROSECOND: 0xa1b2c3d4,
  /** Timestamps in seconds + nanoseconds. */
  NANOSECOND: 0xa1b23c4d,
} as const;

export const PCAP_VERSION = { MAJOR: 2, MINOR: 4 } as const;

/** Sizes of the fixed parts of a classic pcap file. */
export const PCAP_SIZES = {
  GLOBAL_HEADER: 24,
  RECORD_HEADER: 16,
} as const;

/** tcpdump's default snaplen since 4.x; also libpcap's MAXIMUM_SNAPLEN. */
export const DEFAULT_SNAPLEN = 262144;

/** Size of the reused buffer of the streaming writer. */
export const STREAM_BUFFER_SIZE = 1 << 20;

export interface PcapWriterOptions {
  /** LINKTYPE_* value (1 = Ethernet, 113 = Linux SLL, 276 = Linux SLL2, ...). */
  linkType: number;
  /** Snapshot length written to the header; records are clipped to it. */
  snapLen?: number;
  /** Use the nanosecond magic (a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Write all header fields big-endian (the file is still valid pcap). */
  bigEndian?: boolean;
}

type U32Writer = (buf: Buffer, value: number, offset: number) => void;
type U16Writer = (buf: Buffer, value: number, offset: number) => void;

// Bound once per writer so the hot path does not branch on endianness.
const writeU32LE: U32Writer = (b, v, o) => {
  b.writeUInt32LE(v >>> 0, o);
};
const writeU32BE: U32Writer = (b, v, o) => {
  b.writeUInt32BE(v >>> 0, o);
};
const writeU16LE: U16Writer = (b, v, o) => {
  b.writeUInt16LE(v, o);
};
const writeU16BE: U16Writer = (b, v, o) => {
  b.writeUInt16BE(v, o);
};

export class PcapWriter {
  readonly linkType: number;
  readonly snapLen: number;
  readonly nanosecond: boolean;
  readonly bigEndian: boolean;
  private readonly u32: U32Writer;
  private readonly u16: U16Writer;
  // Cache of a Buffer view over the last plain Uint8Array's ArrayBuffer:
  // capture libraries reuse one buffer, so this is created once, not per packet.
  private lastArrayBuffer: ArrayBufferLike | null = null;
  private lastView: Buffer | null = null;

  constructor(opts: PcapWriterOptions) {
    const snapLen = opts.snapLen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(opts.linkType) || opts.linkType < 0 || opts.linkType > 0xffff) {
      throw new RangeError(`pcap link type out of range: ${opts.linkType}`);
    }
    if (!Number.isInteger(snapLen) || snapLen <= 0 || snapLen > 0x7fffffff) {
      throw new RangeError(`pcap snaplen out of range: ${snapLen}`);
    }
    this.linkType = opts.linkType;
    this.snapLen = snapLen;
    this.nanosecond = opts.nanosecond ?? false;
    this.bigEndian = opts.bigEndian ?? false;
    this.u32 = this.bigEndian ? writeU32BE : writeU32LE;
    this.u16 = this.bigEndian ? writeU16BE : writeU16LE;
  }

  /** Bytes a record takes in the file for a frame of `capLen` captured bytes. */
  recordSize(capLen: number): number {
    return PCAP_SIZES.RECORD_HEADER + Math.min(capLen, this.snapLen);
  }

  /** Writes the 24-byte global header into `out` at `offset`; returns bytes written. */
  writeHeaderInto(out: Buffer, offset: number): number {
    this.u32(out, this.nanosecond ? PCAP_MAGIC.NANOSECOND : PCAP_MAGIC.MICROSECOND, offset);
    this.u16(out, PCAP_VERSION.MAJOR, offset + 4);
    this.u16(out, PCAP_VERSION.MINOR, offset + 6);
    this.u32(out, 0, offset + 8); // thiszone: always 0 in practice
    this.u32(out, 0, offset + 12); // sigfigs: always 0 in practice
    this.u32(out, this.snapLen, offset + 16);
    this.u32(out, this.linkType, offset + 20);
    return PCAP_SIZES.GLOBAL_HEADER;
  }

  header(): Buffer {
    const b = Buffer.alloc(PCAP_SIZES.GLOBAL_HEADER);
    this.writeHeaderInto(b, 0);
    return b;
  }

  /**
   * Writes one record (header + data) into `out` at `outOffset`. `capLen` is
   * clipped to the snaplen, as libpcap would have done when capturing;
   * `wireLen` is kept as given. Returns the bytes written.
   * The caller must make sure `out` has `recordSize(capLen)` bytes of room.
   */
  writeRecordInto(
    out: Buffer,
    outOffset: number,
    tsSec: number,
    tsNsec: number,
    data: Uint8Array,
    dataOffset: number,
    capLen: number,
    wireLen: number,
  ): number {
    checkRecordArgs(tsNsec, data, dataOffset, capLen, wireLen);
    const incl = Math.min(capLen, this.snapLen);
    this.writeRecordHeaderInto(out, outOffset, tsSec, tsNsec, incl, wireLen);
    this.copyData(data, dataOffset, incl, out, outOffset + PCAP_SIZES.RECORD_HEADER);
    return PCAP_SIZES.RECORD_HEADER + incl;
  }

  /**
   * Writes only the 16-byte record header, with `inclLen` taken as is (no
   * clipping, no checks): also lets tests forge broken records.
   */
  writeRecordHeaderInto(out: Buffer, outOffset: number, tsSec: number, tsNsec: number, inclLen: number, wireLen: number): number {
    this.u32(out, tsSec, outOffset);
    this.u32(out, this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000), outOffset + 4);
    this.u32(out, inclLen, outOffset + 8);
    this.u32(out, wireLen, outOffset + 12);
    return PCAP_SIZES.RECORD_HEADER;
  }

  /** One record as a new Buffer (allocates; fine for tests and fixtures). */
  record(tsSec: number, tsNsec: number, data: Uint8Array, dataOffset = 0, capLen: number = data.length - dataOffset, wireLen: number = capLen): Buffer {
    const b = Buffer.alloc(this.recordSize(capLen));
    this.writeRecordInto(b, 0, tsSec, tsNsec, data, dataOffset, capLen, wireLen);
    return b;
  }

  /** Copies without creating a subarray per call (Buffer#copy takes ranges). */
  private copyData(data: Uint8Array, start: number, len: number, out: Buffer, at: number): void {
    if (Buffer.isBuffer(data)) {
      data.copy(out, at, start, start + len);
      return;
    }
    if (this.lastArrayBuffer !== data.buffer || this.lastView === null) {
      this.lastArrayBuffer = data.buffer;
      this.lastView = Buffer.from(data.buffer);
    }
    this.lastView.copy(out, at, data.byteOffset + start, data.byteOffset + start + len);
  }
}

function checkRecordArgs(tsNsec: number, data: Uint8Array, dataOffset: number, capLen: number, wireLen: number): void {
  if (tsNsec < 0 || tsNsec >= 1e9) throw new RangeError(`tsNsec out of range: ${tsNsec}`);
  if (dataOffset < 0 || capLen < 0 || dataOffset + capLen > data.length) {
    throw new RangeError(`frame range [${dataOffset}, ${dataOffset + capLen}) outside data of ${data.length} bytes`);
  }
  if (wireLen < capLen) throw new RangeError(`wireLen ${wireLen} < capLen ${capLen}`);
}

export interface PcapFileWriter {
  /** Appends one record; timestamps are seconds + nanoseconds. */
  write(tsSec: number, tsNsec: number, data: Uint8Array, dataOffset: number, capLen: number, wireLen: number): void;
  /** Pushes buffered records to the file (does not fsync). */
  flush(): void;
  /** Flushes and closes the file descriptor. Further writes throw. */
  close(): void;
  /**
   * Records in the file, all whole. After a failed write (a full disk) the
   * file is cut back to the last whole record, so tcpdump reads every one;
   * the failure is thrown once, and the writer is closed.
   */
  readonly recordsWritten: number;
  /** Bytes handed to the writer so far, including the global header. */
  readonly bytesWritten: number;
}

export interface OpenPcapFileOptions extends PcapWriterOptions {
  /** Size of the reused buffer; records larger than it are written directly. */
  bufferSize?: number;
}

/**
 * Opens `path` and writes the global header. Records are packed into one
 * reused buffer and flushed when it fills, on flush() and on close().
 */
/** One line naming the file and what to do, for a file that cannot be created or written. */
function writeError(path: string, err: unknown): EnvironmentError {
  const code = (err as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOSPC'
          ? 'no space left on the device'
          : code === 'EISDIR'
            ? 'is a directory'
            : (err as Error).message;
  return new EnvironmentError(`${path}: cannot write the capture file: ${why}`);
}

export function openPcapFile(path: string, opts: OpenPcapFileOptions): PcapFileWriter {
  const writer = new PcapWriter(opts);
  const size = Math.max(opts.bufferSize ?? STREAM_BUFFER_SIZE, PCAP_SIZES.GLOBAL_HEADER);
  const buf = Buffer.allocUnsafe(size);
  // Where each record in `buf` ends: after a short write, the file is cut back to the last one that
  // reached the disk whole. Allocated once (a record takes at least its 16-byte header).
  const ends = new Int32Array(Math.floor(size / PCAP_SIZES.RECORD_HEADER) + 1);
  let pendingRecords = 0;
  /** Bytes of the file that hold the header and whole records, and how many records. */
  let fileBytes = 0;
  let fileRecords = 0;
  // Always truncate: the global header must be the first bytes of the file.
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw writeError(path, err);
  }
  let used = writer.writeHeaderInto(buf, 0);
  const headerBytes = used;
  let records = 0;
  let bytes = used;
  let closed = false;

  /** Writes `len` bytes; returns how many reached the file before an error, or -1 when all did. */
  const writeAll = (b: Uint8Array, from: number, len: number): { done: number; err: unknown } => {
    let done = 0;
    try {
      while (done < len) done += writeSync(fd, b, from + done, len - done);
      return { done, err: undefined };
    } catch (err) {
      return { done, err };
    }
  };
  /**
   * A write failed: cut the file back to its whole part (`fileBytes` plus `wholeBytes` of the
   * failed write, holding `wholeRecords` more records), close it, and say what it holds.
   */
  const failed = (err: unknown, wholeBytes: number, wholeRecords: number): EnvironmentError => {
    closed = true;
    const keep = fileBytes + wholeBytes;
    const kept = fileRecords + wholeRecords;
    try {
      ftruncateSync(fd, keep);
    } catch {
      // The file stays as it is; tcpdump still reads every record before the cut one.
    }
    try {
      closeSync(fd);
    } catch {
      // Already gone.
    }
    records = kept;
    const base = writeError(path, err);
    return new EnvironmentError(
      keep < headerBytes
        ? `${base.message}; not even the file header fit`
        : `${base.message}; the file holds the first ${kept} frames, whole (tcpdump -r reads them)`,
    );
  };
  const flush = (): void => {
    if (used === 0) return;
    const r = writeAll(buf, 0, used);
    if (r.err !== undefined) {
      // The first flush starts with the file header: without it whole, nothing is.
      if (fileBytes === 0 && r.done < headerBytes) throw failed(r.err, 0, 0);
      let whole = 0;
      let wholeBytes = fileBytes === 0 ? headerBytes : 0;
      while (whole < pendingRecords && ends[whole]! <= r.done) wholeBytes = ends[whole++]!;
      throw failed(r.err, wholeBytes, whole);
    }
    fileBytes += used;
    fileRecords += pendingRecords;
    used = 0;
    pendingRecords = 0;
  };

  return {
    write(tsSec, tsNsec, data, dataOffset, capLen, wireLen) {
      if (closed) throw new Error(`pcap file ${path} is closed`);
      const need = writer.recordSize(capLen);
      if (used + need > size) flush();
      if (need <= size) {
        used += writer.writeRecordInto(buf, used, tsSec, tsNsec, data, dataOffset, capLen, wireLen);
        ends[pendingRecords++] = used;
      } else {
        // Only reachable with a snaplen above the buffer size: write the record
        // header through the buffer and the data straight from the caller's memory.
        checkRecordArgs(tsNsec, data, dataOffset, capLen, wireLen);
        flush();
        const incl = Math.min(capLen, writer.snapLen);
        writer.writeRecordHeaderInto(buf, 0, tsSec, tsNsec, incl, wireLen);
        const head = writeAll(buf, 0, PCAP_SIZES.RECORD_HEADER);
        const body = head.err === undefined ? writeAll(data, dataOffset, incl) : { done: 0, err: head.err };
        if (body.err !== undefined) throw failed(body.err, 0, 0);
        fileBytes += PCAP_SIZES.RECORD_HEADER + incl;
        fileRecords += 1;
      }
      records += 1;
      bytes += need;
    },
    flush() {
      if (closed) return;
      flush();
    },
    close() {
      if (closed) return;
      flush();
      closed = true;
      closeSync(fd);
    },
    get recordsWritten() {
      return records;
    },
    get bytesWritten() {
      return bytes;
    },
  };
}
