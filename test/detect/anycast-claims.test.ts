import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anycastClaims } from '../../src/detect/anycast-claims.js';
import { macNum } from '../support/decode.js';
import { arpFrame, neighborAdvertFrame, PLAN, planConfig, runDetector } from '../support/detect.js';

const { anycastIp, anycastIp6, anycastMac, gw1, c1 } = PLAN;

test('every MAC that claimed an anycast IP is listed once, with how it claimed it, and raises no finding', () => {
  const run = runDetector(anycastClaims, planConfig({ ipv6: true }), [
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 2),
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: anycastIp }, 3),
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: c1.ip }, 4),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: gw1.ip, tha: c1.mac, tpa: c1.ip }, 5),
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: 'fd00::c1', target: anycastIp6, tlla: gw1.mac }, 6),
  ]);
  assert.deepEqual(run.findings, []);
  const claims = run.detector.list().map((c) => [c.ipv4 >= 0 ? 'v4' : 'v6', c.mac, c.replies, c.gratuitous, c.requests, c.neighborAdverts, c.firstFrame]);
  assert.deepEqual(claims, [
    ['v4', macNum(anycastMac), 1, 0, 0, 0, 1],
    ['v4', macNum(gw1.mac), 1, 1, 1, 0, 2],
    ['v6', macNum(gw1.mac), 0, 0, 0, 1, 6],
  ]);
});
