import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../support/paths.js';

/**
 * `probe` against the real kernel: test/lab/lab.sh builds the lab (acp-*
 * namespaces, removed on exit) and runs `anycast-probe probe eth0` in the
 * client namespace acp-c1 (10.172.1.1), which asks the mesh for the anycast
 * IP: ARP who-has and ICMP echo to the anycast MAC, paced and bounded.
 */

const lab = path.join(repoRoot, 'test', 'lab', 'lab.sh');
/** Namespaces of their own (acp<pid>-*), so a lab run in a CI clone beside this one cannot remove them. */
const labEnv = { ...process.env, LAB_NS_PREFIX: `acp${process.pid}-` };
const isRoot = process.getuid?.() === 0;
const haveTools = spawnSync('sh', ['-c', 'command -v ip && command -v nft && command -v tcpdump'], { stdio: 'ignore' }).status === 0;
let haveCap = false;
try {
  // Sending needs the cap binding (an optional dependency built against libpcap-dev).
  haveCap = fs.existsSync(path.join(repoRoot, 'node_modules', 'cap', 'build', 'Release', 'cap.node'));
} catch {
  haveCap = false;
}
const skip = !isRoot
  ? 'needs root (network namespaces)'
  : !haveTools
    ? 'needs iproute2, nftables and tcpdump'
    : !haveCap
      ? 'needs the cap binding to send'
      : false;

interface ProbeReport {
  verdict: string;
  anycast: { mac: string | null; macSource: string; echoTo: string | null };
  sent: { arp: number; echo: number };
  echo: { sent: number; answered: number; lossPercent: number }[];
  answers: { kind: string; mac: string; anycastMac: boolean | null; replies: number; rttMs: { min: number } | null }[];
  problems: string[];
  analysis: { findings: { kind: string; severity: string; gateway: string | null }[] } | null;
}

function probeLab(scenario: string, args: string[], env: NodeJS.ProcessEnv = labEnv): { report: ProbeReport; rc: number; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-probe-'));
  const out = path.join(dir, `${scenario}.json`);
  try {
    const r = spawnSync('bash', [lab, 'probe-c1', scenario, out, '--json', ...args], { encoding: 'utf8', timeout: 120_000, env });
    assert.equal(r.status, 0, `lab.sh failed: ${r.stderr.slice(-2000)}`);
    const rc = Number(fs.readFileSync(`${out}.rc`, 'utf8').trim());
    const stderr = fs.readFileSync(`${out}.stderr`, 'utf8');
    const text = fs.readFileSync(out, 'utf8');
    assert.notEqual(text, '', `probe printed nothing (exit ${rc}): ${stderr}`);
    return { report: JSON.parse(text) as ProbeReport, rc, stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ARGS = ['--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01', '--count', '3', '--interval', '0.3'];

test('lab healthy: probe from a client sees only the anycast MAC answer ARP and every echo answered', { skip, timeout: 150_000 }, () => {
  const { report, rc } = probeLab('healthy', ARGS);
  assert.equal(report.verdict, 'healthy', JSON.stringify(report.answers));
  assert.equal(rc, 0);
  assert.deepEqual(report.problems, []);
  assert.deepEqual([report.sent.arp, report.sent.echo], [3, 3]);
  const arp = report.answers.filter((a) => a.kind === 'arp');
  assert.deepEqual(
    arp.map((a) => [a.mac, a.anycastMac]),
    [['02:ca:fe:00:00:01', true]],
  );
  // Both gateways' macvlans answer each request.
  assert.equal(arp[0]!.replies, 6);
  assert.ok(arp[0]!.rttMs !== null && arp[0]!.rttMs.min >= 0);
  assert.deepEqual(
    report.echo.map((e) => [e.sent, e.answered, e.lossPercent]),
    [[3, 3, 0]],
  );
  assert.deepEqual(
    report.analysis?.findings.filter((f) => f.severity !== 'info'),
    [],
  );
});

test('lab arp-filter-off-one: probe names gw1 bridge MAC as the one unicast answer, and the detectors agree', { skip, timeout: 150_000 }, () => {
  const { report, rc } = probeLab('arp-filter-off-one', ARGS);
  assert.equal(report.verdict, 'problems');
  assert.equal(rc, 1);
  assert.deepEqual(report.problems, ['unicast-arp-answer']);
  const unicast = report.answers.filter((a) => a.kind === 'arp' && !a.anycastMac).map((a) => a.mac);
  assert.deepEqual(unicast, ['02:00:00:00:01:01']);
  assert.ok(
    report.analysis?.findings.some((f) => f.kind === 'unicast-arp-reply' && f.severity === 'error'),
    JSON.stringify(report.analysis?.findings),
  );
});

test('lab arp-filter-off-both: probe names both gateways bridge MACs', { skip, timeout: 150_000 }, () => {
  const { report } = probeLab('arp-filter-off-both', ARGS);
  const unicast = report.answers
    .filter((a) => a.kind === 'arp' && !a.anycastMac)
    .map((a) => a.mac)
    .sort();
  assert.deepEqual(unicast, ['02:00:00:00:01:01', '02:00:00:00:02:01']);
});

/** These runs' namespaces: acpnu<pid>-* (this file's others use acp<pid>-*). */
const nuEnv = { ...process.env, LAB_NS_PREFIX: `acpnu${process.pid}-` };
const ONLY_IP = ['--anycast-ip', '10.172.0.10', '--count', '3', '--interval', '0.3'];

test("lab no-source-route, no --anycast-mac: gw1's bridge and gw2's anycast macvlan each answer every request once: probe cannot tell which is the anycast MAC, exit 3, and calls neither so", {
  skip,
  timeout: 150_000,
}, () => {
  const { report, rc } = probeLab('no-source-route', ONLY_IP, nuEnv);
  assert.equal(report.verdict, 'unsure', JSON.stringify(report.answers));
  assert.equal(rc, 3);
  assert.deepEqual([report.anycast.mac, report.anycast.macSource], [null, 'unknown']);
  assert.deepEqual(
    report.answers
      .filter((a) => a.kind === 'arp')
      .map((a) => [a.mac, a.anycastMac, a.replies])
      .sort(),
    [
      ['02:00:00:00:01:01', null, 3],
      ['02:ca:fe:00:00:01', null, 3],
    ],
  );
  assert.deepEqual(report.problems, []);
  assert.equal(report.analysis, null);
});

test('lab healthy, no --anycast-mac: the MAC that answered each request once per gateway is the anycast MAC, and the detectors judged with it: healthy, exit 0', {
  skip,
  timeout: 150_000,
}, () => {
  const { report, rc } = probeLab('healthy', ONLY_IP, nuEnv);
  assert.equal(report.verdict, 'healthy', JSON.stringify(report.answers));
  assert.equal(rc, 0);
  assert.deepEqual([report.anycast.mac, report.anycast.macSource], ['02:ca:fe:00:00:01', 'answers']);
  assert.ok(report.answers.every((a) => a.anycastMac === true));
  assert.deepEqual(
    report.analysis?.findings.filter((f) => f.severity !== 'info'),
    [],
  );
});
