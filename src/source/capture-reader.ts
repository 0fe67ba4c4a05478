import { CaptureFormatError, CaptureInputError } from '../core/errors.js';
import * as fs from 'node:fs';
import { u32, hex32 } from './bytes.js';
import { emptyFrameRecord, type FrameSink } from '../core/frame-record.js';
import type { CaptureParser, InterfaceInfo, CaptureFormat, InterfaceListener } from './parser.js';
import { PcapParser, PcapMagic } from './pcap.js';
import { PcapngParser, BlockType } from './pcapng.js';

/**
 * Streams a capture file (or stdin for "-") through one reused buffer:
 * read a chunk, let the format parser walk every whole record in place,
 * move the unfinished tail to the front, read again. Memory stays at the
 * buffer size whatever the file size; a record bigger than the buffer grows
 * it once, up to the format's own sanity limit.
 */

/**
 * 1 MiB: reads of it cost ~2,800 syscalls on a 2.8 GB file (a few ms), and
 * on the threaded path this buffer lives in the decode thread beside the
 * analysis thread's heap, where 4 MiB pushed peak RSS past 100 MB.
 */
const INITIAL_BUFFER_BYTES = 1024 * 1024;

/** Bytes asked for per read: small enough that the frames just copied are still in the core's L2 cache when they are parsed. */
const READ_CHUNK_BYTES = 256 * 1024;

export interface ReadResult {
  format: CaptureFormat;
  records: number;
  bytesRead: number;
  /** Records longer than the file's snap length (kept whole, as libpcap and tshark keep them). */
  recordsOverSnapLen: number;
  interfaces: InterfaceInfo[];
}

export interface ReadHooks {
  /**
   * Called when the capture declares an interface (the pcap file header, a
   * pcapng interface block), before any frame of it: the place to reject or
   * note an unsupported link type. Throwing stops the read there.
   */
  onInterface?(info: InterfaceInfo, index: number, format: CaptureFormat): void;
  /** Polled between chunks: stop early (e.g. a --count limit was reached). */
  shouldStop?(): boolean;
  /** Awaited after each chunk's frames were delivered: backpressure for a paced consumer (replay). */
  afterChunk?(): Promise<void> | void;
}

export async function readCapture(path: string, sink: FrameSink, hooks: ReadHooks = {}): Promise<ReadResult> {
  const fd = openInput(path);
  try {
    // A regular file is read synchronously: from the page cache a 1 MiB read takes a fraction of a
    // millisecond, and the thread-pool round trip of fs.read left the CPU idle ~15 % of the time.
    if (fd !== 0 && fs.fstatSync(fd).isFile()) {
      return await readFrom((buf, at, length) => Promise.resolve(fs.readSync(fd, buf, at, length, null)), sink, hooks);
    }
    return await readFromFd(fd, sink, hooks);
  } finally {
    if (fd !== 0) fs.closeSync(fd);
  }
}

function openInput(path: string): number {
  if (path === '-') {
    // `analyze - < DIR`: the shell opens a directory as stdin; reading it would say EISDIR.
    if (fs.fstatSync(0).isDirectory()) throw new CaptureInputError('is a directory, not a capture file', 'EISDIR');
    return 0;
  }
  try {
    const fd = fs.openSync(path, 'r');
    if (fs.fstatSync(fd).isDirectory()) {
      fs.closeSync(fd);
      throw new CaptureInputError('is a directory, not a capture file', 'EISDIR');
    }
    return fd;
  } catch (err) {
    if (err instanceof CaptureInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const what =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied (check the file mode or run as its owner)'
          : code === 'EISDIR'
            ? 'is a directory, not a capture file'
            : `cannot open: ${(err as Error).message}`;
    throw new CaptureInputError(what, code);
  }
}

function readChunk(fd: number, buf: Uint8Array, at: number, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, at, length, null, (err, n) => {
      if (err === null) resolve(n);
      else if (err.code === 'EAGAIN') setTimeout(() => resolve(readChunk(fd, buf, at, length)), 5);
      else reject(err);
    });
  });
}

function pickParser(buf: Uint8Array, start: number, onInterface: InterfaceListener): CaptureParser {
  const record = emptyFrameRecord();
  const le = u32(buf, start, true);
  const be = u32(buf, start, false);
  if (le === BlockType.sectionHeader) return new PcapngParser(record, onInterface);
  if (
    le === PcapMagic.micro ||
    le === PcapMagic.nano ||
    be === PcapMagic.micro ||
    be === PcapMagic.nano ||
    le === PcapMagic.modified ||
    be === PcapMagic.modified
  ) {
    return new PcapParser(record, onInterface);
  }
  if (buf[start] === 0x1f && buf[start + 1] === 0x8b) {
    throw new CaptureFormatError('gzip-compressed data, not a capture: decompress it first (zcat FILE | anycast-probe … -)', 0);
  }
  throw new CaptureFormatError(`not a pcap or pcapng file: magic ${hex32(be)}`, 0);
}

