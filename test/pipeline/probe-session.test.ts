import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyFrameRecord, type FrameRecord } from '../../src/core/frame-record.js';
import { LinkType } from '../../src/core/link-type.js';
import type { ProbePlan, ProbeResult } from '../../src/core/probe.js';
import { LivePipeline } from '../../src/pipeline/live-pipeline.js';
import { PROBE_LIMITS, ProbeCollector, runProbe, settleAnycastMac } from '../../src/pipeline/probe-session.js';
import type { LiveCapture } from '../../src/source/live-cap.js';
import type { Injector } from '../../src/source/inject.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { probeJson, probeProblems } from '../../src/report/probe-report.js';
import { analysisJson } from '../../src/report/analysis-json.js';
import { ProbeFrames } from '../../src/source/probe-frames.js';
import { ip4, ip6, macNum } from '../support/decode.js';
import { arpFrame, echo6Frame, echoFrame, neighborAdvertFrame, PLAN, planConfig } from '../support/detect.js';
import { selectDetectors } from '../../src/detect/registry.js';

const { anycastIp, anycastMac, gw1, c1 } = PLAN;

const plan: ProbePlan = {
  sourceMac: macNum(c1.mac),
  sourceIp: ip4(c1.ip),
  anycastIpv4: [ip4(anycastIp)],
  anycastIpv6: [],
  sourceIpv6: null,
  anycastMac: macNum(anycastMac),
  count: 1,
  interval: 0.5,
  timeout: 1,
  echoId: 0x4242,
};

function record(bytes: Uint8Array, t: number, n: number): FrameRecord {
  const r = emptyFrameRecord();
  r.number = n;
  r.tsSec = Math.floor(t);
  r.tsNsec = Math.round((t - Math.floor(t)) * 1e9);
  r.data = bytes;
  r.capLen = bytes.length;
  r.wireLen = bytes.length;
  r.linkType = LinkType.ethernet;
  return r;
}

/** A classic little-endian µs pcap (Ethernet) of `frames`, one second apart, for tcpdump to read back. */
function classicPcap(frames: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const records = frames.map((b, i) => {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(i + 1, 0);
    h.writeUInt32LE(b.length, 8);
    h.writeUInt32LE(b.length, 12);
    return Buffer.concat([h, b]);
  });
  return Buffer.concat([header, ...records]);
}

test('the ARP request and echo request probe sends are what tcpdump reads: who-has the anycast IP, an echo to the anycast MAC', () => {
  const frames = new ProbeFrames();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-probe-frames-'));
  try {
    const arpLen = frames.arpRequest(plan.sourceMac, plan.sourceIp, plan.anycastIpv4[0]!);
    const arp = frames.buffer.slice(0, arpLen);
    const echoLen = frames.echoRequest(plan.sourceMac, plan.anycastMac, plan.sourceIp, plan.anycastIpv4[0]!, plan.echoId, 7);
    const echo = frames.buffer.slice(0, echoLen);
    // A classic pcap of the two frames, read back by tcpdump -vv (which checks the IP and ICMP checksums).
    const file = path.join(dir, 'probe.pcap');
    fs.writeFileSync(file, classicPcap([arp, echo]));
    const r = spawnSync('tcpdump', ['-nn', '-e', '-vv', '-r', file], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'tcpdump is needed (.ci/run installs it)');
    const lines = r.stdout.split('\n');
    assert.match(lines[0] ?? '', /02:00:00:00:0c:01 > ff:ff:ff:ff:ff:ff, ethertype ARP .*Request who-has 10\.172\.0\.10 tell 10\.172\.1\.1/);
    assert.match(r.stdout, /02:00:00:00:0c:01 > 02:ca:fe:00:00:01, ethertype IPv4/);
    assert.match(r.stdout, /10\.172\.1\.1 > 10\.172\.0\.10: ICMP echo request, id 16962, seq 7, length 40/);
    assert.doesNotMatch(r.stdout, /bad cksum|wrong/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the collector pairs answers with the requests seen in the capture: every answering MAC, its replies and round trips', () => {
  const pipeline = new LivePipeline({ config: planConfig({ gateways: true }), detectors: selectDetectors(undefined), announce: () => undefined });
  const collector = new ProbeCollector(plan, pipeline);
  const frames = new ProbeFrames();
  let n = 0;
  const feed = (bytes: Uint8Array, t: number): void => collector.frame(record(bytes, t, ++n));
  feed(frames.buffer.slice(0, frames.arpRequest(plan.sourceMac, plan.sourceIp, plan.anycastIpv4[0]!)), 10);
  feed(arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes, 10.0001);
  feed(arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes, 10.0003);
  feed(arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes, 10.0004);
  feed(frames.buffer.slice(0, frames.echoRequest(plan.sourceMac, plan.anycastMac, plan.sourceIp, plan.anycastIpv4[0]!, plan.echoId, 1)), 10.5);
  feed(echoFrame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, id: plan.echoId, seq: 1 }, 0).bytes, 10.5002);
  // Someone else's echo reply (another id) is not ours.
  feed(echoFrame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, id: 1, seq: 1 }, 0).bytes, 10.6);
  const summary = collector.answers.map((a) => [a.kind, a.mac, a.replies, Math.round(a.rttMin * 1e6), Math.round(a.rttMax * 1e6)]);
  assert.deepEqual(summary, [
    ['arp', macNum(gw1.mac), 1, 100, 100],
    ['arp', macNum(anycastMac), 2, 300, 400],
    ['echo', macNum(anycastMac), 1, 200, 200],
  ]);
  assert.deepEqual(collector.echoAnswered, [1]);
  assert.equal(collector.mostAnswering(), macNum(anycastMac));
  // The same frames went to the detectors.
  assert.deepEqual(
    pipeline.finish().result.findings.map((f) => f.kind),
    ['unicast-arp-reply'],
  );
});

