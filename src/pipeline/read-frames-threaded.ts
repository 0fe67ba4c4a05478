import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { countRow, FRAME_ROW_WORDS, FrameRowView } from './frame-row.js';
import { createFrameRing, PROGRESS_WORDS, progressDuplicates, progressFormat, SLOTS, SLOT_WORDS, SlotState } from './frame-ring.js';
import type { DecodeThreadData } from './decode-thread.js';
import { takeDecodeThread } from './decode-thread-start.js';
import type { ReadFramesResult } from './read-frames.js';
import { DecodeStats } from '../decode/stats.js';
import { resultFromWire, type WireReadResult } from './read-result-wire.js';

export interface ThreadedReadOptions {
  input: string;
  keepDuplicates: boolean;
  count: number;
  /** Called with each decoded frame, in capture order, on this thread. */
  onFrame(frame: DecodedFrame): void;
  /** Entry of the decode thread (default: decode-thread.js); tests substitute one that dies. */
  decodeThread?: URL;
}

/** How long the analysis thread sleeps on an empty slot before it looks again (the thread's exit also wakes it). */
const STARVED_CHECK_MS = 250;

/**
 * readFrames() on two cores: a decode thread reads and decodes the capture
 * (the work up to `DecodedFrame`) while this thread runs the consumer, so
 * reading and decoding overlap with detection. Frames arrive in capture
 * order, and the result (counts, warnings, the error that ended reading)
 * is the one the decode thread's readFrames() returned: the same as the
 * one-thread path, which the tests check capture by capture.
 */
export async function readFramesThreaded(opts: ThreadedReadOptions): Promise<ReadFramesResult> {
  const { ring, buffers } = createFrameRing();
  const { port1: results, port2: resultsForThread } = new MessageChannel();
  const data: DecodeThreadData = { input: opts.input, keepDuplicates: opts.keepDuplicates, count: opts.count, ...buffers, results: resultsForThread };
  const worker = takeDecodeThread(opts.decodeThread);
  worker.postMessage(data, [resultsForThread]);
  let exited = false;
  let failure: unknown;
  const exit = new Promise<void>((resolve) => {
    worker.once('error', (err) => {
      failure = err;
    });
    worker.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  const control = ring.control;
  const rows = ring.rows;
  const view = new FrameRowView();
  let slot = 0;
  let row = 0;
  /** The decode thread's totals through the last slot consumed (decode statistics, duplicates, format). */
  const consumed = new Float64Array(PROGRESS_WORDS);
  try {
    for (;;) {
      let state = Atomics.load(control, slot);
      if (state === SlotState.empty) {
        if (exited) break; // the decode thread died without closing the ring
        // Race the thread's exit: a pending waitAsync does not keep Node's event loop alive, so
        // after a thread that died the process would end here with nothing said.
        const wait = Atomics.waitAsync(control, slot, SlotState.empty, STARVED_CHECK_MS);
        if (wait.async) await Promise.race([wait.value, exit]);
        state = Atomics.load(control, slot);
        if (state === SlotState.empty) continue;
      }
      const n = Atomics.load(control, SLOTS + slot);
      const base = slot * SLOT_WORDS;
      for (row = 0; row < n; row++) {
        view.load(rows, base + row * FRAME_ROW_WORDS);
        opts.onFrame(view);
      }
      consumed.set(ring.progress.subarray(slot * PROGRESS_WORDS, (slot + 1) * PROGRESS_WORDS));
      Atomics.store(control, slot, SlotState.empty);
      Atomics.notify(control, slot);
      if (state === SlotState.last) break;
      slot = (slot + 1) % SLOTS;
    }
  } catch (err) {
    // A consumer that throws (a detector bug) ends the read as on one thread: the error comes back
    // with the counts of every frame handed over, the one that threw included (duplicates: through
    // the previous slot).
    await worker.terminate();
    results.close();
    const result = partialResult(consumed, err);
    const base = slot * SLOT_WORDS;
    for (let i = 0; i <= row; i++) countRow(rows, base + i * FRAME_ROW_WORDS, result.stats);
    // The slot being consumed is ours until released, so its totals are stable: the format is known there.
    result.format = progressFormat(ring.progress, slot * PROGRESS_WORDS);
    return result;
  }
  // The decode thread posted its result before closing the ring, so it is normally here already;
  // then there is no need to wait for the thread's teardown. Otherwise it died: wait, and say why.
  let message = receiveMessageOnPort(results);
  if (message !== undefined) worker.unref();
  else {
    await exit;
    message = receiveMessageOnPort(results);
  }
  results.close();
  if (message !== undefined) return resultFromWire(message.message as WireReadResult);
  // The decode thread failed outside readFrames (which never throws): keep what was analysed and say why it stopped.
  const why = failure instanceof Error ? failure.message : 'it exited without a result';
  return partialResult(consumed, new Error(`the decode thread stopped: ${why}`));
}

/** A read that ended early: the decode thread's totals through the slots consumed (`consumed`), and why. */
function partialResult(consumed: Float64Array, error: unknown): ReadFramesResult {
  const stats = new DecodeStats();
  stats.readFrom(consumed, 0);
  return { read: undefined, format: progressFormat(consumed, 0), stats, duplicates: progressDuplicates(consumed, 0), warnings: [], error };
}
