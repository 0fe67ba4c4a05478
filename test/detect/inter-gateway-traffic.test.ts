import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingOf } from '../../src/detect/findings.js';
import { interGatewayTraffic, type InterGatewayTrafficEvidence } from '../../src/detect/inter-gateway-traffic.js';
import { PLAN, planConfig, runDetector, segmentFrame, type TestFrame } from '../support/detect.js';

const { gw1, gw2, c1, server } = PLAN;

function between(from: string, to: string, n: number, start: number): TestFrame[] {
  return Array.from({ length: n }, (_, i) =>
    segmentFrame({ ethSrc: from, ethDst: to, src: c1.ip, dst: server, sport: 1000, dport: 80, proto: 'udp' }, start + i * 0.001),
  );
}

test('frames between two gateways are counted per ordered pair; above the share and 100 packets it is a warning', () => {
  const run = runDetector(interGatewayTraffic, planConfig({ gateways: true }), [...between(gw1.mac, gw2.mac, 120, 1), ...between(gw2.mac, gw1.mac, 3, 2)]);
  const pairs = run.detector.pairs;
  assert.deepEqual(
    pairs.map((p) => [p.from, p.to, p.packets, p.peakPerSecond]),
    [
      [0, 1, 120, 120],
      [1, 0, 3, 3],
    ],
  );
  const findings = run.findings as FindingOf<InterGatewayTrafficEvidence>[];
  assert.deepEqual(
    findings.map((f) => [f.severity, f.count]),
    [
      ['warning', 120],
      ['info', 3],
    ],
  );
  assert.equal(findings[0]!.evidence.share, pairs[0]!.bytes / run.detector.totalBytes);
});

test('a small exchange between gateways stays info, and traffic with clients is not counted', () => {
  const clientFrames = Array.from({ length: 50 }, (_, i) =>
    segmentFrame({ ethSrc: c1.mac, ethDst: gw1.mac, src: c1.ip, dst: server, sport: 1000, dport: 80, proto: 'udp' }, i),
  );
  const run = runDetector(interGatewayTraffic, planConfig({ gateways: true }), [...between(gw1.mac, gw2.mac, 99, 1), ...clientFrames]);
  assert.deepEqual(
    run.findings.map((f) => [f.severity, f.count]),
    [['info', 99]],
  );
  assert.equal(run.detector.totalPackets, 149);
  assert.equal(run.observed, 149, 'needs 0: every frame reaches it');
});
