import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anycastReplyUnicastMac, type AnycastReplyUnicastMacEvidence } from '../../src/detect/anycast-reply-unicast-mac.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { macNum } from '../support/decode.js';
import { echo6Frame, echoFrame, neighborAdvertFrame, PLAN, planConfig, runDetector } from '../support/detect.js';

const { anycastIp, anycastIp6, anycastMac, gw1, c1, server } = PLAN;

test('an echo reply from the anycast IP sent with a unicast MAC is one finding for that gateway, naming the client', () => {
  const run = runDetector(anycastReplyUnicastMac, planConfig(), [
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, seq: 1 }, 1),
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, seq: 2 }, 2),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<AnycastReplyUnicastMacEvidence>;
  assert.equal(f.kind, 'anycast-reply-unicast-mac');
  assert.equal(f.cause, 'source-route-missing');
  assert.equal(f.count, 2);
  assert.equal(f.mac, macNum(gw1.mac));
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
  assert.equal(f.evidence.protocol, 1);
  assert.equal(run.ctx.gateways.get(f.gateway).evidence, 'sourced-anycast-ip');
});

test('replies from the anycast IP with the anycast MAC, and forwarded replies from a unicast MAC, are healthy', () => {
  const run = runDetector(anycastReplyUnicastMac, planConfig(), [
    echoFrame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp, dst: c1.ip }, 1),
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: server, dst: c1.ip }, 2),
  ]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 2);
});

test('IPv6: an echo reply from the anycast address with a unicast MAC is a finding; neighbor discovery is left to unicast-neighbor-advert', () => {
  const config = planConfig({ ipv6: true });
  const run = runDetector(anycastReplyUnicastMac, config, [
    neighborAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: 'fd00::c1', target: anycastIp6, tlla: gw1.mac }, 1),
    echo6Frame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp6, dst: 'fd00::c1' }, 2),
  ]);
  assert.equal(run.findings.length, 1);
  assert.deepEqual(run.findings[0]!.frames, [2]);
  assert.deepEqual([...(run.findings[0]!.anycastIpv6 ?? [])], [...config.anycastIpv6[0]!]);
});
