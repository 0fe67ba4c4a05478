import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jsonLines, runCli } from '../support/run-cli.js';

/**
 * Timestamps no clock can show (../shared/repros, copied to test/regress/):
 * a high word of 0xffffffff, if_tsresol in whole seconds, an if_tsoffset of
 * 2^62 s or below zero. Every frame is kept, its time marked, and analyze
 * prints its whole report, the same on one thread and two.
 */
const REPROS = ['ts-high-word.pcapng', 'ts-high-word-udp.pcapng', 'tsresol-seconds.pcapng', 'tsoffset-huge.pcapng', 'tsoffset-negative.pcapng'];
const haveTcpdump = spawnSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' }).status === 0;

for (const name of REPROS) {
  const file = `test/regress/${name}`;
  test(`${name}: frames shows every record tcpdump shows; analyze reports, the same on one thread and two`, () => {
    const frames = runCli(['frames', '--all', file]);
    assert.equal(frames.status, 0, frames.stderr);
    assert.doesNotMatch(frames.stderr, /internal error/);
    if (haveTcpdump) {
      const tcpdump = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' }).stdout.trim().split('\n').length;
      assert.equal(frames.stdout.trim().split('\n').length, tcpdump);
    }
    const one = runCli(['analyze', '--json', '--threads', '1', file]);
    const two = runCli(['analyze', '--json', '--threads', '2', file]);
    assert.doesNotMatch(one.stderr, /internal error/);
    assert.ok(JSON.parse(one.stdout), 'a whole JSON report');
    assert.deepEqual([two.status, two.stdout, two.stderr], [one.status, one.stdout, one.stderr]);
  });
}

test('ts_nsec of 10^9 is printed whole and marked (invalid ns), and the next frame is unharmed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-ts-'));
  try {
    const frame = Buffer.concat([Buffer.from('ffffffffffff02000000000a0806000108000604000102000000000a0aac000a0000000000000aac0001', 'hex'), Buffer.alloc(18)]);
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b23c4d, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(262144, 16);
    header.writeUInt32LE(1, 20);
    const record = (sec: number, nsec: number): Buffer => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(sec, 0);
      h.writeUInt32LE(nsec, 4);
      h.writeUInt32LE(frame.length, 8);
      h.writeUInt32LE(frame.length, 12);
      return Buffer.concat([h, frame]);
    };
    const file = path.join(dir, 'ns.pcap');
    fs.writeFileSync(file, Buffer.concat([header, record(1700000000, 1_000_000_000), record(1700000001, 5)]));
    const lines = runCli(['frames', file]).stdout.trim().split('\n');
    assert.match(lines[0]!, / 2023-11-14 22:13:20\.1000000000 \(invalid ns\) /);
    assert.match(lines[1]!, / 2023-11-14 22:13:21\.000000005 /);
    const json = jsonLines(runCli(['frames', '--json', file]).stdout);
    assert.equal(json[0]!['time'], '2023-11-14T22:13:20.1000000000 (invalid ns)Z');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
