import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli, jsonLines } from '../support/run-cli.js';

/**
 * Every broken capture: one line on stderr naming the file, the byte offset
 * and the fault; exit code 2; every frame before the fault still printed.
 */
const BROKEN: { file: string; framesBefore: number; message: RegExp }[] = [
  { file: 'broken-empty.pcap', framesBefore: 0, message: /^anycast-probe: fixtures\/broken-empty\.pcap: byte 0: empty file: no capture header$/m },
  { file: 'broken-bad-magic.pcap', framesBefore: 0, message: /fixtures\/broken-bad-magic\.pcap: byte 0: not a pcap or pcapng file: magic 0x/ },
  { file: 'broken-truncated-header.pcap', framesBefore: 0, message: /broken-truncated-header\.pcap: byte 0: truncated pcap file header: 16 of 24 bytes/ },
  {
    file: 'broken-truncated-record.pcap',
    framesBefore: 3,
    message: /broken-truncated-record\.pcap: byte 252: record 4 truncated: its header says 74 bytes, the file ends after 10/,
  },
  { file: 'broken-absurd-length.pcap', framesBefore: 2, message: /byte 176: record 3: captured length 2147483647 is absurd/ },
  { file: 'broken-block-length.pcapng', framesBefore: 2, message: /byte 336: block total length in header \(108\) and trailer \(112\) don't match/ },
  { file: 'broken-unknown-linktype.pcap', framesBefore: 0, message: /byte 20: link type 160 is not supported/ },
];

for (const { file, framesBefore, message } of BROKEN) {
  test(`${file}: names the file and byte offset, exits 2, and keeps the ${framesBefore} frames before the fault`, () => {
    const r = runCli(['frames', '--json', '-q', `fixtures/${file}`]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'exactly one line of error');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(
      jsonLines(r.stdout).map((f) => f.frame),
      Array.from({ length: framesBefore }, (_, i) => i + 1),
    );
  });
}

test('cutting a capture at every byte never hangs or throws: the frames before the cut survive and the error names the cut', () => {
  const whole = fs.readFileSync('fixtures/arp-icmp.pcapng');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-cut-'));
  try {
    // Block boundaries of the file: SHB, IDB, then 8 EPBs.
    const ends: number[] = [];
    for (let o = 0; o < whole.length; ) {
      o += whole.readUInt32LE(o + 4);
      ends.push(o);
    }
    for (const cut of [1, 8, 27, 28, ends[1]! + 3, ends[3]! - 1, ends[5]! + 12, whole.length - 4]) {
      const file = path.join(dir, `cut-${cut}.pcapng`);
      fs.writeFileSync(file, whole.subarray(0, cut));
      const r = runCli(['frames', '--json', '--all', '-q', file]);
      assert.equal(r.status, 2, `cut at ${cut}`);
      assert.match(r.stderr, /byte \d+: (truncated|empty)/, `cut at ${cut}: ${r.stderr}`);
      const complete = ends.slice(2).filter((e) => e <= cut).length;
      assert.equal(jsonLines(r.stdout).length, complete, `frames before the cut at ${cut}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing file is one line naming it, exit 2', () => {
  const r = runCli(['frames', 'fixtures/does-not-exist.pcap']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'anycast-probe: fixtures/does-not-exist.pcap: no such file\n');
});

test('a directory is refused as not a capture file', () => {
  const r = runCli(['frames', 'fixtures']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /fixtures: is a directory, not a capture file/);
});

test('an unknown flag is a usage error with exit 2', () => {
  const r = runCli(['frames', '--bogus', 'fixtures/vlan.pcap']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown argument: bogus/);
});

test('no command is a usage error with exit 2 that names every command', () => {
  const r = runCli([]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /name a command/);
  const listed = /name a command: ([a-z, ]+)/.exec(r.stderr)?.[1]?.trim().split(', ') ?? [];
  assert.deepEqual([...listed].sort(), ['analyze', 'detectors', 'doctor', 'frames', 'probe', 'replay', 'watch']);
});

test("a record longer than the file header's snap length is read whole, as tcpdump and tshark read it, and counted", {
  skip: spawnSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' }).status === 0 ? false : 'tcpdump not installed',
}, () => {
  for (const [file, over] of [
    ['fixtures/broken-caplen-over-snaplen.pcap', 1],
    ['test/regress/snaplen-64.pcap', 2],
  ] as const) {
    const r = runCli(['frames', '--json', '--all', file]);
    assert.equal(r.status, 0, r.stderr);
    const tcpdump = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
    assert.equal(jsonLines(r.stdout).length, tcpdump.stdout.trim().split('\n').length, file);
    assert.match(r.stderr, new RegExp(`, ${over} longer than the file's snap length \\(read whole, as tcpdump does\\)$`, 'm'), file);
  }
});
