import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayAnswers } from '../../src/detect/gateway-answers.js';
import { macNum } from '../support/decode.js';
import { arpFrame, neighborAdvertFrame, PLAN, planConfig, routerAdvertFrame, runDetector } from '../support/detect.js';

const { anycastIp, anycastIp6, gw1, gw2, c1 } = PLAN;

test('counts per MAC the ARP replies, NAs and RAs it sent; requests and other frames are not answers', () => {
  const run = runDetector(gatewayAnswers, planConfig({ gateways: true, ipv6: true }), [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: gw1.ip, tha: c1.mac, tpa: c1.ip }, 1.2),
    neighborAdvertFrame({ ethSrc: gw2.mac, ethDst: c1.mac, src: 'fe80::2', dst: 'fe80::c1', target: anycastIp6, tlla: gw2.mac }, 2),
    routerAdvertFrame({ ethSrc: gw2.mac }, 3),
  ]);
  assert.deepEqual(run.detector.of(macNum(gw1.mac)), { mac: macNum(gw1.mac), arp: 2, na: 0, ra: 0, dhcp: 0 });
  assert.deepEqual(run.detector.of(macNum(gw2.mac)), { mac: macNum(gw2.mac), arp: 0, na: 1, ra: 1, dhcp: 0 });
  assert.equal(run.detector.of(macNum(c1.mac)), undefined);
});
