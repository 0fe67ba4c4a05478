import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../src/core/link-type.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { emptyConfig } from '../../src/detect/config.js';
import { dhcpDnsNotAnycast, type DhcpDnsNotAnycastEvidence } from '../../src/detect/dhcp-dns-not-anycast.js';
import { dhcpRouterNotAnycast, type DhcpRouterNotAnycastEvidence } from '../../src/detect/dhcp-router-not-anycast.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { writeFrameRow } from '../../src/pipeline/frame-row.js';
import { OnePassAnalysis } from '../../src/pipeline/one-pass.js';
import { ip4, macNum } from '../support/decode.js';
import { dhcpReplyFrame, PLAN, planConfig, runDetector } from '../support/detect.js';
import { DHCP_MESSAGE, dhcpFrame } from '../support/frame-builder.js';

const { anycastIp, anycastMac, gw1, gw2, c1, c2 } = PLAN;
const RESOLVERS = ['192.0.2.53', '198.51.100.53', '203.0.113.53'];

test("gw1's DHCP server naming its own address as router is one error per server, with what it offered and the clients it told", () => {
  const run = runDetector(dhcpRouterNotAnycast, planConfig({ gateways: true }), [
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'offer', serverId: gw1.ip, routers: [gw1.ip] }, 1),
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'ack', serverId: gw1.ip, routers: [gw1.ip] }, 1.2),
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c2, type: 'offer', serverId: gw1.ip, routers: [gw1.ip] }, 3),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<DhcpRouterNotAnycastEvidence>;
  assert.deepEqual([f.kind, f.severity, f.cause], ['dhcp-router-not-anycast', 'error', 'dhcp-router-option']);
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw1');
  assert.equal(f.mac, macNum(gw1.mac));
  assert.equal(f.anycastIpv4, ip4(anycastIp));
  assert.deepEqual(f.evidence, { kind: 'dhcp-router-not-anycast', serverId: ip4(gw1.ip), offered: ip4(gw1.ip), offeredCount: 1, offers: 2, acks: 1 });
  assert.deepEqual([f.count, f.frames], [3, [1, 2, 3]]);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac), macNum(c2.mac)]);
});

test('near miss: offers and acks naming the anycast IP as router and DNS raise nothing', () => {
  const frames = [
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'offer', serverId: gw1.ip, routers: [anycastIp], dns: [anycastIp] }, 1),
    dhcpReplyFrame({ ethSrc: gw2.mac, client: c2, type: 'ack', serverId: gw2.ip, routers: [anycastIp], dns: [anycastIp] }, 2),
  ];
  const router = runDetector(dhcpRouterNotAnycast, planConfig(), frames);
  assert.deepEqual(router.findings, []);
  assert.deepEqual(runDetector(dhcpDnsNotAnycast, planConfig(), frames).findings, []);
  // Healthy or not, a unicast MAC serving DHCP is a gateway of the mesh.
  assert.deepEqual(
    router.ctx.gateways.list.map((g) => [g.macs[0], g.evidence, g.evidenceFrame]),
    [
      [macNum(gw1.mac), 'dhcp-server', 1],
      [macNum(gw2.mac), 'dhcp-server', 2],
    ],
  );
});

test('a router list that starts with the anycast IP is still flagged: it lists several addresses', () => {
  const run = runDetector(dhcpRouterNotAnycast, planConfig(), [
    dhcpReplyFrame({ ethSrc: gw2.mac, client: c2, type: 'offer', serverId: gw2.ip, routers: [anycastIp, gw2.ip] }, 1),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<DhcpRouterNotAnycastEvidence>;
  assert.deepEqual([f.evidence.offered, f.evidence.offeredCount], [ip4(anycastIp), 2]);
});

test('three resolvers in the DNS option are one warning per server; the router check does not see them', () => {
  const frames = [dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'offer', serverId: gw1.ip, routers: [anycastIp], dns: RESOLVERS }, 1)];
  const run = runDetector(dhcpDnsNotAnycast, planConfig(), frames);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<DhcpDnsNotAnycastEvidence>;
  assert.deepEqual([f.kind, f.severity, f.cause], ['dhcp-dns-not-anycast', 'warning', 'dhcp-dns-option']);
  assert.deepEqual([f.evidence.offered, f.evidence.offeredCount], [ip4(RESOLVERS[0]!), 3]);
  assert.deepEqual(runDetector(dhcpRouterNotAnycast, planConfig(), frames).findings, []);
});

