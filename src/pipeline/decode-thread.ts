/**
 * Entry of the decode thread (a worker_threads Worker started by
 * decode-thread-start.ts, its job posted by read-frames-threaded.ts): reads and decodes the capture with the same
 * pipeline as the one-thread path (`readFrames`: de-duplication, counts,
 * errors) and writes each decoded frame as a row into the shared ring.
 * Ends by posting the read result, then closing the ring.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { writeFrameRow } from './frame-row.js';
import { attachFrameRing, FrameRingWriter, writeProgress } from './frame-ring.js';
import { readFrames } from './read-frames.js';
import { DecodeStats } from '../decode/stats.js';
import type { CaptureFormat } from '../source/parser.js';
import { AnyCaptureDedup } from '../source/any-dedup.js';
import { resultToWire } from './read-result-wire.js';

export interface DecodeThreadData {
  input: string;
  keepDuplicates: boolean;
  count: number;
  control: SharedArrayBuffer;
  rows: SharedArrayBuffer;
  progress: SharedArrayBuffer;
  /** Where the read result goes; the analysis thread takes it synchronously once the ring is closed. */
  results: MessagePort;
}

async function run(data: DecodeThreadData): Promise<void> {
  const ring = attachFrameRing(data);
  const stats = new DecodeStats();
  const dedup = new AnyCaptureDedup();
  // Each published slot carries the totals through it: an analysis thread that stops in the next
  // slot (a detector threw) reports exactly the frames it saw, as readFrames does on one thread.
  let format: CaptureFormat | undefined;
  const writer = new FrameRingWriter(ring, (progress, at) => writeProgress(progress, at, stats, dedup.duplicates, format));
  const rows = ring.rows;
  const result = await readFrames({
    input: data.input,
    keepDuplicates: data.keepDuplicates,
    count: data.count,
    stats,
    dedup,
    onFormat(f) {
      format = f;
    },
    onFrame(d) {
      writeFrameRow(d, rows, writer.nextRow());
      writer.commit();
    },
  });
  // The result goes first: the analysis thread awaits it once it has consumed the last slot.
  data.results.postMessage(resultToWire(result));
  writer.close();
  data.results.close();
}

// The thread may be started before its job is known (decode-thread-start.ts): the job is the first message.
// No top-level await, here or in main.ts: V8's evaluation of async modules aborted the process now and
// then ("Check failed: (location_) != nullptr" in SourceTextModule::ExecuteAsyncModule, nodejs/node#53238),
// seen once in a snapshot run under load (0 in 300 runs on a quiet machine). A rejection of run()
// still ends the thread with its error.
parentPort!.once('message', (job: DecodeThreadData) => {
  void run(job);
});
