import * as fs from 'node:fs';
import * as os from 'node:os';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { FrameDecoder } from '../decode/frame-decoder.js';
import type { AnalysisResult } from '../detect/analysis.js';
import type { AnycastConfig } from '../detect/config.js';
import type { DetectorDefinition } from '../detect/detector.js';
import { dropStandbyDecodeThread } from './decode-thread-start.js';
import { FrameRowView, writeFrameRow } from './frame-row.js';
import { OnePassAnalysis, type Judgement } from './one-pass.js';
import { readFrames, type ReadFramesResult } from './read-frames.js';
import { readFramesThreaded } from './read-frames-threaded.js';
import { nothingRead } from '../core/errors.js';
import { collectGarbage } from '../core/collect-garbage.js';

export type Threads = 'auto' | '1' | '2';

/**
 * Regular files smaller than this are analysed on one thread. The decode
 * thread is started with the CLI (decode-thread-start.ts), so its ~100 ms
 * boot overlaps the CLI's own start-up, but on small files its JIT warm-up
 * and the hand-over still cost what the second core saves: 500k frames
 * (280 MB) took 0.61 s with it and 0.59 s without; 5M frames (2.8 GB)
 * 1.7 s with it and 2.3 s without.
 */
const THREADED_MIN_BYTES = 1024 * 1024 * 1024;

export interface AnalyzeCaptureOptions {
  /** A capture file, or '-' for stdin. */
  input: string;
  config: AnycastConfig;
  detectors: readonly DetectorDefinition[];
  keepDuplicates: boolean;
  /** Stop after this many frames (0 = all). */
  count: number;
  threads: Threads;
}

export interface AnalyzeCaptureResult {
  read: ReadFramesResult;
  /** Undefined when nothing could be read (no such file, not a capture): there is nothing to judge. */
  analysis: AnalysisResult | undefined;
  judgement: Judgement;
  /** Digits of the capture's clock (6 µs, 9 ns), for formatting times. */
  tsDigits: number;
}

/**
 * Whether the read runs with a decode thread: `--threads 2` always, `1`
 * never, `auto` when there is a second CPU and the input is a pipe or a
 * file of at least THREADED_MIN_BYTES.
 */
function useDecodeThread(threads: Threads, input: string): boolean {
  if (threads !== 'auto') return threads === '2';
  if (os.availableParallelism() < 2) return false;
  if (input === '-') return true;
  try {
    const st = fs.statSync(input);
    return !st.isFile() || st.size >= THREADED_MIN_BYTES;
  } catch {
    return false; // the one-thread reader words the error
  }
}

/** On one thread the frames are the decoder itself; on two, row views over the ring. */
const rowFromDecoder = (frame: DecodedFrame, rows: Int32Array, at: number): void => writeFrameRow(frame as FrameDecoder, rows, at);
const rowFromView = (frame: DecodedFrame, rows: Int32Array, at: number): void => (frame as FrameRowView).copyRow(rows, at);

/**
 * The offline pipeline in one call: read → de-duplicate → decode (on a
 * second thread when it pays) → one-pass analysis. Reads the input once,
 * whether or not the anycast address is configured, from a file or a pipe.
 * Never throws for bad input: the read result carries the error, with every
 * frame before it analysed.
 */
export async function analyzeCapture(opts: AnalyzeCaptureOptions): Promise<AnalyzeCaptureResult> {
  const result = await onePass(opts);
  // The pass's detectors, tables and ring are unreachable now: collect them and the pass's promoted
  // garbage before the caller builds its report beside them (the peak of a big run).
  collectGarbage();
  return result;
}

async function onePass(opts: AnalyzeCaptureOptions): Promise<AnalyzeCaptureResult> {
  const threaded = useDecodeThread(opts.threads, opts.input);
  if (!threaded) dropStandbyDecodeThread();
  const judge = new OnePassAnalysis({
    config: opts.config,
    detectors: opts.detectors,
    writeRow: threaded ? rowFromView : rowFromDecoder,
    replayFrame: threaded ? new FrameRowView() : new FrameDecoder(),
  });
  let tsDigits = 6;
  const onFrame = (d: DecodedFrame): void => {
    tsDigits = d.tsDigits;
    judge.observe(d);
  };
  const source = { input: opts.input, keepDuplicates: opts.keepDuplicates, count: opts.count, onFrame };
  const read = threaded ? await readFramesThreaded(source) : await readFrames(source);
  if (nothingRead(read.error, read.stats.frames)) {
    // A verdict on zero frames would read as "healthy" (the decode thread failing counts here too).
    return { read, analysis: undefined, judgement: { judgedFromFrame: 1 }, tsDigits };
  }
  const { result, judgement } = judge.finish();
  return { read, analysis: result, judgement, tsDigits };
}
