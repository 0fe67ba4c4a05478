import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/run-cli.js';

/**
 * `analyze` of a capture that is still being written (tcpdump -w flushes in
 * blocks, so the file often ends inside a record) reports every frame
 * before the cut, exactly the frames `tcpdump -r` shows, with the same
 * findings as the capture cut at that record's start, and says it stopped
 * at a cut record: whether the cut falls in a record header or its data,
 * in pcap or pcapng, on one thread or two, from a file or a pipe.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acpsafe-cut-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Doc {
  stats: { frames: number };
  findings: { kind: string; count: number }[];
  error: string | null;
}

/** Byte offsets where each record (pcap) or block (pcapng) after the file header starts, read from the file's own length fields. */
function recordStarts(bytes: Buffer, format: 'pcap' | 'pcapng'): number[] {
  const starts: number[] = [];
  if (format === 'pcap') {
    for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) starts.push(at);
  } else {
    for (let at = 0; at + 12 <= bytes.length; at += bytes.readUInt32LE(at + 4)) if (at > 0 && bytes.readUInt32LE(at) === 6) starts.push(at);
  }
  return starts;
}

function tcpdumpFrames(file: string): number {
  const r = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.split('\n').filter((l) => l !== '').length;
}

const summary = (d: Doc): string[] => d.findings.map((f) => `${f.kind}×${f.count}`).sort();

const CAPTURES = [
  { file: 'fixtures/scenarios/arp-filter-off-one.pcap', format: 'pcap' as const },
  { file: 'fixtures/scenarios/arp-filter-off-one.pcapng', format: 'pcapng' as const },
];

for (const { file, format } of CAPTURES) {
  test(`analyze of a ${format} cut inside a record reports every frame before it, as tcpdump -r does, and says it stopped at a cut record`, () => {
    const whole = fs.readFileSync(file);
    const starts = recordStarts(whole, format);
    assert.ok(starts.length > 20, `${starts.length} records`);
    // The first record, one in the middle, the last.
    for (const k of [0, Math.floor(starts.length / 2), starts.length - 1]) {
      const at = starts[k]!;
      const end = starts[k + 1] ?? whole.length;
      const boundary = path.join(dir, `boundary.${format}`);
      fs.writeFileSync(boundary, whole.subarray(0, at));
      const expected = JSON.parse(runCli(['analyze', '--json', boundary]).stdout) as Doc;
      // Inside the record header, just after it (a record whose data is all missing), inside the data, 1 byte short.
      for (const into of [7, format === 'pcap' ? 16 : 28, Math.floor((end - at) / 2) + 4, end - at - 1]) {
        const cut = path.join(dir, `cut.${format}`);
        fs.writeFileSync(cut, whole.subarray(0, at + into));
        const what = `record ${k + 1}, ${into} bytes in`;
        assert.equal(tcpdumpFrames(cut), k, `${what}: tcpdump -r shows the records before the cut`);
        // The decode thread hands its error across as data: checked once per record.
        for (const threads of into === 7 ? ['1', '2'] : ['1']) {
          const json = runCli(['analyze', '--json', '--threads', threads, cut]);
          assert.equal(json.status, 2, `${what}: ${json.stderr}`);
          const doc = JSON.parse(json.stdout) as Doc;
          assert.equal(doc.stats.frames, k, `${what}, ${threads} thread(s): frames reported`);
          assert.deepEqual(summary(doc), summary(expected), `${what}: the findings of the capture cut at the record's start`);
          assert.match(doc.error ?? '', new RegExp(`byte ${at}: `), what);
        }
        if (into !== 7) continue;
        const text = runCli(['analyze', cut]);
        assert.equal(text.status, 2, text.stderr);
        assert.match(text.stdout, new RegExp(`^Read ${k} frames`, 'm'), `${what}: the report is printed`);
        assert.match(text.stdout, /^Stopped at a cut record \(a capture still being written, or cut by a full disk\)/m, what);
        assert.equal(text.stderr.trim().split('\n').length, 1, text.stderr);
      }
    }
  });
}

test('analyze - of a pipe that ends inside a record reports every frame before it and says it stopped at a cut record', () => {
  const whole = fs.readFileSync('fixtures/scenarios/arp-filter-off-one.pcap');
  const starts = recordStarts(whole, 'pcap');
  const k = Math.floor(starts.length / 2);
  const r = runCli(['analyze', '-'], whole.subarray(0, starts[k]! + 20));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, new RegExp(`^Read ${k} frames`, 'm'));
  assert.match(r.stdout, /^Stopped at a cut record/m);
  assert.match(r.stderr, /^anycast-probe: stdin: byte \d+: record \d+ truncated/);
});

test('a capture corrupt in its middle (not cut) is reported as stopped early, not as a cut record', () => {
  const whole = Buffer.from(fs.readFileSync('fixtures/scenarios/arp-filter-off-one.pcap'));
  const starts = recordStarts(whole, 'pcap');
  const k = Math.floor(starts.length / 2);
  whole.writeUInt32LE(0x7fffffff, starts[k]! + 8);
  const bad = path.join(dir, 'absurd.pcap');
  fs.writeFileSync(bad, whole);
  const r = runCli(['analyze', bad]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout, new RegExp(`^Read ${k} frames`, 'm'));
  assert.match(r.stdout, /^Stopped early: /m);
  assert.doesNotMatch(r.stdout, /cut record/);
});
