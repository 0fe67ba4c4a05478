import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientPinned, type ClientPinnedEvidence } from '../../src/detect/client-pinned.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip4, macNum } from '../support/decode.js';
import { arpFrame, echoFrame, PLAN, planConfig, runDetector, segmentFrame, type TestFrame } from '../support/detect.js';

const { anycastIp, anycastMac, gw1, gw2, c1, c2, server } = PLAN;

function only(findings: unknown[]): FindingOf<ClientPinnedEvidence> {
  assert.equal(findings.length, 1, `one finding expected, got ${JSON.stringify(findings)}`);
  return findings[0] as FindingOf<ClientPinnedEvidence>;
}

const ping = (ethDst: string, t: number, seq = 1): TestFrame => echoFrame({ type: 'request', ethSrc: c1.mac, ethDst, src: c1.ip, dst: anycastIp, seq }, t);
const web = (ethDst: string, t: number, from: { mac: string; ip: string } = c1): TestFrame =>
  segmentFrame({ ethSrc: from.mac, ethDst, src: from.ip, dst: server, sport: 40000, dport: 443 }, t);

test("a client told the anycast IP is at gw1's unicast MAC, then sending there, is pinned to gw1: when told, how, and what it sent", () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.001),
    ping(gw1.mac, 2),
    web(gw1.mac, 3),
    web(gw1.mac, 4),
  ]);
  const f = only(run.findings);
  assert.equal(f.kind, 'client-pinned');
  assert.equal(f.cause, 'pinned-to-gateway');
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw1');
  assert.equal(f.anycastIpv4, ip4(anycastIp));
  assert.equal(f.count, 3);
  assert.deepEqual([f.evidence.toAnycastFrames, f.evidence.forwardedFrames], [1, 2]);
  assert.deepEqual(f.evidence.clients, [
    {
      mac: macNum(c1.mac),
      ipv4: ip4(c1.ip),
      toldBy: 'reply',
      toldSec: 1,
      toldNsec: 1_000_000,
      toldFrame: 2,
      toAnycastFrames: 1,
      forwardedFrames: 2,
      releasedSec: -1,
      releasedNsec: -1,
      releasedFrame: -1,
    },
  ]);
});

test('clients told the anycast MAC and sending to it are healthy, as are frames to a gateway address someone claimed in ARP', () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
    ping(anycastMac, 2),
    web(anycastMac, 3),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: gw1.ip, tha: c1.mac, tpa: c1.ip }, 4),
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: gw1.mac, src: c1.ip, dst: gw1.ip }, 5),
  ]);
  assert.deepEqual(run.findings, []);
});

test('a ping to the anycast IP through a unicast gateway MAC with no telling in the capture was told before it began', () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [ping(gw2.mac, 1), ping(gw2.mac, 2, 2), web(gw2.mac, 3)]);
  const f = only(run.findings);
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw2');
  assert.equal(f.evidence.clients[0]!.toldBy, 'before-capture');
  assert.equal(f.evidence.clients[0]!.toldFrame, -1);
  // Forwarded frames count only when the telling was seen: without it the router of the flow is unknown.
  assert.deepEqual([f.evidence.toAnycastFrames, f.evidence.forwardedFrames], [2, 0]);
});

test("a gateway's own broadcast request with the anycast IP as sender pins the host it asks for (the kernel learns the asker at once)", () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: c2.mac, spa: c2.ip, tpa: gw2.ip }, 0.5),
    arpFrame({ op: 'request', sha: gw2.mac, spa: anycastIp, tpa: c2.ip }, 1),
    web(gw2.mac, 2, c2),
    web(gw2.mac, 3, c1),
  ]);
  const f = only(run.findings);
  assert.equal(f.evidence.clients.length, 1);
  assert.equal(f.evidence.clients[0]!.mac, macNum(c2.mac));
  assert.equal(f.evidence.clients[0]!.toldBy, 'request');
});

test('a gratuitous ARP from a bridge pins every host that then sends through it', () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: anycastIp }, 1),
    web(gw1.mac, 2, c1),
    web(gw1.mac, 3, c2),
  ]);
  const f = only(run.findings);
  assert.deepEqual(
    f.evidence.clients.map((c) => [c.mac, c.toldBy]),
    [
      [macNum(c1.mac), 'gratuitous'],
      [macNum(c2.mac), 'gratuitous'],
    ],
  );
  assert.equal(f.clientCount, 2);
});

test('frames between gateways are not a pinned client', () => {
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: gw1.mac, spa: anycastIp, tpa: anycastIp }, 1),
    segmentFrame({ ethSrc: gw2.mac, ethDst: gw1.mac, src: gw2.ip, dst: server, sport: 1, dport: 2 }, 2),
  ]);
  assert.deepEqual(run.findings, []);
});

test('a client the anycast MAC asks for learns the anycast MAC at once: it is released from the gateway, as the real kernel did in the lab', () => {
  // fixtures/lab/arp-filter-off-one.pcap: the bridge's reply wins, one ping goes to gw1, then the anycast
  // macvlan's "who-has <client> tell <anycast IP>" makes the client send the next ping to the anycast MAC.
  const run = runDetector(clientPinned, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: c1.mac, spa: c1.ip, tpa: anycastIp }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.0001),
    ping(gw1.mac, 1.0002),
    arpFrame({ op: 'request', sha: anycastMac, spa: anycastIp, tpa: c1.ip }, 1.0003),
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.0004),
    ping(anycastMac, 1.3, 2),
  ]);
  const f = only(run.findings);
  assert.equal(f.count, 1);
  assert.deepEqual([f.evidence.clients[0]!.toldFrame, f.evidence.clients[0]!.releasedFrame], [2, 4]);
});
