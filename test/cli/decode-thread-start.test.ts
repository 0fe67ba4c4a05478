import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { prestartDecodeThread } from '../../src/cli/decode-thread-start.js';
import { readFramesThreaded } from '../../src/cli/read-frames-threaded.js';
import { readFrames, type ReadFramesResult } from '../../src/cli/read-frames.js';
import { fixturesDir } from '../support/paths.js';

/** analyze's decode thread started before its job is known (decode-thread-start.ts). */

const capture = path.join(fixturesDir, 'scenarios', 'arp-filter-off-one.pcap');
const twoCpus = os.availableParallelism() >= 2;

async function read(threaded: boolean): Promise<{ result: ReadFramesResult; numbers: number[] }> {
  const numbers: number[] = [];
  const opts = { input: capture, keepDuplicates: false, count: 0, onFrame: (d: { number: number }) => { numbers.push(d.number); } };
  const result = threaded ? await readFramesThreaded(opts) : await readFrames(opts);
  return { result, numbers };
}

test('a decode thread started early reads the capture it is handed later, as the one-thread reader does', { skip: !twoCpus && 'one CPU: analyze starts no decode thread early' }, async () => {
  prestartDecodeThread(['analyze', capture]);
  await sleep(50); // let it boot and wait for its job
  const one = await read(false);
  const two = await read(true);
  assert.ok(one.numbers.length > 0);
  assert.deepEqual(two.numbers, one.numbers);
  assert.deepEqual(two.result.stats.toRecord(), one.result.stats.toRecord());
  assert.equal(two.result.error, undefined);
});

test('an early decode thread that died before its job is replaced, not handed a job it cannot answer', { skip: !twoCpus && 'one CPU: analyze starts no decode thread early' }, async () => {
  prestartDecodeThread(['analyze', capture], new URL('../support/dying-decode-thread.js', import.meta.url));
  await sleep(500); // it exits at once
  const one = await read(false);
  const two = await read(true);
  assert.deepEqual(two.numbers, one.numbers);
  assert.equal(two.result.error, undefined);
});
