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
import { ProbeCollector } from '../../src/pipeline/probe-session.js';
import { probeProblems } from '../../src/report/probe-report.js';
import { ProbeFrames } from '../../src/source/probe-frames.js';
import { ip4, macNum } from '../support/decode.js';
import { arpFrame, echoFrame, PLAN, planConfig } from '../support/detect.js';
import { selectDetectors } from '../../src/detect/registry.js';

const { anycastIp, anycastMac, gw1, c1 } = PLAN;

const plan: ProbePlan = {
  sourceMac: macNum(c1.mac),
  sourceIp: ip4(c1.ip),
  anycastIpv4: [ip4(anycastIp)],
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

test('the ARP request and echo request probe sends are what tcpdump reads: who-has the anycast IP, an echo to the anycast MAC', () => {
  const frames = new ProbeFrames();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-probe-frames-'));
  try {
    const arpLen = frames.arpRequest(plan.sourceMac, plan.sourceIp, plan.anycastIpv4[0]!);
    const arp = frames.buffer.slice(0, arpLen);
    const echoLen = frames.echoRequest(plan.sourceMac, plan.anycastMac, plan.sourceIp, plan.anycastIpv4[0]!, plan.echoId, 7);
    const echo = frames.buffer.slice(0, echoLen);
    // A classic pcap of the two frames, read back by tcpdump -vv (which checks the IP and ICMP checksums).
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    const rec = (b: Uint8Array, sec: number): Buffer => {
      const h = Buffer.alloc(16);
      h.writeUInt32LE(sec, 0);
      h.writeUInt32LE(b.length, 8);
      h.writeUInt32LE(b.length, 12);
      return Buffer.concat([h, b]);
    };
    const file = path.join(dir, 'probe.pcap');
    fs.writeFileSync(file, Buffer.concat([header, rec(arp, 1), rec(echo, 2)]));
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
  assert.equal(collector.mostAnswering(plan.anycastIpv4[0]!), macNum(anycastMac));
  // The same frames went to the detectors.
  assert.deepEqual(
    pipeline.finish().result.findings.map((f) => f.kind),
    ['unicast-arp-reply'],
  );
});

test('the problems the answers show: a unicast ARP answer, nothing answering, every echo lost', () => {
  const base: ProbeResult = { plan, anycastMac: plan.anycastMac, anycastMacSource: 'given', arpSent: 3, echoSent: 3, echoAnswered: [3], answers: [] };
  const arpAnswer = (mac: number) => ({
    anycastIp: ip4(anycastIp),
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
