import { FRAME_ROW_WORDS } from './frame-row.js';
import { STATS_WORDS, type DecodeStats } from '../decode/stats.js';
import type { CaptureFormat } from '../source/parser.js';

/**
 * 16 slots of 2048 rows: 32k frames, 4.7 MB. The two threads' speeds vary
 * from moment to moment (a read from the page cache, a scavenge, a run of
 * flow-table evictions), and a deeper ring lets one run ahead instead of
 * waiting. On the 5M bench file 16 slots ran 1.68 s median where 8 ran
 * 1.78 s; 32 and 64 were no faster than 16 (and cost 4 and 12 MB more RSS);
 * slots of 512 or 1024 rows were slower.
 */
export const SLOTS = 16;
export const ROWS_PER_SLOT = 2048;
export const SLOT_WORDS = ROWS_PER_SLOT * FRAME_ROW_WORDS;
/** Rows in the first slot published (see FrameRingWriter.limit); a power of two below ROWS_PER_SLOT. */
const FIRST_SLOT_ROWS = 64;

export const SlotState = {
  empty: 0,
  full: 1,
  /** Full, and the producer's last slot: nothing follows. */
  last: 2,
} as const;

/**
 * Per slot, the producer's running totals when it published the slot:
 * decode statistics (DecodeStats.writeTo), then the duplicates skipped,
 * then the capture format's code.
 */
export const PROGRESS_WORDS = STATS_WORDS + 2;
const PROGRESS_DUPLICATES = STATS_WORDS;
const PROGRESS_FORMAT = STATS_WORDS + 1;

/** Capture formats by code (code = index + 1; 0 = not known yet) in the progress words. */
const CAPTURE_FORMATS: readonly CaptureFormat[] = ['pcap', 'pcapng'];

/** Writes the running totals at progress[at ..]: the statistics, duplicates and the format (undefined: not known yet). */
export function writeProgress(progress: Float64Array, at: number, stats: DecodeStats, duplicates: number, format: CaptureFormat | undefined): void {
  stats.writeTo(progress, at);
  progress[at + PROGRESS_DUPLICATES] = duplicates;
  progress[at + PROGRESS_FORMAT] = format === undefined ? 0 : CAPTURE_FORMATS.indexOf(format) + 1;
}

/** The duplicates count in the totals at progress[at ..]. */
export function progressDuplicates(progress: Float64Array, at: number): number {
  return progress[at + PROGRESS_DUPLICATES]!;
}

/** The capture format in the totals at progress[at ..], or undefined if it was not known yet. */
export function progressFormat(progress: Float64Array, at: number): CaptureFormat | undefined {
  return CAPTURE_FORMATS[progress[at + PROGRESS_FORMAT]! - 1];
}

/**
 * A single-producer, single-consumer ring of frame-row batches in shared
 * memory: the decode thread fills a slot with up to ROWS_PER_SLOT rows and
 * marks it full; the analysis thread consumes it and marks it empty. One
 * atomic handshake per slot (thousands of frames), none per frame.
 */
export interface FrameRing {
  /** control[i]: the state of slot i; control[SLOTS + i]: its row count. */
  readonly control: Int32Array;
  readonly rows: Int32Array;
  /** progress[i * PROGRESS_WORDS ..]: totals through slot i, for a consumer that stops inside the next one. */
  readonly progress: Float64Array;
}

export interface FrameRingBuffers {
  control: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  progress: SharedArrayBuffer;
}

export function createFrameRing(): { ring: FrameRing; buffers: FrameRingBuffers } {
  const buffers = {
    control: new SharedArrayBuffer(SLOTS * 2 * 4),
    rows: new SharedArrayBuffer(SLOTS * SLOT_WORDS * 4),
    progress: new SharedArrayBuffer(SLOTS * PROGRESS_WORDS * 8),
  };
  return { ring: attachFrameRing(buffers), buffers };
}

export function attachFrameRing(buffers: FrameRingBuffers): FrameRing {
  return { control: new Int32Array(buffers.control), rows: new Int32Array(buffers.rows), progress: new Float64Array(buffers.progress) };
}

/** Producer side, for the decode thread: write rows, publish slots, block while the ring is full. */
export class FrameRingWriter {
  private slot = 0;
  private count = 0;
  /**
   * Rows in the slot being filled before it is published: FIRST_SLOT_ROWS,
   * doubling up to ROWS_PER_SLOT. The analysis thread waits for the first
   * slot, and the first rows are decoded by a thread whose code is not yet
   * optimised: small first slots start the analysis milliseconds earlier.
   */
  private limit = FIRST_SLOT_ROWS;
  /** `snapshot(progress, at)` writes the running totals for the slot about to be published. */
  constructor(
    private readonly ring: FrameRing,
    private readonly snapshot: (progress: Float64Array, at: number) => void,
  ) {}

  /** Word offset of the next row to write; call `commit` after writing it. */
  nextRow(): number {
    return this.slot * SLOT_WORDS + this.count * FRAME_ROW_WORDS;
  }

  commit(): void {
    if (++this.count === this.limit) this.publish(SlotState.full);
  }

  /** Publishes what is left as the last slot (possibly empty of rows). */
  close(): void {
    this.publish(SlotState.last);
  }

  private publish(state: number): void {
    const control = this.ring.control;
    this.snapshot(this.ring.progress, this.slot * PROGRESS_WORDS);
    Atomics.store(control, SLOTS + this.slot, this.count);
    Atomics.store(control, this.slot, state);
    Atomics.notify(control, this.slot);
    if (state === SlotState.last) return;
    this.slot = (this.slot + 1) % SLOTS;
    this.count = 0;
    if (this.limit < ROWS_PER_SLOT) this.limit *= 2;
    // Back-pressure: wait for the analysis thread to free the slot (it has to, or end this thread).
    for (let v = Atomics.load(control, this.slot); v !== SlotState.empty; v = Atomics.load(control, this.slot)) {
      Atomics.wait(control, this.slot, v);
    }
  }
}
