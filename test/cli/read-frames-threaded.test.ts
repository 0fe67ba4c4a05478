import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFramesThreaded } from '../../src/cli/read-frames-threaded.js';
import { readFrames, type ReadFramesResult } from '../../src/cli/read-frames.js';
import { describeError } from '../../src/cli/errors.js';
import { fixturesDir, repoRoot } from '../support/paths.js';

/** The threaded reader's failure paths, in process (the CLI-level equality is in analyze-threads.test.ts). */

const capture = path.join(fixturesDir, 'scenarios', 'healthy.pcap');

test('a decode thread that dies without a result ends the read with an error, not a hang or a silent exit', async () => {
  let frames = 0;
  const started = Date.now();
  const result = await readFramesThreaded({
    input: capture,
    keepDuplicates: false,
    count: 0,
    onFrame: () => { frames++; },
    decodeThread: new URL('../support/dying-decode-thread.js', import.meta.url),
  });
  assert.equal(frames, 0);
  assert.equal(result.stats.frames, 0);
  assert.match(describeError(result.error, capture), /the decode thread stopped: it exited without a result/);
  assert.ok(Date.now() - started < 10_000, 'noticed within seconds');
});

test('an exception in the consumer ends the read as on one thread: the error, with the counts of the frames handed over', async (t) => {
  // A capture of more than one ring slot (2048 rows), thrown in the second slot, so both the
  // decode thread's totals and the rows of the current slot are counted: the bench generator's mix.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-threaded-'));
  const big = path.join(dir, 'mesh-5k.pcap');
  const gen = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'scripts', 'bench-generate.js'), '--frames', '5000', '--out', big, '--seed', '1']);
  assert.equal(gen.status, 0, gen.stderr?.toString());
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
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
    assert.equal(one.stats.frames, Math.min(throwAt, one.stats.frames));
  }
});
