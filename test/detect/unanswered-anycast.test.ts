import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FindingOf } from '../../src/detect/findings.js';
import { unansweredAnycast, type UnansweredAnycastEvidence } from '../../src/detect/unanswered-anycast.js';
import { ip4, macNum } from '../support/decode.js';
import { ETHERTYPE, ethernet, ICMP_TYPE, icmpEcho, IP_PROTO, ipv6 } from '../support/frame-builder.js';
import { arpFrame, echoFrame, neighborAdvertFrame, neighborSolicitFrame, PLAN, planConfig, runDetector, type TestFrame } from '../support/detect.js';

const { anycastIp, anycastMac, gw1, c1, c2, server } = PLAN;

const pingAnycast = (seq: number, t: number): TestFrame =>
  echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: anycastMac, src: c1.ip, dst: anycastIp, seq }, t);
const anycastReply = (seq: number, t: number): TestFrame =>
  echoFrame({ type: 'reply', ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp, dst: c1.ip, seq }, t);
const pingServer = (seq: number, t: number, ethDst: string = anycastMac): TestFrame =>
  echoFrame({ type: 'request', ethSrc: c1.mac, ethDst, src: c1.ip, dst: server, id: 2, seq }, t);
const serverReply = (seq: number, t: number): TestFrame =>
  echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: server, dst: c1.ip, id: 2, seq }, t);
/** A later frame, so the capture goes on past the timeout. */
const later = (t: number): TestFrame => echoFrame({ type: 'request', ethSrc: c2.mac, ethDst: gw1.mac, src: c2.ip, dst: server, id: 9, seq: 1 }, t);

function only(findings: readonly unknown[]): FindingOf<UnansweredAnycastEvidence> {
  assert.equal(findings.length, 1, JSON.stringify(findings));
  return findings[0] as FindingOf<UnansweredAnycastEvidence>;
}

test('forwarded pings lost while pings to the anycast IP are answered: one finding for the client, forwarded dropped', () => {
  const run = runDetector(unansweredAnycast, planConfig(), [pingAnycast(1, 1), anycastReply(1, 1.01), pingServer(1, 2), pingServer(2, 3), later(5)]);
  const f = only(run.findings);
  assert.equal(f.kind, 'unanswered-anycast');
  assert.equal(f.cause, 'forwarded-dropped');
  assert.deepEqual([f.count, f.frames], [2, [3, 4]]);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
  const e = f.evidence;
  assert.deepEqual([e.client, e.clientIpv4, e.toAnycastSent, e.toAnycastLost, e.forwardedSent, e.forwardedLost], [macNum(c1.mac), ip4(c1.ip), 1, 0, 2, 2]);
});

test('pings to the anycast IP that nothing answers: anycast unanswered', () => {
  const run = runDetector(unansweredAnycast, planConfig(), [pingAnycast(1, 1), pingAnycast(2, 2), later(4)]);
  const f = only(run.findings);
  assert.equal(f.cause, 'anycast-unanswered');
  assert.deepEqual([f.evidence.toAnycastSent, f.evidence.toAnycastLost], [2, 2]);
});

test('healthy: forwarded pings answered from a gateway unicast MAC, pings to a unicast gateway, and the last second of the capture are not judged', () => {
  const run = runDetector(unansweredAnycast, planConfig(), [
    pingServer(1, 1),
    serverReply(1, 1.01),
    pingServer(2, 2, gw1.mac), // not sent to the anycast MAC: not this detector's to judge
    later(4),
    pingServer(3, 4.5), // within 1 s of the capture's end: its reply may just not be in the capture
  ]);
  assert.deepEqual(run.findings, []);
});

test("a client's ARP who-has for the anycast IP that no reply reaches is lost, retries each counted; an answered one is not", () => {
  const ask = (t: number): TestFrame => arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, t);
  const answered = runDetector(unansweredAnycast, planConfig(), [
    ask(1),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.001),
    later(4),
  ]);
  assert.deepEqual(answered.findings, []);
  // A reply to another client does not answer c1; a gateway's own request is not a client's question.
  const run = runDetector(unansweredAnycast, planConfig({ gateways: true }), [
    ask(1),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c2.mac, tpa: c2.ip }, 1.001),
    ask(2),
    arpFrame({ op: 'request', sha: gw1.mac, spa: gw1.ip, tpa: anycastIp }, 2.5),
    later(5),
  ]);
  const f = only(run.findings);
  assert.equal(f.cause, 'anycast-unanswered');
  assert.deepEqual([f.evidence.arpSent, f.evidence.arpLost, f.evidence.nsSent, f.evidence.nsLost], [2, 2, 0, 0]);
});

test('a neighbor solicitation for the anycast IPv6 address without an NA to the client is lost; duplicate address detection is not a question', () => {
  const ns = (src: string, t: number): TestFrame => neighborSolicitFrame({ ethSrc: c1.mac, src, target: PLAN.anycastIp6 }, t);
  const run = runDetector(unansweredAnycast, planConfig({ ipv6: true }), [ns('fd00::1:1', 1), ns('::', 1.5), later(4)]);
  const f = only(run.findings);
  assert.deepEqual([f.evidence.nsSent, f.evidence.nsLost], [1, 1]);
  const answered = runDetector(unansweredAnycast, planConfig({ ipv6: true }), [
    ns('fd00::1:1', 1),
    neighborAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, src: 'fe80::1', dst: 'fd00::1:1', target: PLAN.anycastIp6, tlla: anycastMac }, 1.001),
    later(4),
  ]);
  assert.deepEqual(answered.findings, []);
});

test('a flood of unanswered pings larger than the pending table is still judged: new requests wait for room (counted), none is evicted before its timeout', () => {
  // 16 slots; 40 pings a second for 4 s from one client, none answered. Evicting the oldest to make
  // room would drop every request before its 1 s timeout: nothing judged, the fault hidden.
  const config = planConfig();
  config.maxFlows = 16;
  const frames: TestFrame[] = [];
  for (let i = 0; i < 160; i++) frames.push(pingAnycast(i + 1, 1 + i * 0.025));
  frames.push(later(8));
  const run = runDetector(unansweredAnycast, config, frames);
  const f = only(run.findings);
  assert.equal(f.cause, 'anycast-unanswered');
  // Each second, 16 of the 40 requests find room; each judged one frees its slot for the next.
  assert.ok(f.evidence.toAnycastLost >= 48, `only ${f.evidence.toAnycastLost} judged lost`);
  assert.equal(f.evidence.toAnycastSent, f.evidence.toAnycastLost);
  assert.equal(run.detector.evictions, 160 - f.evidence.toAnycastSent);
});

test('an ICMPv4 echo carried in IPv6 (next header 1) is not judged with the addresses of the IPv4 frame before it', () => {
  // The frame before is a ping to the anycast IP, answered: its IPv4 addresses are what a detector
  // reading d.ipv4 on an IPv6 frame would see.
  const bogus: TestFrame = {
    bytes: ethernet({
      src: c1.mac,
      dst: anycastMac,
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: 'fd00::c1', dst: 'fd00::a', next: IP_PROTO.ICMP, payload: icmpEcho({ type: ICMP_TYPE.ECHO_REQUEST, id: 7, seq: 1 }) }),
    }),
    t: 2,
  };
  const run = runDetector(unansweredAnycast, planConfig(), [pingAnycast(1, 1), anycastReply(1, 1.01), bogus, later(5)]);
  assert.equal(run.observed, 4);
  assert.deepEqual(run.findings, []);
});
