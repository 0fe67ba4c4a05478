import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Crash, EngineMessage, EngineStats } from './engine.js';
import { MAX_INPUT_BYTES } from './mutate.js';
import { captureFiles, corpusDir, fixturesDir, repoRoot } from '../paths.js';

/**
 * The fuzzing supervisor: runs the engine in a worker with a bounded heap
 * and watches its heartbeat, so the three failures an input can cause
 * inside a process — an exception, a loop that never ends, a heap that
 * keeps growing — all come back as a crash with the input that caused it.
 */

export interface FuzzOptions {
  target: string;
  seedFiles: readonly string[];
  /** Seeds longer than this keep only their first whole records. */
  maxSeedBytes?: number;
  seed?: number;
  iterations: number;
  seconds: number;
  deepRuns?: number;
  /** Bounded time per input. */
  slowMs?: number;
  /** No new input started for this long: the one running is a hang. */
  hangSeconds?: number;
  /** The worker's heap limit: an input that needs more is a crash. */
  heapMb?: number;
  onProgress?(stats: EngineStats): void;
}

export interface FuzzReport {
  target: string;
  stats: EngineStats | undefined;
  crashes: Crash[];
}

export interface WorkerData {
  target: string;
  seedFiles: readonly string[];
  maxSeedBytes: number;
  seed: number;
  iterations: number;
  seconds: number;
  deepRuns: number;
  slowMs: number;
  current: SharedArrayBuffer;
}

const WORKER = new URL('./worker.js', import.meta.url);

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const current = new SharedArrayBuffer(8 + MAX_INPUT_BYTES);
  const data: WorkerData = {
    target: opts.target,
    seedFiles: opts.seedFiles,
    maxSeedBytes: opts.maxSeedBytes ?? 16 * 1024,
    seed: opts.seed ?? 1,
    iterations: opts.iterations,
    seconds: opts.seconds,
    deepRuns: opts.deepRuns ?? 20,
    slowMs: opts.slowMs ?? 2000,
    current,
  };
  const heapMb = opts.heapMb ?? 512;
  const worker = new Worker(WORKER, { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  const crashes: Crash[] = [];
  let stats: EngineStats | undefined;
  const state = new Int32Array(current, 0, 2);
  const inputRunning = (): Uint8Array => new Uint8Array(current, 8, Atomics.load(state, 0)).slice();
  let hung = false;
  let beats = -1;
  const hangMs = (opts.hangSeconds ?? 10) * 1000;
  const watchdog = setInterval(() => {
    const now = Atomics.load(state, 1);
    if (now === beats) {
      hung = true;
      void worker.terminate();
    }
    beats = now;
  }, hangMs);
  worker.on('message', (m: EngineMessage) => {
    if (m.type === 'crash') crashes.push(m.crash);
    else {
      stats = m.stats;
      opts.onProgress?.(m.stats);
    }
  });
  const failure = await new Promise<Error | undefined>((resolve) => {
    worker.once('error', (err) => resolve(err));
    worker.once('exit', () => resolve(undefined));
  });
  clearInterval(watchdog);
  if (hung) crashes.push({ target: opts.target, message: `hang: no input finished in ${hangMs / 1000} s`, input: inputRunning() });
  else if (failure !== undefined) {
    const oom = (failure as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    crashes.push({
      target: opts.target,
      message: oom ? `memory: the input took more than ${heapMb} MB of heap` : `the fuzzer died: ${failure.stack ?? failure.message}`,
      input: inputRunning(),
    });
  }
  return { target: opts.target, stats, crashes };
}

/** Writes a crash as `<target>-<hash>.<pcap|pcapng>` with its message beside it; returns the capture's path. */
export function saveCrash(dir: string, crash: Crash): string {
  fs.mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(crash.input).digest('hex').slice(0, 12);
  const ext = crash.input.length >= 4 && new DataView(crash.input.buffer, crash.input.byteOffset).getUint32(0, true) === 0x0a0d0d0a ? 'pcapng' : 'pcap';
  const file = path.join(dir, `${crash.target}-${hash}.${ext}`);
  fs.writeFileSync(file, crash.input);
  fs.writeFileSync(`${file}.txt`, `${crash.message}\n`);
  return file;
}

/** The seeds: every capture of fixtures/, test/regress/ and, where it is beside the clone, the shared corpus. */
export function defaultSeedFiles(): string[] {
  return [...captureFiles(fixturesDir), ...captureFiles(path.join(repoRoot, 'test', 'regress')), ...captureFiles(corpusDir)];
}