test('the problems the answers show: a unicast ARP answer, nothing answering, every echo lost', () => {
  const base: ProbeResult = {
    plan,
    anycastMac: plan.anycastMac,
    anycastMacSource: 'given',
    echoMac: plan.anycastMac,
    arpSent: 3,
    echoSent: 3,
    nsSent: 0,
    echo6Sent: 0,
    echoAnswered: [3],
    answers: [],
  };
  const arpAnswer = (mac: number) => ({
    anycastIp: ip4(anycastIp),
    anycastIpv6Index: -1,
    kind: 'arp' as const,
    mac,
    ethernetSource: -1,
    replies: 3,
    rttMin: 0,
    rttMax: 0,
    rttSum: 0,
    rttCount: 0,
  });
  assert.deepEqual(probeProblems({ ...base, answers: [arpAnswer(plan.anycastMac)] }), []);
  assert.deepEqual(probeProblems({ ...base, answers: [arpAnswer(plan.anycastMac), arpAnswer(macNum(gw1.mac))] }), ['unicast-arp-answer']);
  assert.deepEqual(probeProblems({ ...base, echoAnswered: [0] }), ['no-arp-answer', 'echo-unanswered']);
});

test('the neighbor solicitation and ICMPv6 echo probe sends are what tcpdump reads, checksums included', () => {
  const frames = new ProbeFrames();
  const src = Uint32Array.from(ip6('fd00::1:1'));
  const target = Uint32Array.from(ip6('fd00::10'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-probe-frames6-'));
  try {
    const ns = frames.buffer.slice(0, frames.neighborSolicit(plan.sourceMac, src, target));
    const echo = frames.buffer.slice(0, frames.echo6Request(plan.sourceMac, plan.anycastMac, src, target, plan.echoId, 3));
    const file = path.join(dir, 'probe6.pcap');
    fs.writeFileSync(file, classicPcap([ns, echo]));
    const r = spawnSync('tcpdump', ['-nn', '-e', '-vv', '-r', file], { encoding: 'utf8' });
    assert.equal(r.error, undefined, 'tcpdump is needed (.ci/run installs it)');
    assert.match(r.stdout, /02:00:00:00:0c:01 > 33:33:ff:00:00:10, ethertype IPv6/);
    assert.match(r.stdout, /fd00::1:1 > ff02::1:ff00:10: \[icmp6 sum ok\] ICMP6, neighbor solicitation, length 32, who has fd00::10/);
    assert.match(r.stdout, /source link-address option \(1\), length 8 \(1\): 02:00:00:00:0c:01/);
    assert.match(r.stdout, /fd00::1:1 > fd00::10: \[icmp6 sum ok\] ICMP6, echo request, id 16962, seq 3/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the collector counts neighbor advertisements by their target link-layer address and ICMPv6 echo replies, with round trips', () => {
  const plan6: ProbePlan = { ...plan, anycastIpv6: [Uint32Array.from(ip6(PLAN.anycastIp6))], sourceIpv6: Uint32Array.from(ip6('fd00::1:1')) };
  const pipeline = new LivePipeline({ config: planConfig({ gateways: true, ipv6: true }), detectors: selectDetectors(undefined), announce: () => undefined });
  const collector = new ProbeCollector(plan6, pipeline);
  const frames = new ProbeFrames();
  let n = 0;
  const feed = (bytes: Uint8Array, t: number): void => collector.frame(record(bytes, t, ++n));
  feed(frames.buffer.slice(0, frames.neighborSolicit(plan6.sourceMac, plan6.sourceIpv6!, plan6.anycastIpv6[0]!)), 20);
  const na = (tlla: string, t: number): void =>
    feed(neighborAdvertFrame({ ethSrc: tlla, ethDst: c1.mac, src: 'fe80::1', dst: 'fd00::1:1', target: PLAN.anycastIp6, tlla }, 0).bytes, t);
  na(anycastMac, 20.0002);
  na(anycastMac, 20.0003);
  na(gw1.mac, 20.0001);
  feed(frames.buffer.slice(0, frames.echo6Request(plan6.sourceMac, plan6.anycastMac, plan6.sourceIpv6!, plan6.anycastIpv6[0]!, plan6.echoId, 1)), 20.5);
  feed(echo6Frame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: PLAN.anycastIp6, dst: 'fd00::1:1', id: plan6.echoId, seq: 1 }, 0).bytes, 20.5001);
  assert.deepEqual(
    collector.answers.map((a) => [a.kind, a.anycastIpv6Index, a.mac, a.replies, Math.round(a.rttMin * 1e6)]),
    [
      ['na', 0, macNum(anycastMac), 2, 200],
      ['na', 0, macNum(gw1.mac), 1, 100],
      ['echo6', 0, macNum(anycastMac), 1, 100],
    ],
  );
  assert.deepEqual(collector.echoAnswered, [0, 1]);
  assert.equal(collector.mostAnswering(), macNum(anycastMac));
});

test('no plan gets past the ceiling: at most 100 packets in all and never two within 50 ms, whatever rounds and interval it asks for', async () => {
  // What no flag can ask for (the flags stop at 20 rounds, 0.05 s): 10 000 rounds, no interval, two anycast addresses.
  const greedy: ProbePlan = { ...plan, anycastIpv4: [ip4(anycastIp), ip4('10.172.0.11')], count: 10_000, interval: 0, timeout: 0.1 };
  const sentAt: number[] = [];
  const injector: Injector = { send: () => void sentAt.push(performance.now()), sent: () => sentAt.length, close: () => undefined };
  const capture: LiveCapture = {
    engine: 'cap',
    linkType: LinkType.ethernet,
    stop: () => undefined,
    stats: () => ({ received: 0, dropped: undefined, ifDropped: undefined }),
    done: Promise.resolve(),
  };
  const pipeline = new LivePipeline({ config: planConfig({ gateways: true }), detectors: selectDetectors(undefined), announce: () => undefined });
  const result = await runProbe(greedy, capture, injector, new ProbeCollector(greedy, pipeline), () => false);
  assert.equal(sentAt.length, PROBE_LIMITS.maxPackets);
  assert.equal(result.arpSent + result.echoSent, PROBE_LIMITS.maxPackets);
  const gap = 1000 / PROBE_LIMITS.maxPacketsPerSecond;
  for (let i = 1; i < sentAt.length; i++)
    assert.ok(sentAt[i]! - sentAt[i - 1]! >= gap, `packets ${i} and ${i + 1} ${(sentAt[i]! - sentAt[i - 1]!).toFixed(1)} ms apart`);
  // No second holds more than the ceiling: any ceiling + 1 packets span at least a second.
  const n = PROBE_LIMITS.maxPacketsPerSecond;
  for (let i = n; i < sentAt.length; i++)
    assert.ok(sentAt[i]! - sentAt[i - n]! >= 1000, `${n + 1} packets within ${(sentAt[i]! - sentAt[i - n]!).toFixed(1)} ms`);
});

test('the ceiling is the documented one, and flags past it are refused with their range, exit 2', () => {
  assert.deepEqual([PROBE_LIMITS.maxPacketsPerSecond, PROBE_LIMITS.maxPackets], [20, 100]);
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(readme.includes(`at most ${PROBE_LIMITS.maxPacketsPerSecond} packets a second and ${PROBE_LIMITS.maxPackets} in all, whatever the flags`));
  const refused: [string[], RegExp][] = [
    [['--count', '21'], /--count 21: expected rounds from 1 to 20/],
    [['--count', '1e9'], /--count 1000000000: expected rounds from 1 to 20/],
    [['--interval', '0.01'], /--interval 0.01: expected seconds from 0.05 to 10/],
    [['--interval', '0'], /--interval 0: expected seconds from 0.05 to 10/],
    [['--timeout', '11'], /--timeout 11: expected seconds from 0.1 to 10/],
  ];
  for (const [flags, message] of refused) {
    const r = runCli(['probe', 'lo', '--anycast-ip', anycastIp, ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

/**
 * Three rounds of a probe given only the anycast IP, as `probe` runs them: its ARP requests, then
 * `answers(round)`, each reply a built frame; echo requests to the MAC that answered most, and their
 * replies. What probe reports once the analysis of those frames has settled the anycast MAC.
 */
function probeWithoutMac(answers: readonly string[]): ReturnType<typeof probeJson> {
  const unplanned: ProbePlan = { ...plan, anycastMac: -1, count: 3 };
  const config = { ...planConfig(), anycastMacs: [] };
  const pipeline = new LivePipeline({ config, detectors: selectDetectors(undefined), announce: () => undefined });
  const collector = new ProbeCollector(unplanned, pipeline);
  const frames = new ProbeFrames();
  let n = 0;
  const feed = (bytes: Uint8Array, t: number): void => collector.frame(record(bytes, t, ++n));
  for (let round = 0; round < 3; round++) {
    const t = 30 + round * 0.5;
    feed(frames.buffer.slice(0, frames.arpRequest(plan.sourceMac, plan.sourceIp, plan.anycastIpv4[0]!)), t);
    answers.forEach((mac, i) => {
      feed(arpFrame({ op: 'reply', sha: mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0).bytes, t + 0.0001 * (i + 1));
    });
    const to = collector.mostAnswering();
    feed(frames.buffer.slice(0, frames.echoRequest(plan.sourceMac, to, plan.sourceIp, plan.anycastIpv4[0]!, plan.echoId, round + 1)), t + 0.3);
    feed(echoFrame({ type: 'reply', ethSrc: answers[0]!, ethDst: c1.mac, src: anycastIp, dst: c1.ip, id: plan.echoId, seq: round + 1 }, 0).bytes, t + 0.3001);
  }
  const sent: ProbeResult = {
    plan: unplanned,
    anycastMac: -1,
    anycastMacSource: 'unknown',
    echoMac: collector.mostAnswering(),
    arpSent: 3,
    echoSent: 3,
    nsSent: 0,
    echo6Sent: 0,
    echoAnswered: collector.echoAnswered,
    answers: collector.answers,
  };
  const { result: analysis, judgement } = pipeline.finish();
  const read = { input: 'eth0', format: 'live', duplicates: 0, error: undefined, warnings: [], tsDigits: 9, judgedFromFrame: judgement.judgedFromFrame };
  return probeJson(settleAnycastMac(sent, analysis.inferred), 'eth0', analysis.gateways, analysisJson(analysis, pipeline.stats, read));
}

test('without --anycast-mac, one MAC answering each ARP request once is not taken for the anycast MAC, nor are two: no verdict, no detector section', () => {
  for (const answers of [[gw1.mac], [gw1.mac, anycastMac]]) {
    const doc = probeWithoutMac(answers);
    assert.equal(doc.verdict, 'unsure', answers.join());
    assert.deepEqual([doc.anycast.mac, doc.anycast.macSource, doc.anycast.echoTo], [null, 'unknown', gw1.mac]);
    assert.ok(
      doc.answers.every((a) => a.anycastMac === null),
      JSON.stringify(doc.answers),
    );
    assert.deepEqual(doc.problems, []);
    assert.equal(doc.analysis, null);
    assert.equal(doc.framesCaptured, 3 * (3 + answers.length));
  }
});

test('without --anycast-mac, the MAC answering each ARP request once per gateway is the anycast MAC, and the detectors judged with the same one', () => {
  const doc = probeWithoutMac([anycastMac, gw1.mac, anycastMac]);
  assert.deepEqual([doc.anycast.mac, doc.anycast.macSource], [anycastMac, 'answers']);
  assert.equal(doc.verdict, 'problems');
  assert.deepEqual(doc.problems, ['unicast-arp-answer']);
  assert.deepEqual(doc.analysis?.anycast.macs, [anycastMac]);
  const flagged = doc.analysis?.findings.filter((f) => f.kind === 'unicast-arp-reply').map((f) => f.mac);
  assert.deepEqual(flagged, [gw1.mac]);
});
