import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cliPath } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/** watch's option and interface errors: one line naming the thing and the range or what to do, exit 2, never "internal error". */

test('a snap length out of range is a usage error naming the range', () => {
  for (const s of ['40', '300000', '1.5']) {
    const r = runCli(['watch', 'lo', '-s', s]);
    assert.equal(r.status, 2, s);
    assert.match(r.stderr, new RegExp(`--snaplen ${s.replace('.', '\\.')}: expected an integer from 64 to 262144`), s);
    assert.doesNotMatch(r.stderr, /internal error/);
  }
});

test('--buffer-mib takes 1 to 2047, as libpcap takes an int of bytes, and its help says so', () => {
  for (const b of ['0', '2048', '1.5x']) {
    const r = runCli(['watch', 'lo', '--buffer-mib', b]);
    assert.equal(r.status, 2, b);
    assert.match(r.stderr, /--buffer-mib .*1 to 2047/, b);
  }
  // In range it gets past the option checks, to the interface's (lo is not Ethernet).
  const ok = runCli(['watch', 'lo', '--buffer-mib', '2047', '--duration', '1']);
  assert.match(ok.stderr, /interface lo has link type loopback/);
  assert.match(runCli(['watch', '--help']).stdout, /kernel capture buffer in MiB \(1 to 2047\)/);
});

test('a non-Ethernet interface is refused naming its link type, before any capture filter is built', () => {
  const r = runCli(['watch', 'lo', '--duration', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^anycast-probe: interface lo has link type loopback, not Ethernet/m);
  assert.doesNotMatch(r.stderr, /macvlan|VLAN support/);
});

const isRoot = process.getuid?.() === 0;
const haveIp = spawnSync('sh', ['-c', 'command -v ip'], { stdio: 'ignore' }).status === 0;

test('a tun device (raw IP) is refused naming raw IP, not "no VLAN support"', {
  skip: !isRoot || !haveIp ? 'needs root and iproute2 (a network namespace)' : false,
}, () => {
  // Not acp-*: lab.sh removes every acp-* namespace, and a lab test may run beside this one.
  const ns = `acptun-${process.pid}`;
  try {
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    assert.equal(spawnSync('ip', ['-n', ns, 'tuntap', 'add', 'dev', 'acp-tun0', 'mode', 'tun']).status, 0);
    spawnSync('ip', ['-n', ns, 'link', 'set', 'acp-tun0', 'up']);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, cliPath, 'watch', 'acp-tun0', '--duration', '1'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /interface acp-tun0 has link type raw IP \(no link layer: a tun or WireGuard device\), not Ethernet/);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
});