const noInterfaceListener: InterfaceListener = () => undefined;

/**
 * Reads a capture from a descriptor the caller opened and still owns (a pipe,
 * a socket, an inherited fd 3…); it is not closed here. A non-blocking
 * descriptor is polled on EAGAIN. For a child process's stdout use
 * readCaptureStream: Node already reads that pipe itself.
 */
export function readCaptureFd(fd: number, sink: FrameSink, hooks: ReadHooks = {}): Promise<ReadResult> {
  return readFromFd(fd, sink, hooks);
}

/**
 * Reads a capture from a byte stream (e.g. `tcpdump -w -` stdout). Each chunk
 * the stream yields is copied into the reader's one buffer, so the per-frame
 * path is the same as for files; allocation is per chunk (by the stream), not
 * per frame. Stopping early (shouldStop) destroys the stream.
 */
export function readCaptureStream(stream: AsyncIterable<Uint8Array>, sink: FrameSink, hooks: ReadHooks = {}): Promise<ReadResult> {
  const chunks = stream[Symbol.asyncIterator]();
  let pending: Uint8Array | undefined;
  let pendingAt = 0;
  const fill: FillChunk = async (buf, at, length) => {
    while (pending === undefined || pendingAt >= pending.length) {
      const next = await chunks.next();
      if (next.done === true) return 0;
      pending = next.value;
      pendingAt = 0;
    }
    const n = Math.min(length, pending.length - pendingAt);
    buf.set(pending.subarray(pendingAt, pendingAt + n), at);
    pendingAt += n;
    return n;
  };
  return readFrom(fill, sink, hooks).finally(() => {
    void chunks.return?.();
  });
}

/** Puts up to `length` bytes at buf[at…]; resolves with how many (0 = end of input). */
type FillChunk = (buf: Uint8Array, at: number, length: number) => Promise<number>;

function readFromFd(fd: number, sink: FrameSink, hooks: ReadHooks): Promise<ReadResult> {
  return readFrom((buf, at, length) => readChunk(fd, buf, at, length), sink, hooks);
}

async function readFrom(fill: FillChunk, sink: FrameSink, hooks: ReadHooks): Promise<ReadResult> {
  let buf = new Uint8Array(INITIAL_BUFFER_BYTES);
  let start = 0;
  let end = 0;
  let consumedBefore = 0; // file offset of buf[start]
  let parser: CaptureParser | undefined;
  let eof = false;
  let bytesRead = 0;
  let records = 0;
  const counting: FrameSink = {
    frame(rec) {
      records++;
      sink.frame(rec);
    },
  };
  while (!eof) {
    if (hooks.shouldStop?.() === true) break;
    // Make room: slide the unfinished tail to the front, grow if one record needs more than the whole buffer.
    const want = parser?.needed ?? 4;
    if (start > 0 && (buf.length - end < 65536 || end - start < want)) {
      buf.copyWithin(0, start, end);
      end -= start;
      start = 0;
    }
    if (want > buf.length) {
      const bigger = new Uint8Array(Math.max(want, buf.length * 2));
      bigger.set(buf.subarray(start, end));
      end -= start;
      start = 0;
      buf = bigger;
    }
    const n = await fill(buf, end, Math.min(buf.length - end, READ_CHUNK_BYTES));
    if (n === 0) {
      eof = true;
    } else {
      end += n;
      bytesRead += n;
    }
    if (parser === undefined) {
      if (end - start < 4) {
        if (!eof) continue;
        throw new CaptureFormatError(end === 0 ? 'empty file: no capture header' : `truncated capture header: ${end} bytes`, 0);
      }
      parser = pickParser(buf, start, hooks.onInterface ?? noInterfaceListener);
    }
    const next = parser.parse(buf, start, end, consumedBefore, counting);
    consumedBefore += next - start;
    start = next;
    if (hooks.afterChunk !== undefined) await hooks.afterChunk();
  }
  if (parser !== undefined && !(hooks.shouldStop?.() === true)) parser.finish(end - start, consumedBefore);
  return {
    format: parser?.format ?? 'pcap',
    records,
    bytesRead,
    recordsOverSnapLen: parser?.recordsOverSnapLen ?? 0,
    interfaces: parser?.interfaces ?? [],
  };
}
