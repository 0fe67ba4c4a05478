import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asymmetricReply, type AsymmetricReplyEvidence, type GatewaySwitchEvidence } from '../../src/detect/asymmetric-reply.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip4, macNum } from '../support/decode.js';
import { echoFrame, PLAN, planConfig, runDetector, segmentFrame } from '../support/detect.js';

const { anycastMac, gw1, gw2, c1, server } = PLAN;

test('an echo request sent to one gateway answered from another is asymmetric-reply, naming both', () => {
  const run = runDetector(asymmetricReply, planConfig({ gateways: true }), [
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: gw1.mac, src: c1.ip, dst: server, seq: 7 }, 1),
    echoFrame({ type: 'reply', ethSrc: gw2.mac, ethDst: c1.mac, src: server, dst: c1.ip, seq: 7 }, 1.01),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<AsymmetricReplyEvidence>;
  assert.equal(f.kind, 'asymmetric-reply');
  assert.equal(f.severity, 'warning');
  assert.deepEqual([run.ctx.gateways.get(f.gateway).name, run.ctx.gateways.get(f.otherGateway).name], ['gw2', 'gw1']);
  assert.equal(f.mac, macNum(gw2.mac));
  assert.deepEqual([f.evidence.exampleClient, f.evidence.exampleServer], [ip4(c1.ip), ip4(server)]);
});

test("a request to the anycast MAC answered from a gateway's unicast MAC is the healthy forwarded case: no finding, the gateway is learned", () => {
  const run = runDetector(asymmetricReply, planConfig(), [
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: server }, 1),
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: server, dst: c1.ip }, 1.01),
  ]);
  assert.deepEqual(run.findings, []);
  assert.deepEqual(
    run.ctx.gateways.list.map((g) => [g.macs[0], g.evidence]),
    [[macNum(gw1.mac), 'answered-anycast-traffic']],
  );
});

test('a reply from the gateway the request went to, or to another echo, is no finding', () => {
  const run = runDetector(asymmetricReply, planConfig({ gateways: true }), [
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: gw1.mac, src: c1.ip, dst: server, seq: 1 }, 1),
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: server, dst: c1.ip, seq: 1 }, 1.01),
    echoFrame({ type: 'reply', ethSrc: gw2.mac, ethDst: c1.mac, src: server, dst: c1.ip, seq: 2 }, 1.02),
  ]);
  assert.deepEqual(run.findings, []);
});

test('a TCP flow answered first by one gateway, then by another, is gateway-switch', () => {
  const out = { ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: server, sport: 40000, dport: 443 };
  const back = (gw: string) => ({ ethSrc: gw, ethDst: c1.mac, src: server, dst: c1.ip, sport: 443, dport: 40000 });
  const run = runDetector(asymmetricReply, planConfig({ gateways: true }), [
    segmentFrame(out, 1),
    segmentFrame(back(gw1.mac), 1.01),
    segmentFrame(out, 2),
    segmentFrame(back(gw2.mac), 2.01),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<GatewaySwitchEvidence>;
  assert.equal(f.kind, 'gateway-switch');
  assert.deepEqual([run.ctx.gateways.get(f.gateway).name, run.ctx.gateways.get(f.otherGateway).name], ['gw2', 'gw1']);
  assert.deepEqual([f.evidence.client, f.evidence.server], [ip4(c1.ip), ip4(server)]);
  // Near miss: the same flow answered by one gateway throughout.
  const steady = runDetector(asymmetricReply, planConfig({ gateways: true }), [
    segmentFrame(out, 1),
    segmentFrame(back(gw1.mac), 1.01),
    segmentFrame(out, 2),
    segmentFrame(back(gw1.mac), 2.01),
  ]);
  assert.deepEqual(steady.findings, []);
});
