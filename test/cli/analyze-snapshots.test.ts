import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { captureFiles, cliPath, corpusDir, fixturesDir, repoRoot } from '../support/paths.js';

/**
 * `analyze` pinned byte for byte: stdout, stderr and exit code of the real
 * CLI on every fixture and every corpus capture, with and without the
 * anycast plan given, kept in test/snapshots/analyze/. A change to what
 * analyze prints shows up here as a diff; rewrite the files on purpose with
 * `UPDATE_SNAPSHOTS=1 npm test` and read the diff before committing it.
 */

const SNAPSHOT_DIR = path.join(repoRoot, 'test', 'snapshots', 'analyze');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
const LAB_PLAN = ['--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01'];

interface Case {
  name: string;
  args: string[];
  /** A file fed on stdin (the pipe path). */
  stdin?: string;
}

function rel(file: string): string {
  return path.relative(repoRoot, file);
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const file of captureFiles(fixturesDir)) {
    const r = rel(file);
    const base = r.replace(/^fixtures\//, '').replace(/[/.]/g, '_');
    out.push({ name: `json__${base}`, args: ['analyze', '--json', r] });
    if (r.startsWith('fixtures/lab/') || r.startsWith('fixtures/scenarios/')) out.push({ name: `text__${base}`, args: ['analyze', r] });
    if (r.startsWith('fixtures/lab/')) out.push({ name: `json-plan__${base}`, args: ['analyze', '--json', r, ...LAB_PLAN] });
  }
  for (const stdin of ['fixtures/lab/no-source-route.pcap', 'fixtures/scenarios/arp-filter-off-one.pcapng']) {
    out.push({ name: `stdin__${stdin.replace(/^fixtures\//, '').replace(/[/.]/g, '_')}`, args: ['analyze', '--json', '-'], stdin });
  }
  for (const file of captureFiles(corpusDir)) {
    out.push({ name: `corpus__${path.basename(file).replace(/\./g, '_')}`, args: ['analyze', '--json', rel(file)] });
  }
  return out;
}

function run(c: Case): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...c.args], {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: [c.stdin === undefined ? 'ignore' : fs.openSync(path.join(repoRoot, c.stdin), 'r'), 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const shown = `$ anycast-probe ${c.args.join(' ')}${c.stdin !== undefined ? ` < ${c.stdin}` : ''}`;
      resolve(`${shown}\n${stdout}\n--- stderr\n${stderr}--- Exit code: ${code}\n`);
    });
  });
}

/** Runs `work` over `items`, `width` at a time, keeping the order of the results. */
async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

test('analyze prints exactly its snapshot on every fixture and corpus capture', { timeout: 600_000 }, async () => {
  const all = cases();
  const outputs = await pool(all, 3, run);
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const differ: string[] = [];
  const missing: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const file = path.join(SNAPSHOT_DIR, `${all[i]!.name}.txt`);
    if (UPDATE) {
      fs.writeFileSync(file, outputs[i]!);
      continue;
    }
    if (!fs.existsSync(file)) {
      missing.push(all[i]!.name);
      continue;
    }
    if (fs.readFileSync(file, 'utf8') !== outputs[i]) differ.push(all[i]!.name);
  }
  if (differ.length > 0) {
    const first = differ[0]!;
    const expected = fs.readFileSync(path.join(SNAPSHOT_DIR, `${first}.txt`), 'utf8');
    assert.equal(outputs[all.findIndex((c) => c.name === first)], expected, `${differ.length} snapshot(s) differ: ${differ.join(', ')}`);
  }
  assert.deepEqual(missing, [], 'snapshots missing: run UPDATE_SNAPSHOTS=1 npm test');
});
