import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath, repoRoot } from '../support/paths.js';

/**
 * `probe` as a new user meets it, against the real kernel in two namespaces
 * of this file's own (acpnu-PID-a, acpnu-PID-b, removed in `after`):
 *
 *   a: eth0 02:00:00:00:0c:01 10.172.1.1/16 ── veth ── b: eth0 02:00:00:00:01:01 10.172.0.10/16
 *
 * b holds the address probed as the anycast IP on its own MAC, as a single
 * gateway's anycast macvlan would, or a gateway's bridge answering for it
 * (arp_filter off, the source route missing): one MAC answering each request
 * once, which from here cannot be told apart. 10.172.0.99 is nobody's.
 * Traffic stays on the veth; probe sends at most 2 rounds.
 */

const NS_A = `acpnu-${process.pid}-a`;
const NS_B = `acpnu-${process.pid}-b`;
const B_MAC = '02:00:00:00:01:01';
const QUICK = ['--count', '2', '--interval', '0.2', '--timeout', '0.5'];

const isRoot = process.getuid?.() === 0;
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const haveCap = fs.existsSync(path.join(repoRoot, 'node_modules', 'cap', 'build', 'Release', 'cap.node'));
const skip = !isRoot
  ? 'needs root (network namespaces)'
  : !has('ip') || !has('tcpdump')
    ? 'needs iproute2 and tcpdump'
    : !haveCap
      ? 'needs the cap binding to send'
      : false;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(args: string[]): void {
  const r = run('ip', args);
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

function probe(args: string[]): Run {
  return run('ip', ['netns', 'exec', NS_A, process.execPath, cliPath, 'probe', 'eth0', ...QUICK, ...args]);
}

interface ProbeDoc {
  verdict: string;
  anycast: { mac: string | null; macSource: string; echoTo: string | null };
  answers: { kind: string; mac: string; anycastMac: boolean | null; replies: number }[];
  problems: string[];
  framesCaptured: number;
  analysis: { verdict: string; findings: { kind: string; mac: string | null; severity: string }[] } | null;
}

/** The lines of a text report that give a verdict: there must be one. */
function verdictLines(text: string): string[] {
  return text.split('\n').filter((l) => /^(HEALTHY|PROBLEMS|NO VERDICT)\b/.test(l));
}

describe('probe from a client in a namespace', { skip }, () => {
  before(() => {
    for (const ns of [NS_A, NS_B]) {
      must(['netns', 'add', ns]);
      must(['netns', 'exec', ns, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
    must(['-n', NS_A, 'link', 'add', 'eth0', 'address', '02:00:00:00:0c:01', 'type', 'veth', 'peer', 'name', 'eth0', 'address', B_MAC, 'netns', NS_B]);
    must(['-n', NS_A, 'addr', 'add', '10.172.1.1/16', 'dev', 'eth0']);
    must(['-n', NS_B, 'addr', 'add', '10.172.0.10/16', 'dev', 'eth0']);
    must(['-n', NS_A, 'link', 'set', 'eth0', 'up']);
    must(['-n', NS_B, 'link', 'set', 'eth0', 'up']);
  });
  after(() => {
    for (const ns of [NS_A, NS_B]) run('ip', ['netns', 'del', ns]);
  });

  test('with no --anycast-mac, the one MAC that answered each request once is not called the anycast MAC: no verdict, exit 3, naming it and --anycast-mac', () => {
    const r = probe(['--anycast-ip', '10.172.0.10', '--json']);
    assert.equal(r.status, 3, r.stderr);
    const doc = JSON.parse(r.stdout) as ProbeDoc;
    assert.equal(doc.verdict, 'unsure');
    assert.deepEqual([doc.anycast.mac, doc.anycast.macSource, doc.anycast.echoTo], [null, 'unknown', B_MAC]);
    assert.deepEqual(
      doc.answers.map((a) => [a.kind, a.mac, a.anycastMac]),
      [
        ['arp', B_MAC, null],
        ['echo', B_MAC, null],
      ],
    );
    assert.deepEqual(doc.problems, []);
    // What the detectors would say depends on the same unknown: they do not judge, so nothing contradicts.
    assert.equal(doc.analysis, null);
    assert.ok(doc.framesCaptured >= 8, String(doc.framesCaptured));

    const text = probe(['--anycast-ip', '10.172.0.10']);
    assert.equal(text.status, 3, text.stderr);
    assert.deepEqual(verdictLines(text.stdout), [
      `NO VERDICT: cannot tell whether ${B_MAC}, the only MAC that answered ARP for 10.172.0.10 (2 replies to 2 requests), is the anycast MAC: a single gateway's anycast MAC answers once per request, and so does a gateway's bridge (arp_filter off, or the source route missing); give --anycast-mac MAC to settle it.`,
    ]);
    assert.doesNotMatch(text.stdout, /the anycast MAC\b.*│|UNICAST/);
    assert.match(
      text.stdout,
      /\nThe detectors did not judge the \d+ frames captured meanwhile: they need the anycast MAC, which is not known \(give --anycast-mac\)\.\n$/,
    );
  });

  test('--anycast-mac settles it: the MAC that answered healthy, exit 0; another one makes it a unicast answer, exit 1, and the detectors agree', () => {
    const same = probe(['--anycast-ip', '10.172.0.10', '--anycast-mac', B_MAC, '--json']);
    assert.equal(same.status, 0, same.stdout);
    const healthy = JSON.parse(same.stdout) as ProbeDoc;
    assert.equal(healthy.verdict, 'healthy');
    assert.ok(healthy.answers.every((a) => a.anycastMac === true));
    assert.deepEqual(
      healthy.analysis?.findings.filter((f) => f.severity !== 'info'),
      [],
    );

    const other = probe(['--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01', '--json']);
    assert.equal(other.status, 1, other.stdout);
    const unicast = JSON.parse(other.stdout) as ProbeDoc;
    assert.equal(unicast.verdict, 'problems');
    assert.ok(unicast.problems.includes('unicast-arp-answer'), unicast.problems.join());
    assert.ok(unicast.analysis?.findings.some((f) => f.kind === 'unicast-arp-reply' && f.mac === B_MAC));
  });

  test('an address nothing answers is one verdict, PROBLEMS, exit 1, with or without --anycast-mac (text and --json)', () => {
    for (const mac of [[], ['--anycast-mac', '02:ca:fe:00:00:01']]) {
      const r = probe(['--anycast-ip', '10.172.0.99', ...mac]);
      assert.equal(r.status, 1, r.stdout);
      assert.deepEqual(verdictLines(r.stdout), ['PROBLEMS: nothing answered ARP or NS for the anycast IP: no anycast gateway reachable from here.'], r.stdout);
      assert.doesNotMatch(r.stdout, /HEALTHY|answered only by/);
      const j = probe(['--anycast-ip', '10.172.0.99', '--json', ...mac]);
      assert.equal(j.status, 1);
      const doc = JSON.parse(j.stdout) as ProbeDoc;
      assert.equal(doc.verdict, 'problems');
      assert.equal(doc.problems[0], 'no-arp-answer');
      assert.deepEqual(doc.answers, []);
      assert.deepEqual(doc.analysis?.findings.filter((f) => f.severity !== 'info') ?? [], []);
    }
  });
});
