import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { prestartDecodeThread } from '../../src/pipeline/decode-thread-start.js';
import { readFramesThreaded } from '../../src/pipeline/read-frames-threaded.js';
import { readFrames, type ReadFramesResult } from '../../src/pipeline/read-frames.js';
import { fixturesDir } from '../support/paths.js';

/** analyze's decode thread started before its job is known (decode-thread-start.ts). */

const capture = path.join(fixturesDir, 'scenarios', 'arp-filter-off-one.pcap');
const twoCpus = os.availableParallelism() >= 2;
const skip = !twoCpus && 'one CPU: analyze starts no decode thread early';

async function read(threaded: boolean): Promise<{ result: ReadFramesResult; numbers: number[] }> {
  const numbers: number[] = [];
  const opts = {
    input: capture,
    keepDuplicates: false,
    count: 0,
    onFrame: (d: { number: number }) => {
      numbers.push(d.number);
    },
  };
  const result = threaded ? await readFramesThreaded(opts) : await readFrames(opts);
  return { result, numbers };
}

/** Resolves with `worker`'s exit code when it has exited (1 if it was terminated), or rejects after `ms`. */
async function exitWithin(worker: Worker, ms: number): Promise<number> {
  const timeout = sleep(ms).then((): number => {
    throw new Error(`the thread did not exit within ${ms} ms`);
  });
  // Not events.once: it rejects on the 'error' a failing thread emits before its 'exit'.
  return Promise.race([new Promise<number>((resolve) => worker.once('exit', resolve)), timeout]);
}

test('a decode thread started early is the one that reads the capture handed to it later, as the one-thread reader does', { skip }, async () => {
  const standby = prestartDecodeThread(['analyze', capture]);
  assert.ok(standby !== undefined);
  const exited = exitWithin(standby, 10_000); // listen now: it may exit before the read returns
  await sleep(50); // let it boot and wait for its job
  const one = await read(false);
  const two = await read(true);
  assert.ok(one.numbers.length > 0);
  assert.deepEqual(two.numbers, one.numbers);
  assert.deepEqual(two.result.stats.toRecord(), one.result.stats.toRecord());
  assert.equal(two.result.error, undefined);
  // An unused standby waits for a job forever or is terminated (exit code 1); this one did the read and ended.
  assert.equal(await exited, 0);
});

test('arguments that are not analyze start no decode thread', () => {
  assert.equal(prestartDecodeThread(['frames', capture]), undefined);
  assert.equal(prestartDecodeThread(['watch', 'br-fftr']), undefined);
});

for (const [what, entry] of [
  ['exited', '../support/dying-decode-thread.js'],
  ['failed with an exception', '../support/throwing-decode-thread.js'],
] as const) {
  test(`an early decode thread that ${what} before its job is replaced, not handed a job it cannot answer`, { skip }, async () => {
    const standby = prestartDecodeThread(['analyze', capture], new URL(entry, import.meta.url));
    assert.ok(standby !== undefined);
    await exitWithin(standby, 10_000);
    const one = await read(false);
    const two = await read(true);
    assert.deepEqual(two.numbers, one.numbers);
    assert.equal(two.result.error, undefined);
  });
}
