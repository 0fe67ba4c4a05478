import * as fs from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { BlockCoverage } from './coverage.js';
import { Rng } from '../../../scripts/rng.js';
import { MAX_INPUT_BYTES, mutate } from './mutate.js';
import type { FuzzTarget } from './targets.js';

/**
 * The fuzzing loop: run the seeds, then mutate inputs of the corpus and keep
 * those that reach blocks of our code no input reached before. Bounded by
 * an iteration count and a deadline, whichever comes first. Runs inside a
 * worker (worker.ts) so that the supervisor (run.ts) can stop an input that
 * never returns or eats the heap, and still know which input it was.
 */

export interface EngineOptions {
  target: FuzzTarget;
  seeds: Uint8Array[];
  seed: number;
  iterations: number;
  deadline: number;
  /** Inputs that reached new code also get the target's expensive checks, this many times at most. */
  deepRuns: number;
  /** An input that takes longer than this breaks "bounded time per input". */
  slowMs: number;
  /** Where the input being run is written before it runs: [0] its length, then its bytes. */
  current: SharedArrayBuffer;
  /** Reports: progress now and then, each crash, the end. */
  post(message: EngineMessage): void;
}

export interface Crash {
  target: string;
  message: string;
  input: Uint8Array;
}

export interface EngineStats {
  iterations: number;
  corpus: number;
  blocks: number;
  seconds: number;
  deepRuns: number;
  /** Functions of dist/src that ran, of those loaded (a function never called may not be listed). */
  functionsRun: number;
  functionsLoaded: number;
  /** Largest V8 heap seen between inputs, in bytes. */
  maxHeapBytes: number;
}

export type EngineMessage = { type: 'progress'; stats: EngineStats } | { type: 'crash'; crash: Crash } | { type: 'done'; stats: EngineStats };

/** Crashes with the same first line and place are one bug; a few of each are kept. */
const MAX_CRASHES = 20;

export async function runEngine(opts: EngineOptions): Promise<EngineStats> {
  const rng = new Rng(opts.seed);
  const coverage = new BlockCoverage((url) => url.includes('/dist/src/'));
  const currentLength = new Int32Array(opts.current, 0, 2);
  const currentBytes = new Uint8Array(opts.current, 8);
  const started = performance.now();
  const corpus: Uint8Array[] = [];
  const signatures = new Set<string>();
  let crashes = 0;
  let deepRuns = 0;
  let iterations = 0;
  let maxHeapBytes = 0;
  let lastProgress = started;
  const stats = (): EngineStats => ({
    iterations,
    corpus: corpus.length,
    blocks: coverage.size,
    seconds: (performance.now() - started) / 1000,
    deepRuns,
    functionsRun: coverage.functionShare.run,
    functionsLoaded: coverage.functionShare.loaded,
    maxHeapBytes,
  });

  /** Runs one input; true when it reached new blocks. */
  const runOne = async (input: Uint8Array, deep: boolean): Promise<boolean> => {
    currentBytes.set(input);
    Atomics.store(currentLength, 0, input.length);
    Atomics.add(currentLength, 1, 1); // the supervisor's heartbeat
    const t0 = performance.now();
    try {
      await opts.target.run(input, deep);
      const ms = performance.now() - t0;
      // The first inputs pay for loading and compiling the code, a deep run for starting a thread: not the input's fault.
      if (ms > opts.slowMs && iterations > 50 && !deep) throw new Error(`one input took ${Math.round(ms)} ms (bound: ${opts.slowMs} ms)`);
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}\n${(err.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(err);
      const signature = message.replace(/\d+/g, 'N').split('\n').slice(0, 2).join('\n');
      if (!signatures.has(signature) && crashes < MAX_CRASHES) {
        signatures.add(signature);
        crashes++;
        opts.post({ type: 'crash', crash: { target: opts.target.name, message, input: Uint8Array.from(input) } });
      }
    }
    return coverage.take() > 0;
  };

  coverage.reset();
  for (const seed of opts.seeds) {
    const input = seed.length > MAX_INPUT_BYTES ? seed.subarray(0, MAX_INPUT_BYTES) : seed;
    await runOne(input, false);
    corpus.push(input);
  }
  while (iterations < opts.iterations && performance.now() < opts.deadline && corpus.length > 0) {
    iterations++;
    const child = mutate(rng.pick(corpus), rng, corpus);
    if (await runOne(child, false)) {
      corpus.push(child);
      if (deepRuns < opts.deepRuns) {
        deepRuns++;
        await runOne(child, true);
      }
    }
    if (iterations % 64 === 0) maxHeapBytes = Math.max(maxHeapBytes, getHeapStatistics().used_heap_size);
    const now = performance.now();
    if (now - lastProgress > 1000) {
      lastProgress = now;
      opts.post({ type: 'progress', stats: stats() });
    }
  }
  const done = stats();
  coverage.close();
  opts.post({ type: 'done', stats: done });
  return done;
}

/** Reads seed files, keeping a long capture's first records only (whole records, up to `maxBytes`). */
export function loadSeeds(files: readonly string[], maxBytes: number, spans: (b: Uint8Array) => [number, number][]): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    if (bytes.length <= maxBytes) {
      seeds.push(bytes);
      continue;
    }
    let cut = 0;
    for (const [, end] of spans(bytes)) if (end <= maxBytes) cut = end;
    if (cut > 0) seeds.push(bytes.subarray(0, cut));
  }
  return seeds;
}
