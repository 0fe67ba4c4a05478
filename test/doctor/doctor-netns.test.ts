import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPath, repoRoot } from '../support/paths.js';

/**
 * `doctor` on the real kernel: test/doctor/gateway.sh builds one gateway as
 * ../shared/FIELD.md describes it in a namespace of this test's own
 * (acpdoc-PID-…), healthy or with one setting broken; the CLI runs inside
 * it. Every namespace made here is removed in `finally`; no other is touched.
 */

const isRoot = process.getuid?.() === 0;
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const skip = !isRoot
  ? 'needs root (network namespaces)'
  : !has('ip')
    ? 'needs iproute2'
    : !has('iptables-restore')
      ? 'needs iptables (apt-get install iptables)'
      : false;
const gatewaySh = path.join(repoRoot, 'test', 'doctor', 'gateway.sh');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Builds the gateway with BREAK in a fresh namespace, calls `use` with it, removes the namespace. */
function withGateway<T>(brk: string, env: NodeJS.ProcessEnv, use: (ns: string, conf: string) => T): T {
  const ns = `acpdoc-${process.pid}-gw`;
  const conf = fs.mkdtempSync(path.join(os.tmpdir(), 'acpdoc-'));
  try {
    const up = run('bash', [gatewaySh, 'up', ns, conf, brk], env);
    assert.equal(up.status, 0, `gateway.sh up ${brk}: ${up.stderr}`);
    return use(ns, conf);
  } finally {
    run('bash', [gatewaySh, 'down', ns]);
    fs.rmSync(conf, { recursive: true, force: true });
  }
}

/** doctor inside namespace NS (behind `prefix`, e.g. setpriv), with the gateway's config files. */
function doctorRun(ns: string, conf: string, args: string[], prefix: string[] = []): Run {
  const files = ['--dhcpd-conf', `${conf}/dhcpd.conf`, '--bird-conf', `${conf}/bird6.conf`];
  return run('ip', ['netns', 'exec', ns, ...prefix, process.execPath, cliPath, 'doctor', ...files, ...args]);
}

/** Builds the gateway with BREAK, runs doctor there with ARGS, removes the namespace. */
function doctorIn(brk: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): Run {
  return withGateway(brk, env, (ns, conf) => doctorRun(ns, conf, args, prefix));
}

/** The failing and warning lines: "✘ title…" / "! title…". */
function problemLines(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('✘') || l.startsWith('!'));
}

test('a healthy gateway passes: exit 0, every check ✔ or not checked', { skip }, () => {
  const r = doctorIn('healthy');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(problemLines(r.stdout), []);
  assert.match(r.stdout, /^– batman-adv interface is a port of the bridge: not checked: no batman-adv interface here/m);
  assert.match(
    r.stdout,
    /^doctor: bridge br-fftr, anycast interface fftr-gw-anycast 26:61:96:60:00:dc 10\.172\.0\.10 2001:bf7:fc0f::10 \(from the interface\), mesh 10\.172\.0\.0\/16$/m,
  );
  assert.match(r.stdout, /^HEALTHY: 18 passed, 2 not checked\.$/m);
  assert.equal(r.stderr, '');
});

test('with --batman-interface the veth standing in for bat0 is checked as a port of br-fftr', { skip }, () => {
  const r = doctorIn('healthy', ['--batman-interface', 'bat0']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^✔ batman-adv interface is a port of the bridge \[bat0\]: bat0 in br-fftr$/m);
  assert.match(r.stdout, /^– batman-adv bridge loop avoidance on \[bat0\]: not checked: \/sys\/class\/net\/bat0\/mesh\/bridge_loop_avoidance not present$/m);
});

