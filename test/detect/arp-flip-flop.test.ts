import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arpFlipFlop, type ArpFlipFlopEvidence } from '../../src/detect/arp-flip-flop.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { macNum } from '../support/decode.js';
import { arpFrame, neighborAdvertFrame, PLAN, planConfig, runDetector, type TestFrame } from '../support/detect.js';

const { anycastIp, anycastIp6, anycastMac, gw1, gw2, c1, c2 } = PLAN;

/** A reply telling client `to` that the anycast IP is at `sha`. */
function answer(sha: string, to: { mac: string; ip: string }, t: number): TestFrame {
  return arpFrame({ op: 'reply', sha, spa: anycastIp, tha: to.mac, tpa: to.ip }, t);
}

function only(findings: unknown[]): FindingOf<ArpFlipFlopEvidence> {
  assert.equal(findings.length, 1, `one finding expected, got ${JSON.stringify(findings)}`);
  return findings[0] as FindingOf<ArpFlipFlopEvidence>;
}

test("a client's MAC for the anycast IP going from a gateway's unicast MAC to the anycast MAC and back is one flip-flop", () => {
  const run = runDetector(arpFlipFlop, planConfig({ gateways: true }), [
    answer(gw1.mac, c1, 0),
    answer(anycastMac, c1, 5),
    answer(gw1.mac, c1, 10),
    answer(anycastMac, c1, 20),
  ]);
  const f = only(run.findings);
  assert.equal(f.kind, 'arp-flip-flop');
  assert.equal(f.cause, 'anycast-and-unicast-answer');
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw1');
  assert.equal(f.otherGateway, -1);
  assert.deepEqual([f.evidence.macA, f.evidence.macB], [macNum(anycastMac), macNum(gw1.mac)]);
  // 0 → 5 is the first change; 10 and 20 each change back.
  assert.deepEqual([f.evidence.flips, f.count, f.evidence.everyHostFlips], [2, 2, 0]);
  assert.equal(f.evidence.shortestSeconds, 5);
  assert.deepEqual(f.frames, [3, 4]);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
});

test('the bridge and the macvlan answering the same request are one learning, not a flip: the kernel keeps the first answer', () => {
  const frames: TestFrame[] = [];
  for (let i = 0; i < 5; i++) frames.push(answer(gw1.mac, c1, i * 10), answer(anycastMac, c1, i * 10 + 0.002));
  assert.deepEqual(runDetector(arpFlipFlop, planConfig({ gateways: true }), frames).findings, []);
});

test('several gateways answering with the anycast MAC is healthy: no flip-flop', () => {
  const run = runDetector(arpFlipFlop, planConfig({ gateways: true }), [
    arpFrame({ op: 'reply', ethSrc: anycastMac, sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 0),
    arpFrame({ op: 'reply', ethSrc: anycastMac, sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 5),
    answer(anycastMac, c2, 6),
    answer(anycastMac, c1, 30),
  ]);
  assert.deepEqual(run.findings, []);
});

test('a change back after the window is not a flip-flop; a longer --flip-flop-window makes it one', () => {
  const frames = [answer(gw1.mac, c1, 0), answer(anycastMac, c1, 10), answer(gw1.mac, c1, 71)];
  assert.deepEqual(runDetector(arpFlipFlop, planConfig({ gateways: true }), frames).findings, []);
  const config = planConfig({ gateways: true });
  config.flipFlopWindow = 120;
  assert.equal(only(runDetector(arpFlipFlop, config, frames).findings).evidence.windowSeconds, 120);
});

test("two gateways' unicast MACs in turn name both gateways, and the flips of different clients add up", () => {
  const run = runDetector(arpFlipFlop, planConfig({ gateways: true }), [
    answer(gw1.mac, c1, 0),
    answer(gw2.mac, c2, 0.5),
    answer(gw2.mac, c1, 3),
    answer(gw1.mac, c2, 3.5),
    answer(gw1.mac, c1, 6),
    answer(gw2.mac, c2, 6.5),
  ]);
  const f = only(run.findings);
  assert.equal(f.cause, 'unicast-gateways-answer');
  assert.deepEqual([run.ctx.gateways.get(f.gateway).name, run.ctx.gateways.get(f.otherGateway).name], ['gw1', 'gw2']);
  assert.equal(f.evidence.flips, 2);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac), macNum(c2.mac)]);
});

test('gratuitous ARPs from the bridge and the macvlan in turn flip what every host hears, at once, even within the lock time', () => {
  const garp = (sha: string, t: number): TestFrame => arpFrame({ op: 'request', sha, spa: anycastIp, tpa: anycastIp }, t);
  const run = runDetector(arpFlipFlop, planConfig({ gateways: true }), [garp(anycastMac, 0), garp(gw2.mac, 0.2), garp(anycastMac, 0.4)]);
  const f = only(run.findings);
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw2');
  assert.deepEqual([f.evidence.flips, f.evidence.everyHostFlips, f.clientCount], [1, 1, 0]);
});

test('a neighbor advertisement changes the MAC only with its override flag: flips need it', () => {
  const na = (tlla: string, override: boolean, t: number): TestFrame =>
    neighborAdvertFrame({ ethSrc: tlla, ethDst: c1.mac, src: 'fe80::1', dst: 'fe80::c1', target: anycastIp6, tlla, override }, t);
  const config = planConfig({ gateways: true, ipv6: true });
  const ignored = runDetector(arpFlipFlop, config, [na(anycastMac, true, 0), na(gw1.mac, false, 5), na(anycastMac, true, 10)]);
  assert.deepEqual(ignored.findings, []);
  const run = runDetector(arpFlipFlop, config, [na(anycastMac, true, 0), na(gw1.mac, true, 5), na(anycastMac, true, 10)]);
  const f = only(run.findings);
  assert.equal(f.anycastIpv4, -1);
  assert.notEqual(f.anycastIpv6, null);
  assert.equal(f.evidence.flips, 1);
});
