import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingOf } from '../../src/detect/findings.js';
import { unicastNeighborAdvert, type UnicastNeighborAdvertEvidence } from '../../src/detect/unicast-neighbor-advert.js';
import { macNum } from '../support/decode.js';
import { neighborAdvertFrame, PLAN, planConfig, runDetector } from '../support/detect.js';

const { anycastIp6, anycastMac, gw1, gw2, c1, c2 } = PLAN;
const client6 = 'fd00::c1';

test('a neighbor advertisement for the anycast IPv6 address with a unicast target MAC is a finding for that gateway', () => {
  const run = runDetector(unicastNeighborAdvert, planConfig({ ipv6: true }), [
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: gw1.mac }, 1),
  ]);
  assert.equal(run.findings.length, 1);
  assert.equal(run.findings[0]!.kind, 'unicast-neighbor-advert');
  assert.equal(run.findings[0]!.mac, macNum(gw1.mac));
  assert.deepEqual(run.findings[0]!.clientMacs, [macNum(c1.mac)]);
});

test('an advertisement with the anycast MAC, or for another address, is no finding', () => {
  const run = runDetector(unicastNeighborAdvert, planConfig({ ipv6: true }), [
    neighborAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: anycastMac }, 1),
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: 'fd00::1', dst: client6, target: 'fd00::1', tlla: gw1.mac }, 2),
  ]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 2);
});

test('without an anycast IPv6 address nothing is judged', () => {
  const run = runDetector(unicastNeighborAdvert, planConfig(), [
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: gw1.mac }, 1),
  ]);
  assert.deepEqual(run.findings, []);
});

test('the override flag tells the two causes apart: set, the address is on the bridge too; clear, proxy NDP — one finding each, with the flags', () => {
  const na = (mac: string, client: { mac: string }, override: boolean, t: number) =>
    neighborAdvertFrame({ ethSrc: mac, ethDst: client.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: mac, override }, t);
  const run = runDetector(unicastNeighborAdvert, planConfig({ ipv6: true, gateways: true }), [
    na(gw1.mac, c1, true, 1),
    na(gw2.mac, c1, false, 2),
    na(gw2.mac, c2, false, 3),
    na(anycastMac, c1, true, 4),
  ]);
  const findings = run.findings as FindingOf<UnicastNeighborAdvertEvidence>[];
  assert.deepEqual(
    findings.map((f) => [f.gateway, f.cause, f.count, f.evidence.override, f.evidence.flags]),
    [
      [0, 'anycast-ipv6-on-bridge', 1, true, 0x60],
      [1, 'proxy-ndp', 2, false, 0x40],
    ],
  );
  assert.deepEqual(findings[1]!.clientMacs, [macNum(c1.mac), macNum(c2.mac)]);
});

test('one gateway answering both ways is two findings, one per cause', () => {
  const run = runDetector(unicastNeighborAdvert, planConfig({ ipv6: true }), [
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: gw1.mac, override: true }, 1),
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: client6, target: anycastIp6, tlla: gw1.mac, override: false }, 2),
  ]);
  assert.deepEqual(
    run.findings.map((f) => [f.mac, f.cause]),
    [
      [macNum(gw1.mac), 'anycast-ipv6-on-bridge'],
      [macNum(gw1.mac), 'proxy-ndp'],
    ],
  );
});
