import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runCli } from '../support/run-cli.js';

/** doctor's flags and errors: one line naming the thing and what to do, exit 2. (Runs on the host: test/doctor/doctor-netns.test.ts builds gateways.) */

const haveIp = spawnSync('sh', ['-c', 'command -v ip'], { stdio: 'ignore' }).status === 0;

test('a mesh prefix that is not an IPv4 prefix is a usage error naming the flag and an example', () => {
  for (const bad of ['10.172.0.0/40', '10.172.0.0', 'fd00::/64']) {
    const r = runCli(['doctor', '--mesh-prefix', bad]);
    assert.equal(r.status, 2, bad);
    assert.equal(r.stderr, `anycast-probe: --mesh-prefix "${bad}": expected an IPv4 prefix such as 10.172.0.0/16\n`);
  }
});

test('an unknown flag and a bad anycast address are usage errors, exit 2', () => {
  const unknown = runCli(['doctor', '--brigde', 'br-fftr']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /^anycast-probe: Unknown argument: brigde \(see anycast-probe --help\)\n$/);
  const ip = runCli(['doctor', '--anycast-ip', '10.172.0.300']);
  assert.equal(ip.status, 2);
  assert.match(ip.stderr, /--anycast-ip: "10\.172\.0\.300" is not an IPv4 or IPv6 address/);
  const name = runCli(['doctor', '--anycast-interface', 'a/b']);
  assert.equal(name.status, 2);
  assert.match(name.stderr, /--anycast-interface "a\/b": not an interface name/);
});

test('a bridge that does not exist here: could not check, exit 2, naming it and the interfaces there are', { skip: haveIp ? false : 'needs iproute2' }, () => {
  const r = runCli(['doctor', '--bridge', 'acpdoc-nosuch']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^anycast-probe: --bridge: bridge "acpdoc-nosuch" does not exist \(interfaces here: lo[,)]/);
});

test('doctor --help names its flags, an example and the exit codes', () => {
  const r = runCli(['doctor', '--help']);
  assert.equal(r.status, 0);
  for (const flag of ['--bridge', '--anycast-interface', '--anycast-ip', '--mesh-prefix', '--dhcpd-conf', '--bird-conf', '--json'])
    assert.ok(r.stdout.includes(flag), flag);
  assert.match(r.stdout, /sudo anycast-probe doctor/);
  assert.match(r.stdout, /doctor: could not check/);
});
