import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/run-cli.js';

const haveTcpdump = spawnSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' }).status === 0;

interface Report {
  verdict: string;
  findings: { kind: string; severity: string; gateway: string | null; count: number; cause: string }[];
}

function problems(r: Report): string[] {
  return r.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `${f.kind}@${f.gateway}:${f.cause}×${f.count}`)
    .sort();
}

test('replay gives the same report and exit code as analyze for the same capture', () => {
  const fixture = 'fixtures/lab/no-source-route.pcap';
  const a = runCli(['analyze', fixture, '--json']);
  const r = runCli(['replay', '--fast', fixture, '--json']);
  assert.equal(a.status, 1);
  assert.equal(r.status, a.status);
  assert.deepEqual(problems(JSON.parse(r.stdout) as Report), problems(JSON.parse(a.stdout) as Report));
});

test('replay paces frames by their capture time: at a quarter speed, one second of --duration covers only the first part of the capture', () => {
  // no-source-route.pcap holds 34 frames over 1.99 s of capture time. Unpaced, one second is plenty for all
  // of them; at ×0.25 one wall-clock second releases at most the first 0.25 s of capture time.
  const frames = (args: string[]): number => (JSON.parse(runCli(args).stdout) as { stats: { frames: number } }).stats.frames;
  assert.equal(frames(['replay', '--fast', '--duration', '1', 'fixtures/lab/no-source-route.pcap', '--json']), 34);
  const paced = frames(['replay', '--speed', '0.25', '--duration', '1', 'fixtures/lab/no-source-route.pcap', '--json']);
  assert.ok(paced > 0 && paced < 34, `paced replay analysed ${paced} of 34 frames`);
});

test('replay --ndjson prints each finding as it appears, the final stats, then the report', () => {
  const r = runCli(['replay', '--fast', '--ndjson', 'fixtures/lab/arp-filter-off-one.pcap']);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; kind?: string; final?: boolean; frames?: number; dropped?: number | null });
  assert.equal(lines.at(-1)!.type, 'report');
  const stats = lines.at(-2)!;
  assert.deepEqual([stats.type, stats.final, stats.frames, stats.dropped], ['stats', true, 40, null]);
  assert.ok(lines.some((l) => l.type === 'finding' && l.kind === 'unicast-arp-reply'));
});

test('--write keeps every frame as a pcap that tcpdump reads back with the same frame count', { skip: haveTcpdump ? false : 'tcpdump not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-write-'));
  try {
    const out = path.join(dir, 'kept.pcap');
    const r = runCli(['replay', '--fast', 'fixtures/lab/healthy.pcap', '--write', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const original = spawnSync('tcpdump', ['-nn', '-r', 'fixtures/lab/healthy.pcap'], { encoding: 'utf8' }).stdout.trim().split('\n').length;
    const kept = spawnSync('tcpdump', ['-nn', '-r', out], { encoding: 'utf8' });
    assert.equal(kept.status, 0, kept.stderr);
    assert.equal(kept.stdout.trim().split('\n').length, original);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--write of an SLL or SLL2 capture keeps its link type: tcpdump prints the same lines', { skip: haveTcpdump ? false : 'tcpdump not installed' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-write-'));
  try {
    for (const file of ['fixtures/sll.pcap', 'fixtures/sll2.pcap']) {
      const out = path.join(dir, path.basename(file));
      const r = runCli(['replay', '--fast', file, '--write', out]);
      assert.ok(r.status === 0 || r.status === 3, r.stderr);
      const original = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8' });
      const kept = spawnSync('tcpdump', ['-nn', '-r', out], { encoding: 'utf8' });
      assert.equal(kept.stdout, original.stdout, file);
      assert.doesNotMatch(kept.stdout, /\[\|llc\]/);
      assert.equal(
        kept.stderr
          .split('\n')[0]
          ?.replace(out, 'X')
          .replace(/snapshot length \d+/, ''),
        original.stderr
          .split('\n')[0]
          ?.replace(file, 'X')
          .replace(/snapshot length \d+/, ''),
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('replay refuses stdin and a bad --speed with one line and exit 2', () => {
  const a = runCli(['replay', '-']);
  assert.equal(a.status, 2);
  assert.match(a.stderr, /replay reads a file, not stdin/);
  const b = runCli(['replay', '--speed', '0', 'fixtures/lab/healthy.pcap']);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /--speed 0/);
});

test('replay of a missing file or of bytes that are not a capture: one line naming it, exit 2, no report of zero frames', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-replay-bad-'));
  try {
    const garbage = path.join(dir, 'garbage.pcap');
    fs.writeFileSync(garbage, 'not a capture at all');
    for (const [file, said] of [
      ['/no-such-dir/missing.pcap', /^anycast-probe: \/no-such-dir\/missing\.pcap: no such file$/m],
      [garbage, /^anycast-probe: .*garbage\.pcap: byte 0: not a pcap or pcapng file/],
    ] as const) {
      for (const fast of [[], ['--fast']]) {
        const r = runCli(['replay', ...fast, file]);
        assert.equal(r.status, 2, `${file} ${fast}`);
        assert.equal(r.stdout, '', `${file} ${fast}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, said);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a --duration longer than a timer holds (~24.8 days) does not end the run at once: every frame is replayed', () => {
  const all = runCli(['replay', '--fast', '--json', 'fixtures/lab/healthy.pcap']);
  const long = runCli(['replay', '--fast', '--json', '--duration', '3000000', 'fixtures/lab/healthy.pcap']);
  assert.equal(long.status, all.status);
  assert.doesNotMatch(long.stderr, /TimeoutOverflowWarning/);
  const frames = (r: { stdout: string }): number => (JSON.parse(r.stdout) as { stats: { frames: number } }).stats.frames;
  assert.ok(frames(all) > 10);
  assert.equal(frames(long), frames(all));
});

test('watch on a missing interface names it, lists the ones that exist, exit 2', () => {
  const r = runCli(['watch', 'no-such-if0', '--duration', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /interface "no-such-if0" does not exist \(interfaces here: .*lo/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
