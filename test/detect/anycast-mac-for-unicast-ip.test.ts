import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anycastMacForUnicastIp, type AnycastMacForUnicastIpEvidence } from '../../src/detect/anycast-mac-for-unicast-ip.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip4, macNum } from '../support/decode.js';
import { arpFrame, neighborAdvertFrame, PLAN, planConfig, runDetector } from '../support/detect.js';
import { runCli } from '../support/run-cli.js';

const { anycastIp, anycastIp6, anycastMac, gw1, gw2, c1 } = PLAN;

test("the anycast MAC answering ARP for a gateway's own IP is one finding per address, naming the gateway that owns it", () => {
  const run = runDetector(anycastMacForUnicastIp, planConfig({ gateways: true }), [
    arpFrame({ op: 'request', sha: gw1.mac, spa: gw1.ip, tpa: gw2.ip }, 1),
    arpFrame({ op: 'reply', sha: gw2.mac, spa: gw2.ip, tha: gw1.mac, tpa: gw1.ip }, 1.001),
    arpFrame({ op: 'reply', sha: anycastMac, spa: gw2.ip, tha: gw1.mac, tpa: gw1.ip }, 1.002),
    arpFrame({ op: 'reply', sha: anycastMac, spa: gw2.ip, tha: c1.mac, tpa: c1.ip }, 2),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<AnycastMacForUnicastIpEvidence>;
  assert.equal(f.kind, 'anycast-mac-for-unicast-ip');
  assert.equal(f.cause, 'arp-filter-off-macvlan');
  assert.equal(f.mac, macNum(anycastMac));
  assert.equal(f.evidence.claimedIpv4, ip4(gw2.ip));
  assert.equal(f.evidence.owner, macNum(gw2.mac));
  assert.equal(run.ctx.gateways.get(f.gateway).name, 'gw2');
  assert.deepEqual([f.count, f.evidence.replies], [2, 2]);
  assert.deepEqual(f.clientMacs, [macNum(gw1.mac), macNum(c1.mac)]);
});

test('the anycast MAC answering for the anycast IP, and unicast MACs answering for their own IPs, are healthy', () => {
  const run = runDetector(anycastMacForUnicastIp, planConfig({ gateways: true }), [
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1),
    arpFrame({ op: 'reply', sha: gw1.mac, spa: gw1.ip, tha: c1.mac, tpa: c1.ip }, 2),
    arpFrame({ op: 'request', sha: anycastMac, spa: '0.0.0.0', tpa: anycastIp }, 3),
  ]);
  assert.deepEqual(run.findings, []);
});

test('a neighbor advertisement of another IPv6 address with the anycast MAC is a finding; of the anycast address, or link-local, it is not', () => {
  const run = runDetector(anycastMacForUnicastIp, planConfig({ ipv6: true }), [
    neighborAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, src: 'fd00::2', dst: 'fd00::c1', target: 'fd00::2', tlla: anycastMac }, 1),
    neighborAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, src: anycastIp6, dst: 'fd00::c1', target: anycastIp6, tlla: anycastMac }, 2),
    neighborAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, src: 'fe80::1', dst: 'fd00::c1', target: 'fe80::1', tlla: anycastMac }, 3),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<AnycastMacForUnicastIpEvidence>;
  assert.deepEqual([f.evidence.neighborAdverts, f.evidence.claimedIpv4, f.frames[0]], [1, -1, 1]);
});

test('end to end: the real kernel with arp_filter off on both gateways (lab capture) shows gw2 macvlan answering for 10.172.0.2; the healthy lab capture shows nothing', () => {
  const faulty = JSON.parse(runCli(['analyze', '--json', 'fixtures/lab/arp-filter-off-both.pcap']).stdout) as {
    findings: { kind: string; gateway: string; detail: Record<string, unknown> }[];
  };
  const hits = faulty.findings.filter((f) => f.kind === 'anycast-mac-for-unicast-ip');
  assert.deepEqual(
    hits.map((f) => [f.gateway, f.detail.claimedIp, f.detail.owner]),
    [['10.172.0.2', '10.172.0.2', gw2.mac]],
  );
  for (const healthy of ['fixtures/lab/healthy.pcap', 'fixtures/lab/healthy-anycast-route-first.pcap', 'fixtures/lab/arp-filter-off-one.pcap']) {
    const doc = JSON.parse(runCli(['analyze', '--json', healthy]).stdout) as { findings: { kind: string }[] };
    assert.deepEqual(
      doc.findings.filter((f) => f.kind === 'anycast-mac-for-unicast-ip'),
      [],
      healthy,
    );
  }
});
