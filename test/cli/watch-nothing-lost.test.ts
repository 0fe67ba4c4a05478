import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../../src/source/pcap-writer.js';
import { arpFrame, PLAN, segmentFrame, type TestFrame } from '../support/detect.js';
import { createVethNamespace, removeNamespace, sh } from '../support/netns.js';
import { cliPath, repoRoot } from '../support/paths.js';

/**
 * `watch --write FILE` loses nothing it captured: ended by SIGINT, SIGTERM
 * or SIGHUP while frames are still arriving, or stopped by a full disk (a
 * 64 KiB tmpfs this test mounts), it leaves a file tcpdump reads to the end
 * without complaint, holding every frame up to the last whole one, and
 * prints its report. Frames come from `replay --inject` into one end of a
 * veth pair in a namespace of this test's own (acpsafe-<pid>), removed at
 * the end; nothing leaves it. Root only.
 */
const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (network namespace, tmpfs)';
const ns = `acpsafe-${process.pid}`;
const { anycastIp, anycastMac, gw1, gw2, c1 } = PLAN;
const CONFIG = ['--anycast-ip', anycastIp, '--anycast-mac', anycastMac, '--gateway', `gw1=${gw1.mac}`, '--gateway', `gw2=${gw2.mac}`];

let dir = '';

before(() => {
  if (!isRoot) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acpsafe-lost-'));
  createVethNamespace(ns);
});

after(() => {
  if (!isRoot) return;
  removeNamespace(ns);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The anycast answering c1, then `count` frames of ~1 KB from gw1 to gw2 spread over `seconds`. */
function writeCapture(name: string, count: number, seconds: number): string {
  const frames: TestFrame[] = [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 0),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0.001),
  ];
  for (let i = 0; i < count; i++) {
    frames.push(
      segmentFrame(
        { ethSrc: gw1.mac, ethDst: gw2.mac, src: gw1.ip, dst: gw2.ip, sport: 4000, dport: 5000 + i, proto: 'udp', bytes: 1000 },
        0.01 + (i * seconds) / count,
      ),
    );
  }
  const w = new PcapWriter({ linkType: 1 });
  const file = path.join(dir, name);
  const t0 = 1_700_000_000;
  fs.writeFileSync(
    file,
    Buffer.concat([
      w.header(),
      ...frames.map((f) => w.record(t0 + Math.floor(f.t), Math.round((f.t - Math.floor(f.t)) * 1e9), f.bytes, 0, f.bytes.length, f.bytes.length)),
    ]),
  );
  return file;
}

interface Run {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

function start(args: string[]): Run {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, cliPath, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, stdout: () => out, stderr: () => err };
}

