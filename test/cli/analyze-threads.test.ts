import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureFiles, fixturesDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * `analyze --threads 2` (decode on a second thread, rows through shared
 * memory) must say exactly what the one-thread path says: the same JSON,
 * the same warnings and errors on stderr, the same exit code — for every
 * fixture, broken ones included. (The corpus captures are covered a layer
 * lower, in test/decode/frame-row.test.ts: every frame's row equals its
 * decoder, and detectors read nothing else.)
 */

function assertSameOnBothPaths(args: string[], label: string, input?: Buffer): void {
  const one = runCli(['analyze', ...args, '--threads', '1'], input);
  const two = runCli(['analyze', ...args, '--threads', '2'], input);
  assert.equal(two.stdout, one.stdout, `${label}: stdout`);
  assert.equal(two.stderr, one.stderr, `${label}: stderr`);
  assert.equal(two.status, one.status, `${label}: exit code`);
}

test('every fixture gets the same analysis, warnings and exit code with a decode thread', () => {
  const files = captureFiles(fixturesDir);
  assert.ok(files.length >= 40, `only ${files.length} fixtures found`);
  for (const file of files) assertSameOnBothPaths([path.relative(process.cwd(), file), '--json'], file);
});

test('configured, counted, piped and missing inputs behave the same with a decode thread', () => {
  const capture = path.join(fixturesDir, 'lab', 'no-source-route.pcap');
  assertSameOnBothPaths([capture, '--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01'], 'configured, text report');
  assertSameOnBothPaths([capture, '--json', '--count', '7'], '--count 7');
  assertSameOnBothPaths(['-', '--json'], 'stdin', fs.readFileSync(capture));
  assertSameOnBothPaths(['-', '--json', '--anycast-ip', '10.172.0.10'], 'stdin, configured', fs.readFileSync(capture));
  assertSameOnBothPaths(['no/such/capture.pcap'], 'missing file');
  const truncated = path.join(fixturesDir, 'broken-truncated-record.pcap');
  const r = runCli(['analyze', truncated, '--threads', '2']);
  assert.equal(r.status, 2, 'a truncated capture is an input error on the threaded path too');
  assert.match(r.stderr, /broken-truncated-record\.pcap: byte \d+: record \d+ truncated/);
});

test('--threads takes auto, 1 or 2 and nothing else', () => {
  const r = runCli(['analyze', path.join(fixturesDir, 'vlan.pcap'), '--threads', '3']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /threads/);
});
