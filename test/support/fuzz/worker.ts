import { parentPort, workerData } from 'node:worker_threads';
import { loadSeeds, runEngine } from './engine.js';
import { recordSpans } from '../capture-fields.js';
import { MAX_INPUT_BYTES } from './mutate.js';
import { targetByName } from './targets.js';
import type { WorkerData } from './run.js';

/**
 * The fuzzing worker: the engine, told what to run by the supervisor (run.ts).
 * `npm test` (node --test dist/test/) also loads every file under test/ as a
 * test file: outside a worker this one does nothing. No top-level await (see
 * src/pipeline/decode-thread.ts); a rejection still ends the worker with its error.
 */
if (parentPort !== null) {
  const data = workerData as WorkerData;
  const target = targetByName(data.target);
  if (target === undefined) throw new Error(`no fuzz target ${data.target}`);
  const port = parentPort;
  void runEngine({
    target,
    seeds: loadSeeds(data.seedFiles, Math.min(data.maxSeedBytes, MAX_INPUT_BYTES), recordSpans),
    seed: data.seed,
    iterations: data.iterations,
    deadline: performance.now() + data.seconds * 1000,
    deepRuns: data.deepRuns,
    slowMs: data.slowMs,
    current: data.current,
    post: (message) => port.postMessage(message),
  });
}