test('a firewall loaded with iptables-legacy, which the nf_tables iptables-save does not list, is read and fixed with iptables-legacy', {
  skip: skip || (!has('iptables-legacy-save') && 'needs iptables-legacy'),
}, () => {
  const r = doctorIn('firewall-anycast', [], { GW_FIREWALL: 'legacy' });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.deepEqual(
    problemLines(r.stdout).map((l) => l.replace(/^.* — fix: /, '')),
    ['iptables-legacy -t filter -I FORWARD 2 -i fftr-gw-anycast -o tun0 -j ACCEPT'],
  );
});

test('the same healthy gateway with an nftables firewall passes too', { skip }, () => {
  const r = doctorIn('healthy', [], { GW_FIREWALL: 'nft' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(problemLines(r.stdout), []);
});

test('--json: one document with the verdict and every check', { skip }, () => {
  const r = doctorIn('arp-filter', ['--json']);
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as { schema: string; verdict: string; checks: { id: string; status: string; fix: string[] }[] };
  assert.equal(doc.schema, 'anycast-probe/doctor/v1');
  assert.equal(doc.verdict, 'problems');
  assert.deepEqual(
    doc.checks.filter((c) => c.status === 'fail').map((c) => [c.id, c.fix]),
    [['arp-filter', ['sysctl -w net.ipv4.conf.all.arp_filter=1']]],
  );
});

/** Each broken setting, the check(s) it must fail and the fix each names. */
const BROKEN: readonly [string, RegExp[]][] = [
  [
    'no-forwarding',
    [/^✘ IP forwarding on: net\.ipv4\.ip_forward=0, net\.ipv6\.conf\.all\.forwarding=1 — expected both 1 — fix: sysctl -w net\.ipv4\.ip_forward=1$/],
  ],
  ['arp-filter', [/^✘ arp_filter on: all=0 .* — fix: sysctl -w net\.ipv4\.conf\.all\.arp_filter=1$/]],
  ['rp-filter', [/^✘ rp_filter off .*: fftr-gw-anycast 1, br-fftr 0 .* — fix: sysctl -w net\.ipv4\.conf\.fftr-gw-anycast\.rp_filter=0$/]],
  [
    'no-source-rule',
    [
      /^✘ ip rule from the anycast IP \[10\.172\.0\.10\]: no rule from 10\.172\.0\.10; .* — fix: ip rule add from 10\.172\.0\.10\/32 table anycast priority 99$/,
    ],
  ],
  [
    'no-source-route',
    [/^✘ route to the mesh via the anycast interface \[10\.172\.0\.10\]: .* — fix: ip route add 10\.172\.0\.0\/16 dev fftr-gw-anycast table anycast$/],
  ],
  // The kernel drops the routes of an interface that goes down: the anycast table's route has to be added again.
  [
    'anycast-down',
    [
      /^✘ anycast interface is up: DOWN .* — fix: ip link set dev fftr-gw-anycast up$/,
      /^✘ route to the mesh via the anycast interface .* — fix: ip route add 10\.172\.0\.0\/16 dev fftr-gw-anycast table anycast$/,
    ],
  ],
  [
    'dad-on',
    [
      /^✘ duplicate address detection off \[2001:bf7:fc0f::10\]: .* — fix: sysctl -w net\.ipv6\.conf\.fftr-gw-anycast\.dad_transmits=0; ip -6 addr del .*; ip -6 addr add 2001:bf7:fc0f::10\/128 dev fftr-gw-anycast nodad$/,
    ],
  ],
  [
    'firewall-anycast',
    [
      /^✘ firewall rule for the bridge also for the anycast interface \[.*-i br-fftr -o tun0 -j ACCEPT\]: .* — fix: iptables -t filter -I FORWARD 2 -i fftr-gw-anycast -o tun0 -j ACCEPT$/,
    ],
  ],
  ['field', [/^! firewall return path not limited to ESTABLISHED,RELATED .* — fix: iptables -t filter -I FORWARD 3 -i tun0 -o br-fftr -j ACCEPT$/]],
  ['invalid-drop', [/^! firewall does not drop conntrack INVALID .* — fix: iptables -t filter -D FORWARD -m conntrack --ctstate INVALID -j DROP$/]],
  [
    'uplink-rule',
    [
      /^✘ uplink rule also matches the anycast interface \[IPv4 101: from all iif br-fftr lookup VPN\]: .* — fix: ip rule add iif fftr-gw-anycast table VPN priority 101$/,
    ],
  ],
  [
    'macvlan-private',
    [
      /^✘ anycast interface is a macvlan on the mesh bridge: macvlan fftr-gw-anycast on br-fftr, mode private: .* — fix: ip link del fftr-gw-anycast; ip link add link br-fftr name fftr-gw-anycast address 26:61:96:60:00:dc type macvlan mode bridge; ip addr add 10\.172\.0\.10\/16 dev fftr-gw-anycast; ip addr add 2001:bf7:fc0f::10\/128 dev fftr-gw-anycast nodad; ip link set dev fftr-gw-anycast up$/,
    ],
  ],
  [
    'dhcp-router',
    [
      /^✘ DHCP router\/DNS options are the anycast IP .*router 10\.172\.0\.1 .* — fix: sed -i 's\/option routers \[\^;\]\*;\/option routers 10\.172\.0\.10;\/' .*dhcpd\.conf; systemctl restart isc-dhcp-server$/,
    ],
  ],
  [
    'radv-bridge',
    [
      /^✘ router advertisements from the anycast interface .*interfaces br-fftr.* — fix: sed -i 's\/interface "br-fftr"\/interface "fftr-gw-anycast"\/' .*bird6\.conf; birdc6 configure$/,
    ],
  ],
];

for (const [brk, expected] of BROKEN) {
  test(`a gateway with ${brk} broken exits 1 naming exactly that check and its fix`, { skip }, () => {
    const r = doctorIn(brk);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = problemLines(r.stdout);
    assert.equal(lines.length, expected.length, lines.join('\n'));
    expected.forEach((re, i) => {
      assert.match(lines[i]!, re);
    });
  });
}

test('a bridge that does not exist cannot be checked: exit 2, one line naming it and the interfaces there are', { skip }, () => {
  const r = doctorIn('healthy', ['--bridge', 'br-nosuch']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^anycast-probe: --bridge: bridge "br-nosuch" does not exist \(interfaces here: lo, br-fftr, .*\)\n$/);
});

test('without root the firewall cannot be read: exit 2, could not check, saying to run as root', {
  skip: skip || (!has('setpriv') && 'needs setpriv (util-linux)'),
}, () => {
  const r = doctorIn('healthy', [], {}, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /^– firewall rule for the bridge also for the anycast interface: not checked: .*permission denied \(run doctor as root\)$/m);
  assert.match(r.stdout, /^COULD NOT CHECK: 3 check\(s\) could not read what they need \(run as root\?\); \d+ passed\.$/m);
});

/** Daemons do not run in the test's namespace: their reload commands are the only fix commands not run. */
const DAEMON_RELOAD = /^(systemctl|birdc6?) /;
const MAX_ROUNDS = 3;

const FIXABLE: readonly [string, NodeJS.ProcessEnv][] = [
  ...BROKEN.map(([brk]) => [brk, {}] as [string, NodeJS.ProcessEnv]),
  ['firewall-anycast', { GW_FIREWALL: 'nft' }],
  ['firewall-anycast,field', { GW_FIREWALL: 'legacy' }],
  ['field,invalid-drop', { GW_FIREWALL: 'nft' }],
  ['field,arp-filter,no-source-rule,firewall-anycast,dad-on,uplink-rule', {}],
];

for (const [brk, env] of FIXABLE) {
  test(`the fix commands doctor names for ${brk}${env.GW_FIREWALL !== undefined ? ` (firewall: ${env.GW_FIREWALL})` : ''} make the gateway healthy, run as printed`, {
    skip: skip || (env.GW_FIREWALL === 'legacy' && !has('iptables-legacy-save') && 'needs iptables-legacy'),
  }, () => {
    withGateway(brk, env, (ns, conf) => {
      const applied: string[] = [];
      // As the README says: apply the fixes, run doctor again (a recreated interface loses its routes).
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const r = doctorRun(ns, conf, ['--json']);
        if (r.status === 0) return;
        assert.equal(r.status, 1, r.stderr);
        const doc = JSON.parse(r.stdout) as { checks: { status: string; fix: string[] }[] };
        for (const cmd of doc.checks.filter((c) => c.status === 'fail' || c.status === 'warn').flatMap((c) => c.fix)) {
          if (DAEMON_RELOAD.test(cmd)) continue;
          const done = run('ip', ['netns', 'exec', ns, 'sh', '-c', cmd]);
          assert.equal(done.status, 0, `${cmd}: ${done.stderr}`);
          applied.push(cmd);
        }
      }
      assert.fail(`still not healthy after ${MAX_ROUNDS} rounds; applied:\n${applied.join('\n')}\n${doctorRun(ns, conf, []).stdout}`);
    });
  });
}

/**
 * A host as a new user has it: eth0 (a veth with an address, no bridge), then the same with a
 * bridge br-fftr beside it and bat0 as its port; any0, a macvlan on eth0. Namespace acpnu-PID-doc,
 * removed in `finally`.
 */
function withPlainHost<T>(withBridge: boolean, use: (ns: string) => T): T {
  const ns = `acpnu-${process.pid}-doc`;
  const ip = (...args: string[]): void => {
    const r = run('ip', ['-n', ns, ...args]);
    assert.equal(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
  };
  try {
    assert.equal(run('ip', ['netns', 'add', ns]).status, 0);
    ip('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0-peer');
    ip('addr', 'add', '10.172.1.1/16', 'dev', 'eth0');
    ip('link', 'add', 'link', 'eth0', 'name', 'any0', 'type', 'macvlan', 'mode', 'bridge');
    if (withBridge) {
      ip('link', 'add', 'br-fftr', 'type', 'bridge');
      ip('link', 'add', 'bat0', 'type', 'veth', 'peer', 'name', 'bat0-peer');
      ip('link', 'set', 'bat0', 'master', 'br-fftr');
    }
    return use(ns);
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}

function doctorOn(ns: string, args: string[]): Run {
  return run('ip', ['netns', 'exec', ns, process.execPath, cliPath, 'doctor', ...args]);
}

test('doctor --bridge on an interface that is not a bridge says so in one line, naming what to pass instead, exit 2 (text and --json)', {
  skip,
}, () => {
  withPlainHost(false, (ns) => {
    for (const json of [[], ['--json']]) {
      const r = doctorOn(ns, ['--bridge', 'eth0', ...json]);
      assert.equal(r.status, 2, r.stdout);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'anycast-probe: --bridge eth0: eth0 is not a bridge (kind veth), and this host has none: run doctor on a gateway and pass its mesh bridge (--bridge br-fftr)\n',
      );
    }
    const stacked = doctorOn(ns, ['--anycast-interface', 'any0']);
    assert.equal(stacked.status, 2, stacked.stdout);
    assert.equal(
      stacked.stderr,
      'anycast-probe: --anycast-interface any0: it sits on eth0, which is not a bridge (kind veth), and this host has none: run doctor on a gateway and pass its mesh bridge (--bridge br-fftr)\n',
    );
  });
  withPlainHost(true, (ns) => {
    const port = doctorOn(ns, ['--bridge', 'bat0']);
    assert.equal(port.status, 2, port.stdout);
    assert.equal(port.stderr, 'anycast-probe: --bridge bat0: bat0 is not a bridge (kind veth): it is a port of br-fftr, pass --bridge br-fftr\n');
    const plain = doctorOn(ns, ['--bridge', 'eth0']);
    assert.equal(plain.stderr, 'anycast-probe: --bridge eth0: eth0 is not a bridge (kind veth): pass the mesh bridge (bridges here: br-fftr)\n');
  });
});
