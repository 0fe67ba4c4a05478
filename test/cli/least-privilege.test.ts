import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { createVethNamespace, removeNamespace } from '../support/netns.js';
import { cliPath } from '../support/paths.js';

/**
 * `watch` (both engines, promiscuous mode included) and `probe` need
 * CAP_NET_RAW and nothing else: run as nobody with only that capability
 * (setpriv, as a systemd unit's AmbientCapabilities would give it) they
 * work; as nobody without it they stop with one line naming CAP_NET_RAW and
 * how to grant it, exit 2. In a namespace of this test's own
 * (acpsafe-<pid>, a veth pair), removed at the end. Root only (to create
 * the namespace and drop to nobody).
 */
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = !isRoot ? 'needs root (network namespace, setpriv)' : !hasSetpriv ? 'setpriv not installed (util-linux)' : false;
const ns = `acpsafe-${process.pid}`;
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const WITH_NET_RAW = ['setpriv', ...NOBODY, '--inh-caps=+net_raw', '--ambient-caps=+net_raw'];
const WITHOUT = ['setpriv', ...NOBODY, '--inh-caps=-all'];
const CONFIG = ['--anycast-ip', '10.99.0.10', '--anycast-mac', '02:ca:fe:00:00:01'];
const NEEDS_NET_RAW = /needs CAP_NET_RAW: run as root, or with only that capability \(systemd AmbientCapabilities=CAP_NET_RAW, or setpriv/;

before(() => {
  if (skip !== false) return;
  createVethNamespace(ns);
});

after(() => {
  if (skip !== false) return;
  removeNamespace(ns);
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in the namespace under `privileges` (a setpriv command line), its working directory one nobody may enter. */
function cliAs(privileges: string[], args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...privileges, process.execPath, cliPath, ...args], {
      cwd: os.tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The interface's promiscuity counter (ip -d link): above 0 while a capture holds it promiscuous. */
function promiscuity(): number {
  const r = spawnSync('ip', ['-n', ns, '-d', 'link', 'show', 'cap0'], { encoding: 'utf8', timeout: 10_000 });
  return Number(/promiscuity (\d+)/.exec(r.stdout)?.[1] ?? -1);
}

/** Our lines only: the cap binding's C code prints a libpcap warning of its own for an interface without IPv4 address. */
function ourLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Warning: '));
}

/** Lines that report an error: anything but the summary of what was captured. */
function errorLines(stderr: string): string[] {
  return ourLines(stderr).filter((l) => !/frames analysed, \d+ received/.test(l));
}

/** Refused for want of the capability: exit 2, nothing on stdout, one line naming `what` needs CAP_NET_RAW and how to grant it. */
function assertRefused(r: Run, what: string): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = ourLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`anycast-probe: ${what} needs CAP_NET_RAW`), lines[0]);
  assert.match(lines[0]!, NEEDS_NET_RAW);
}

for (const engine of ['tcpdump', 'cap'] as const) {
  test(`watch --engine ${engine} captures, promiscuous, as nobody with only CAP_NET_RAW`, { skip, timeout: 60_000 }, async () => {
    assert.equal(promiscuity(), 0);
    const running = cliAs(WITH_NET_RAW, ['watch', 'cap0', '--engine', engine, '--duration', '3', '--json', ...CONFIG]);
    let seen = 0;
    for (let i = 0; i < 25 && seen === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = Math.max(seen, promiscuity());
    }
    const r = await running;
    assert.deepEqual(errorLines(r.stderr), [], r.stderr);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { format: string }).format, 'live');
    assert.ok(seen > 0, 'the interface was promiscuous during the capture');
  });

  test(`watch --engine ${engine} as nobody without CAP_NET_RAW is one line naming it and how to grant it, exit 2`, { skip, timeout: 60_000 }, async () => {
    assertRefused(await cliAs(WITHOUT, ['watch', 'cap0', '--engine', engine, '--duration', '3', ...CONFIG]), 'capturing on cap0');
  });
}

test('probe sends and captures as nobody with only CAP_NET_RAW', { skip, timeout: 60_000 }, async () => {
  const r = await cliAs(WITH_NET_RAW, ['probe', 'cap0', '--source-ip', '10.99.0.2', '--count', '1', '--timeout', '0.3', '--json', ...CONFIG]);
  assert.deepEqual(errorLines(r.stderr), [], r.stderr);
  // Nothing in the namespace answers: the verdict is a problem (exit 1), not a failure to run.
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { sent: { arp: number; echo: number } };
  assert.deepEqual([doc.sent.arp, doc.sent.echo], [1, 1]);
});

test('probe as nobody without CAP_NET_RAW is one line naming it and how to grant it, exit 2', { skip, timeout: 60_000 }, async () => {
  assertRefused(await cliAs(WITHOUT, ['probe', 'cap0', '--source-ip', '10.99.0.2', '--count', '1', '--timeout', '0.3', ...CONFIG]), 'sending on cap0');
});
