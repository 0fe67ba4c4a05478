import { FRAME_ROW_WORDS } from '../decode/frame-row.js';

/**
 * A single-producer, single-consumer ring of frame-row batches in shared
 * memory: the decode thread fills a slot with up to ROWS_PER_SLOT rows and
 * marks it full; the analysis thread consumes it and marks it empty. One
 * atomic handshake per slot (thousands of frames), none per frame.
 */
export const SLOTS = 8;
export const ROWS_PER_SLOT = 2048;
export const SLOT_WORDS = ROWS_PER_SLOT * FRAME_ROW_WORDS;

export const SlotState = {
  empty: 0,
  full: 1,
  /** Full, and the producer's last slot: nothing follows. */
  last: 2,
} as const;

export interface FrameRing {
  /** control[i]: the state of slot i; control[SLOTS + i]: its row count. */
  readonly control: Int32Array;
  readonly rows: Int32Array;
}

export function createFrameRing(): { ring: FrameRing; buffers: { control: SharedArrayBuffer; rows: SharedArrayBuffer } } {
  const control = new SharedArrayBuffer(SLOTS * 2 * 4);
  const rows = new SharedArrayBuffer(SLOTS * SLOT_WORDS * 4);
  return { ring: attachFrameRing(control, rows), buffers: { control, rows } };
}

export function attachFrameRing(control: SharedArrayBuffer, rows: SharedArrayBuffer): FrameRing {
  return { control: new Int32Array(control), rows: new Int32Array(rows) };
}

/** Producer side, for the decode thread: write rows, publish slots, block while the ring is full. */
export class FrameRingWriter {
  private slot = 0;
  private count = 0;
  constructor(private readonly ring: FrameRing) {}

  /** Word offset of the next row to write; call `commit` after writing it. */
  nextRow(): number {
    return this.slot * SLOT_WORDS + this.count * FRAME_ROW_WORDS;
  }

  commit(): void {
    if (++this.count === ROWS_PER_SLOT) this.publish(SlotState.full);
  }

  /** Publishes what is left as the last slot (possibly empty of rows). */
  close(): void {
    this.publish(SlotState.last);
  }

  private publish(state: number): void {
    const control = this.ring.control;
    Atomics.store(control, SLOTS + this.slot, this.count);
    Atomics.store(control, this.slot, state);
    Atomics.notify(control, this.slot);
    if (state === SlotState.last) return;
    this.slot = (this.slot + 1) % SLOTS;
    this.count = 0;
    // Back-pressure: wait for the analysis thread to free the slot (it has to, or end this thread).
    for (let v = Atomics.load(control, this.slot); v !== SlotState.empty; v = Atomics.load(control, this.slot)) {
      Atomics.wait(control, this.slot, v);
    }
  }
}
