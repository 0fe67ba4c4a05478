import { escapeText, shortened } from '../report/escape.js';
import { EnvironmentError } from '../core/errors.js';
import * as fs from 'node:fs';

/** Thrown when the reader of our output went away (`| head`): stop quietly. */
export class OutputClosed extends Error {}

const FLUSH_BYTES = 64 * 1024;
const waitCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Line output to a file descriptor with one string buffer, flushed in 64 KiB
 * writes: printing a line per frame through console.log would cost more
 * than decoding it.
 */
export class LineWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly fd: number;
  private readonly onClosed: (() => void) | undefined;
  /** The reader went away: what is written from now on is dropped. */
  closed = false;

  /**
   * `onClosed`: called once when the reader goes away (`| head`), after which
   * writes are dropped; without it, a write then throws OutputClosed.
   */
  constructor(fd = 1, onClosed?: () => void) {
    this.fd = fd;
    this.onClosed = onClosed;
  }

  line(text: string): void {
    if (this.closed) return;
    if (this.rawPending !== '') {
      this.pending.push(this.rawPending + text);
      this.rawPending = '';
      this.pendingBytes += text.length + 1;
      if (this.pendingBytes >= FLUSH_BYTES) this.flush();
      return;
    }
    this.pending.push(text);
    this.pendingBytes += text.length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Text without a newline (terminal control sequences). */
  raw(text: string): void {
    this.rawPending += text;
  }

  private rawPending = '';

  flush(): void {
    if (this.closed) {
      this.pending = [];
      this.rawPending = '';
      return;
    }
    if (this.pending.length === 0 && this.rawPending === '') return;
    const data = Buffer.from((this.pending.length > 0 ? `${this.pending.join('\n')}\n` : '') + this.rawPending);
    this.rawPending = '';
    this.pending = [];
    this.pendingBytes = 0;
    let off = 0;
    while (off < data.length) {
      try {
        off += fs.writeSync(this.fd, data, off, data.length - off);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(waitCell, 0, 0, 5);
          continue;
        }
        if (code !== 'EPIPE') {
          const why = code === 'ENOSPC' ? 'no space left on the device' : (err as Error).message;
          throw new EnvironmentError(`${this.fd === 1 ? 'stdout' : `file descriptor ${this.fd}`}: cannot write the output: ${why}`);
        }
        if (this.onClosed === undefined) throw new OutputClosed('output closed');
        this.closed = true;
        this.onClosed();
        return;
      }
    }
  }
}

/** A message longer than this (a path of 4096 bytes, a name from the wire) is cut in its middle: one line stays one readable line. */
const MESSAGE_MAX_CHARS = 600;

/**
 * One line to stderr, prefixed with the program name. The message may carry
 * a file or interface name someone else chose: escaped (report/escape.ts),
 * so it can neither drive the terminal nor forge a second line, and cut
 * when overlong.
 */
export function warn(message: string): void {
  try {
    fs.writeSync(2, `anycast-probe: ${escapeText(shortened(message, MESSAGE_MAX_CHARS))}\n`);
  } catch {
    // stderr gone: nothing left to tell anyone.
  }
}
