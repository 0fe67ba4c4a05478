import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cliPath, fixturesDir, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/** Files and streams that cannot be read or written get one line naming them and what is wrong, exit 2. */

function run(args: string[], stdio: [number | 'ignore', number | 'pipe', 'pipe']): { status: number; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio, encoding: 'utf8' });
  return { status: r.status ?? -1, stderr: r.stderr ?? '' };
}

test('a directory as the capture, by name or on stdin, is named as one', () => {
  assert.match(runCli(['analyze', 'fixtures']).stderr, /^anycast-probe: fixtures: is a directory, not a capture file$/m);
  const dir = fs.openSync(fixturesDir, 'r');
  try {
    const r = run(['analyze', '-'], [dir, 'pipe', 'pipe']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'anycast-probe: stdin: is a directory, not a capture file\n');
  } finally {
    fs.closeSync(dir);
  }
});

test('--write into a folder that does not exist names the file, exit 2', () => {
  const r = runCli(['replay', '--fast', 'fixtures/lab/healthy.pcap', '--write', '/no-such-dir/x.pcap']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^anycast-probe: \/no-such-dir\/x\.pcap: cannot write the capture file: its folder does not exist$/m);
});

test('a full disk on stdout is named as stdout, exit 2', { skip: !fs.existsSync('/dev/full') && 'no /dev/full' }, () => {
  for (const command of ['analyze', 'frames']) {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const r = run([command, 'fixtures/lab/healthy.pcap'], ['ignore', full, 'pipe']);
      assert.equal(r.status, 2, command);
      assert.match(r.stderr, /^anycast-probe: stdout: cannot write the output: no space left on the device$/m, command);
    } finally {
      fs.closeSync(full);
    }
  }
});

test('a file name with a terminal escape and a newline in it is escaped in the error line: one line, no escape sequence', () => {
  const r = runCli(['analyze', '/tmp/no-such\u001b[2J\nfile.pcap']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'anycast-probe: /tmp/no-such\\x1b[2J\\x0afile.pcap: no such file\n');
});
