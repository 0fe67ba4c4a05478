import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFramesThreaded } from '../../src/cli/read-frames-threaded.js';
import { describeError } from '../../src/cli/errors.js';
import { fixturesDir } from '../support/paths.js';

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

test('an exception in the consumer ends the decode thread and reaches the caller', async () => {
  let frames = 0;
  await assert.rejects(
    readFramesThreaded({
      input: capture,
      keepDuplicates: false,
      count: 0,
      onFrame: () => {
        if (++frames === 3) throw new Error('detector bug');
      },
    }),
    /detector bug/,
  );
  assert.equal(frames, 3);
});
