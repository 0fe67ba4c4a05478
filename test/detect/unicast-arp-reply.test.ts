import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unicastArpReply, type UnicastArpReplyEvidence } from '../../src/detect/unicast-arp-reply.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip4, macNum } from '../support/decode.js';
import { arpFrame, PLAN, planConfig, runDetector } from '../support/detect.js';

const { anycastIp, anycastMac, gw1, gw2, c1, c2 } = PLAN;

function only(findings: readonly unknown[]): FindingOf<UnicastArpReplyEvidence> {
  assert.equal(findings.length, 1, `findings: ${JSON.stringify(findings)}`);
  return findings[0] as FindingOf<UnicastArpReplyEvidence>;
}

test('a gateway answering ARP for the anycast IP with its unicast MAC is one finding per gateway, with the clients it told', () => {
  const run = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c2.mac, tpa: c2.ip }, 2),
    arpFrame({ op: 'reply', sha: gw2.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 3),
  ]);
  assert.equal(run.findings.length, 2);
  const f = run.findings[0] as FindingOf<UnicastArpReplyEvidence>;
  assert.equal(f.kind, 'unicast-arp-reply');
  assert.equal(f.severity, 'error');
  assert.equal(f.mac, macNum(gw1.mac));
  assert.equal(f.anycastIpv4, ip4(anycastIp));
  assert.equal(f.count, 2);
  assert.deepEqual(f.frames, [1, 2]);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac), macNum(c2.mac)]);
  assert.equal(f.evidence.replies, 2);
  assert.equal(f.evidence.anycastAlsoAnswered, 0);
  assert.equal(run.ctx.gateways.get(f.gateway).evidence, 'claimed-anycast-ip');
  assert.equal(run.findings[1]!.mac, macNum(gw2.mac));
});

test('the anycast MAC answering the same client within the reply window is counted, whichever answer came first', () => {
  const unicastFirst = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 10.0),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 10.001),
  ]);
  assert.equal(only(unicastFirst.findings).evidence.anycastAlsoAnswered, 1);
  const anycastFirst = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 10.0),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 10.001),
  ]);
  assert.equal(only(anycastFirst.findings).evidence.anycastAlsoAnswered, 1);
  // Near miss: the anycast answer comes after the window, or to another client.
  const apart = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 10.0),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 12.0),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c2.mac, tpa: c2.ip }, 10.0005),
  ]);
  assert.equal(only(apart.findings).evidence.anycastAlsoAnswered, 0);
});

test('several gateways answering with the anycast MAC is healthy: no finding', () => {
  const run = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 1),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.001),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.002),
  ]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 3);
});

test('a gateway answering for its own unicast IP is not judged', () => {
  const run = runDetector(unicastArpReply, planConfig(), [arpFrame({ op: 'reply', sha: gw1.mac, spa: gw1.ip, tha: c1.mac, tpa: c1.ip }, 1)]);
  assert.deepEqual(run.findings, []);
});

test('a gratuitous ARP and a request sent with the anycast IP as sender are counted apart', () => {
  const run = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: anycastIp }, 1),
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: c1.ip }, 2),
  ]);
  const e = only(run.findings).evidence;
  assert.deepEqual([e.gratuitous, e.broadcast, e.requests, e.replies], [1, true, 1, 0]);
});

test('an anycast-MAC ARP body sent from a unicast Ethernet source blames that source', () => {
  const run = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', ethSrc: gw1.mac, sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
  ]);
  assert.equal(only(run.findings).mac, macNum(gw1.mac));
  // The reverse (unicast body, anycast source) names the body's MAC and counts the mismatch.
  const reverse = runDetector(unicastArpReply, planConfig(), [
    arpFrame({ op: 'reply', ethSrc: anycastMac, sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
  ]);
  assert.equal(only(reverse.findings).mac, macNum(gw1.mac));
  assert.equal(only(reverse.findings).evidence.ethernetSourceMismatch, 1);
});
