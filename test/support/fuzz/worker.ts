import { parentPort, workerData } from 'node:worker_threads';
import { loadSeeds, runEngine } from './engine.js';
import { recordSpans } from '../capture-fields.js';
import { MAX_INPUT_BYTES } from './mutate.js';
import { targetByName } from './targets.js';
import type { WorkerData } from './run.js';

/** The fuzzing worker: the engine, told what to run by the supervisor (run.ts). */
const data = workerData as WorkerData;
const target = targetByName(data.target);
if (target === undefined || parentPort === null) throw new Error(`no fuzz target ${data.target}`);
const port = parentPort;
await runEngine({
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
