import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';

test('analyze, frames and replay refuse an unknown link type with the same one line and exit 2', () => {
  const file = 'fixtures/broken-unknown-linktype.pcap';
  const lines = [
    ['analyze', file],
    ['frames', file],
    ['replay', '--fast', file],
  ].map((args) => {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const line = r.stderr.split('\n').find((l) => l.includes('is not supported'));
    assert.ok(line !== undefined, `${args.join(' ')}: ${r.stderr}`);
    return line;
  });
  assert.match(lines[0]!, /raw IPv4 228, raw IPv6 229/);
  assert.equal(lines[1], lines[0]);
  assert.equal(lines[2], lines[0]);
});
