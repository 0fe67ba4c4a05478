import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unicastNeighborAdvert } from '../../src/detect/unicast-neighbor-advert.js';
import { macNum } from '../support/decode.js';
import { neighborAdvertFrame, PLAN, planConfig, runDetector } from '../support/detect.js';

const { anycastIp6, anycastMac, gw1, c1 } = PLAN;
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
