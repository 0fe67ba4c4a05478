import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFramesThreaded } from '../../src/pipeline/read-frames-threaded.js';
import { readFrames, type ReadFramesResult } from '../../src/pipeline/read-frames.js';
import { describeError } from '../../src/report/error-text.js';
import { fixturesDir, repoRoot } from '../support/paths.js';

/** The threaded reader's failure paths, in process (the CLI-level equality is in analyze-threads.test.ts). */

const capture = path.join(fixturesDir, 'scenarios', 'healthy.pcap');

/** A capture of `frames` frames from the bench generator (the bench mix), in a folder removed after the test. */
function benchCapture(t: TestContext, frames: number, seed: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-threaded-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, `mesh-${frames}.pcap`);
  const gen = spawnSync(process.execPath, [
    path.join(repoRoot, 'dist', 'scripts', 'bench-generate.js'),
    '--frames',
    String(frames),
    '--out',
    file,
    '--seed',
    String(seed),
  ]);
  assert.equal(gen.status, 0, gen.stderr?.toString());
  return file;
}

test('a decode thread that dies without a result ends the read with an error, not a hang or a silent exit', async () => {
  let frames = 0;
  const started = Date.now();
  const result = await readFramesThreaded({
    input: capture,
    keepDuplicates: false,
    count: 0,
    onFrame: () => {
      frames++;
    },
    decodeThread: new URL('../support/dying-decode-thread.js', import.meta.url),
  });
  assert.equal(frames, 0);
  assert.equal(result.stats.frames, 0);
  assert.match(describeError(result.error, capture), /the decode thread stopped: it exited without a result/);
  assert.ok(Date.now() - started < 10_000, 'noticed within seconds');
});

test('an exception in the consumer ends the read as on one thread: the error, with the counts of the frames handed over', async (t) => {
  // A capture of several ring slots (the first holds 64 rows, doubling to 2048), thrown at frame
  // 2500 inside a slot, so both the decode thread's totals and the rows of the current slot are
  // counted: the bench generator's mix.
  const big = benchCapture(t, 5000, 1);
  for (const input of [capture, big]) {
    const throwAt = input === capture ? 3 : 2500;
    const run = (threaded: boolean): Promise<ReadFramesResult> => {
      let frames = 0;
      const opts = {
        input,
        keepDuplicates: false,
        count: 0,
        onFrame: () => {
          if (++frames === throwAt) throw new Error('detector bug');
        },
      };
      return threaded ? readFramesThreaded(opts) : readFrames(opts);
    };
    const one = await run(false);
    const two = await run(true);
    assert.match(String(two.error), /detector bug/);
    assert.equal(two.format, one.format);
    assert.equal(two.duplicates, one.duplicates);
    assert.deepEqual(
      [two.stats.frames, two.stats.bytes, two.stats.toRecord(), two.stats.truncated, two.stats.malformed],
      [one.stats.frames, one.stats.bytes, one.stats.toRecord(), one.stats.truncated, one.stats.malformed],
      path.basename(input),
    );
    // The frame that threw is counted, and none after it.
    assert.equal(one.stats.frames, throwAt, path.basename(input));
  }
});

test('a capture longer than the ring (16 slots, wrapped twice) reads the same on two threads as on one', async (t) => {
  const big = benchCapture(t, 70000, 2);
  const run = async (threaded: boolean): Promise<{ result: ReadFramesResult; numbers: number[]; sum: number }> => {
    const numbers: number[] = [];
    let sum = 0; // a checksum of decoded fields the rows carry, so a row read from a stale slot shows
    const opts = {
      input: big,
      keepDuplicates: false,
      count: 0,
      onFrame: (d: { number: number; layers: number; wireLen: number; tsNsec: number }) => {
        numbers.push(d.number);
        sum = (sum + d.layers * 31 + d.wireLen * 7 + d.tsNsec) % 1_000_000_007;
      },
    };
    const result = threaded ? await readFramesThreaded(opts) : await readFrames(opts);
    return { result, numbers, sum };
  };
  const one = await run(false);
  const two = await run(true);
  assert.equal(one.numbers.length, 70000);
  assert.deepEqual(two.numbers, one.numbers);
  assert.equal(two.sum, one.sum);
  assert.deepEqual(two.result.stats.toRecord(), one.result.stats.toRecord());
  assert.equal(two.result.error, undefined);
});
