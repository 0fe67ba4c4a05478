import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPath, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * replay --inject sends a fixture's frames out of one end of a veth pair
 * inside a namespace this test creates (and removes); watch captures the
 * other end. What watch reports must equal what analyze reports for the
 * fixture. Root only; traffic never leaves the namespace.
 */
const isRoot = process.getuid?.() === 0;
const ns = `acpinj-${process.pid}`;

function sh(args: string[]): void {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

interface Report {
  findings: { kind: string; severity: string; gateway: string | null; count: number; cause: string }[];
  stats: { frames: number };
}

function summary(r: Report): string[] {
  return r.findings.map((f) => `${f.kind}@${f.gateway}:${f.cause}×${f.count}`).sort();
}

test('replay --inject into a veth and watch on the far side give the same findings as analyze', {
  skip: isRoot ? false : 'needs root (network namespace)',
  timeout: 90_000,
}, async () => {
  const fixture = 'fixtures/lab/no-source-route.pcap';
  const config = [
    '--anycast-ip',
    '10.172.0.10',
    '--anycast-mac',
    '02:ca:fe:00:00:01',
    '--gateway',
    'gw1=02:00:00:00:01:01',
    '--gateway',
    'gw2=02:00:00:00:02:01',
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-inject-'));
  try {
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    sh(['ip', '-n', ns, 'link', 'add', 'inj0', 'type', 'veth', 'peer', 'name', 'cap0']);
    sh(['ip', '-n', ns, 'link', 'set', 'inj0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'cap0', 'up']);
    const out = path.join(dir, 'watch.json');
    const watch = spawn('ip', ['netns', 'exec', ns, process.execPath, cliPath, 'watch', 'cap0', '--json', '--duration', '12', ...config], {
      cwd: repoRoot,
      stdio: ['ignore', fs.openSync(out, 'w'), 'pipe'],
    });
    let watchErr = '';
    watch.stderr?.on('data', (c: Buffer) => (watchErr += c.toString()));
    const watchDone = new Promise<number>((resolve) => watch.on('exit', (code) => resolve(code ?? -1)));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const inject = spawnSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, cliPath, 'replay', '--speed', '4', '--inject', 'inj0', fixture, '--json', ...config],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(inject.status, 1, inject.stderr);
    assert.match(inject.stderr, /sent out of inj0/);
    const code = await watchDone;
    assert.equal(code, 1, watchErr);
    const live = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
    const offline = JSON.parse(runCli(['analyze', fixture, '--json', ...config]).stdout) as Report;
    assert.equal(live.stats.frames, offline.stats.frames, 'every injected frame was captured');
    assert.deepEqual(summary(live), summary(offline));
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
