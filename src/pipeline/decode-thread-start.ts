/**
 * Starting analyze's decode thread (decode-thread.ts) early.
 *
 * A worker thread takes ~100 ms to boot (a new V8 isolate and Node's own
 * bootstrap) before it reads its first byte, and the analysis thread can
 * only wait for it. Started when the CLI's first module is evaluated, that
 * boot overlaps the rest of the CLI's start-up (argument parsing, opening
 * the capture). The thread then waits, unreferenced, for its job: the
 * read that `takeDecodeThread` hands it. An `analyze` that ends up on one
 * thread, or fails before reading, ends it with `dropStandbyDecodeThread`;
 * if nothing does, it does not keep the process alive.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

/** The decode thread allocates almost nothing per frame: a small young generation keeps RSS down, as in the bin shim. */
const DECODE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 2 };

interface Standby {
  worker: Worker;
  exited: boolean;
}

let standby: Standby | undefined;

const DECODE_THREAD_ENTRY = new URL('./decode-thread.js', import.meta.url);

function startDecodeThread(entry: URL): Worker {
  return new Worker(entry, { resourceLimits: DECODE_THREAD_LIMITS, stdout: false, stderr: false });
}

/**
 * Starts a decode thread now if these arguments (process.argv without node
 * and the script) run `analyze` on a machine with a second CPU: the only
 * case that may use it. Anything else pays nothing. Returns the thread
 * started, if any (for tests, which also pass an `entry` that dies).
 */
export function prestartDecodeThread(args: readonly string[], entry: URL = DECODE_THREAD_ENTRY): Worker | undefined {
  if (args[0] !== 'analyze' || standby !== undefined || os.availableParallelism() < 2) return undefined;
  const worker = startDecodeThread(entry);
  const s: Standby = { worker, exited: false };
  worker.unref();
  // Listen from the start: a thread that dies unused (out of memory) must neither throw an
  // unhandled 'error' nor be handed a job it can never answer.
  worker.once('error', () => {
    s.exited = true;
  }); // its 'exit' follows
  worker.once('exit', () => {
    s.exited = true;
  });
  standby = s;
  return worker;
}

/**
 * A decode thread waiting for its job (post it the DecodeThreadData): the
 * standby one if it is alive and `entry` is the default, else a new one.
 * The caller owns it from here; it keeps the process alive until it exits.
 */
export function takeDecodeThread(entry?: URL): Worker {
  const s = standby;
  standby = undefined;
  if (s !== undefined && !s.exited && entry === undefined) {
    s.worker.ref();
    return s.worker;
  }
  if (s !== undefined) void s.worker.terminate();
  return startDecodeThread(entry ?? DECODE_THREAD_ENTRY);
}

/** Ends the standby decode thread when analyze will not use it. */
export function dropStandbyDecodeThread(): void {
  if (standby === undefined) return;
  void standby.worker.terminate();
  standby = undefined;
}