function inject(capture: string, speed: string[] = ['--fast']): ReturnType<typeof spawnSync> {
  return spawnSync('ip', ['netns', 'exec', ns, process.execPath, cliPath, 'replay', ...speed, '--inject', 'inj0', '--json', capture], {
    cwd: repoRoot,
    timeout: 30_000,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Injects a one-ARP capture until the file being written grows (watch is capturing, and flushes within a second); at most 15 tries. */
async function waitUntilCapturing(file: string): Promise<void> {
  const ping = path.join(dir, 'ping.pcap');
  if (!fs.existsSync(ping)) writeCapture('ping.pcap', 0, 0);
  for (let i = 0; i < 15; i++) {
    inject(ping);
    await sleep(1300);
    if (fs.existsSync(file) && fs.statSync(file).size > 24) return;
  }
  throw new Error(`${file}: watch wrote nothing within 15 tries`);
}

/** What tcpdump makes of a file: its exit status, how many frames it printed, and what it said on stderr. */
function tcpdumpRead(file: string): { status: number | null; frames: number; stderr: string } {
  const r = spawnSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, frames: r.stdout.split('\n').filter((l) => l !== '').length, stderr: r.stderr };
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no exit within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`watch --write ended by ${signal} while frames arrive leaves a file tcpdump reads whole, with every frame the report counted`, {
    skip,
    timeout: 90_000,
  }, async () => {
    const file = path.join(dir, `${signal}.pcap`);
    const capture = writeCapture(`${signal}-feed.pcap`, 200, 4);
    const watch = start(['watch', 'cap0', '--filter', '', '--write', file, '--json', '--duration', '60', ...CONFIG]);
    try {
      await waitUntilCapturing(file);
      // Paced over 4 s: the signal lands while frames are still coming.
      const feeding = spawn('ip', ['netns', 'exec', ns, process.execPath, cliPath, 'replay', '--inject', 'inj0', '--json', capture], {
        cwd: repoRoot,
        stdio: 'ignore',
      });
      const fed = new Promise<void>((resolve) => feeding.on('exit', () => resolve()));
      await sleep(2000);
      watch.child.kill(signal);
      const { code, signal: killedBy } = await bounded(watch.exit, 20_000, 'watch');
      await bounded(fed, 20_000, 'replay --inject');
      assert.equal(killedBy, null, `watch died of ${killedBy}: ${watch.stderr()}`);
      assert.ok(code === 0 || code === 1, `exit ${code}: ${watch.stderr()}`);
      const report = JSON.parse(watch.stdout()) as { stats: { frames: number } };
      const read = tcpdumpRead(file);
      assert.equal(read.status, 0, `tcpdump -r: ${read.stderr}`);
      assert.doesNotMatch(read.stderr, /truncated/);
      assert.equal(read.frames, report.stats.frames, 'the file holds every frame the report counted');
      assert.ok(read.frames > 2 && read.frames < 200 + 17, `${read.frames} frames: the signal came while frames were arriving`);
    } finally {
      if (watch.child.exitCode === null && watch.child.signalCode === null) watch.child.kill('SIGKILL');
    }
  });
}

test('watch --write on a full disk stops with its report and a file tcpdump reads whole, up to the last frame that fit', {
  skip,
  timeout: 90_000,
}, async () => {
  const mount = path.join(dir, 'full');
  fs.mkdirSync(mount);
  sh(['mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
  try {
    const file = path.join(mount, 'w.pcap');
    // ~1 KB frames: 150 of them are more than twice the 64 KiB the disk holds.
    const capture = writeCapture('full-feed.pcap', 150, 0);
    const watch = start(['watch', 'cap0', '--filter', '', '--write', file, '--json', '--duration', '60', ...CONFIG]);
    try {
      await waitUntilCapturing(file);
      const fed = inject(capture);
      assert.match(fed.stderr?.toString() ?? '', /152 sent out of inj0/);
      const { code, signal } = await bounded(watch.exit, 20_000, 'watch');
      assert.equal(signal, null, watch.stderr());
      assert.equal(code, 2, watch.stderr());
      const m = /w\.pcap: cannot write the capture file: no space left on the device; the file holds the first (\d+) frames/.exec(watch.stderr());
      assert.ok(m !== null, watch.stderr());
      const report = JSON.parse(watch.stdout()) as { stats: { frames: number }; error: string | null };
      assert.match(report.error ?? '', /no space left/);
      const read = tcpdumpRead(file);
      assert.equal(read.status, 0, `tcpdump -r: ${read.stderr}`);
      assert.doesNotMatch(read.stderr, /truncated/);
      assert.equal(read.frames, Number(m[1]), 'the file holds the frames the message says');
      assert.ok(read.frames > 30 && read.frames <= report.stats.frames, `${read.frames} frames in the file, ${report.stats.frames} in the report`);
    } finally {
      if (watch.child.exitCode === null && watch.child.signalCode === null) watch.child.kill('SIGKILL');
      await bounded(watch.exit, 10_000, 'watch (kill)');
    }
  } finally {
    spawnSync('umount', [mount], { timeout: 20_000 });
  }
});