test('two servers are two findings; two gateways answering from the anycast MAC stay apart by their server identifier, each named by it', () => {
  const run = runDetector(dhcpRouterNotAnycast, planConfig({ gateways: true }), [
    dhcpReplyFrame({ ethSrc: anycastMac, client: c1, type: 'offer', serverId: gw1.ip, routers: [gw1.ip] }, 1),
    dhcpReplyFrame({ ethSrc: anycastMac, client: c2, type: 'offer', serverId: gw2.ip, routers: [gw2.ip] }, 2),
    dhcpReplyFrame({ ethSrc: anycastMac, client: c2, type: 'ack', serverId: gw2.ip, routers: [gw2.ip] }, 3),
  ]);
  assert.deepEqual(
    run.findings.map((f) => [run.ctx.gateways.get(f.gateway).name, f.count]),
    [
      ['gw1', 1],
      ['gw2', 2],
    ],
  );
});

test('without an anycast IPv4 address (none configured, none inferred) nothing is judged', () => {
  const macOnly = emptyConfig();
  macOnly.anycastMacs.push(macNum(anycastMac));
  const run = runDetector(dhcpRouterNotAnycast, macOnly, [
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'offer', serverId: gw1.ip, routers: [gw1.ip] }, 1),
  ]);
  assert.equal(run.observed, 1);
  assert.deepEqual(run.findings, []);
});

test("a client's request, or a reply without the option, is not judged", () => {
  const run = runDetector(dhcpRouterNotAnycast, planConfig(), [
    {
      bytes: dhcpFrame({
        ethSrc: c1.mac,
        ethDst: PLAN.broadcast,
        src: '0.0.0.0',
        dst: '255.255.255.255',
        message: { type: DHCP_MESSAGE.REQUEST, xid: 1, chaddr: c1.mac, routers: [gw1.ip] },
      }),
      t: 1,
    },
    dhcpReplyFrame({ ethSrc: gw1.mac, client: c1, type: 'offer', serverId: gw1.ip }, 2),
  ]);
  assert.equal(run.observed, 2);
  assert.deepEqual(run.findings, []);
});

test('the live view announces each DHCP server once, two gateways answering from the anycast MAC as two, and a repeat not again', () => {
  const announced: string[] = [];
  const judge = new OnePassAnalysis({
    config: planConfig({ gateways: true }),
    detectors: [dhcpRouterNotAnycast],
    writeRow: (frame, rows, at) => writeFrameRow(frame as FrameDecoder, rows, at),
    replayFrame: new FrameDecoder(),
    onFinding: (f) => announced.push(`${f.kind} ${f.evidence.kind === 'dhcp-router-not-anycast' ? f.evidence.serverId : ''}`),
  });
  const d = new FrameDecoder();
  const frames = [
    dhcpReplyFrame({ ethSrc: anycastMac, client: c1, type: 'offer', serverId: gw1.ip, routers: [gw1.ip] }, 1),
    dhcpReplyFrame({ ethSrc: anycastMac, client: c2, type: 'offer', serverId: gw2.ip, routers: [gw2.ip] }, 2),
    dhcpReplyFrame({ ethSrc: anycastMac, client: c1, type: 'ack', serverId: gw1.ip, routers: [gw1.ip] }, 3),
  ];
  frames.forEach((f, i) => {
    d.decodeBytes(f.bytes, 0, f.bytes.length, LinkType.ethernet);
    d.number = i + 1;
    d.tsSec = f.t;
    judge.observe(d);
  });
  judge.finish();
  assert.deepEqual(announced, [`dhcp-router-not-anycast ${ip4(gw1.ip)}`, `dhcp-router-not-anycast ${ip4(gw2.ip)}`]);
});
