import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig } from '../../src/detect/config.js';
import { raNotFromAnycast, type RaNotFromAnycastEvidence } from '../../src/detect/ra-not-from-anycast.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { ip6, macNum } from '../support/decode.js';
import { linkLocalOf, PLAN, planConfig, routerAdvertFrame, runDetector } from '../support/detect.js';

const { anycastMac, gw1, gw2, c1 } = PLAN;
const anycastLinkLocal = linkLocalOf(anycastMac);

test('the link-local the detector expects is the EUI-64 one of the anycast MAC, as the kernel derives it', () => {
  assert.equal(linkLocalOf('26:61:96:60:00:dc'), 'fe80::2461:96ff:fe60:dc');
  assert.equal(anycastLinkLocal, 'fe80::ca:feff:fe00:1');
});

test("an RA from a gateway's bridge MAC and link-local is a finding for that gateway, once, with the clients it was sent to", () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: anycastMac }, 1),
    routerAdvertFrame({ ethSrc: gw1.mac }, 2),
    routerAdvertFrame({ ethSrc: gw1.mac, ethDst: c1.mac, dst: linkLocalOf(c1.mac) }, 3),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<RaNotFromAnycastEvidence>;
  assert.equal(f.kind, 'ra-not-from-anycast');
  assert.equal(f.cause, 'radv-on-bridge');
  assert.equal(f.gateway, 0, 'gw1');
  assert.equal(f.mac, macNum(gw1.mac));
  assert.equal(f.count, 2);
  assert.deepEqual(f.frames, [2, 3]);
  // The multicast RA names no client; the solicited one does.
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
  assert.deepEqual([...f.evidence.routerAddress], ip6(linkLocalOf(gw1.mac)));
  assert.equal(f.evidence.fromAnycastMac, false);
  assert.equal(f.evidence.routerLifetime, 1800);
  assert.equal(f.evidence.anycastMac, macNum(anycastMac));
});

test('an unknown sender of an RA is learned as a gateway, and two bridges are two findings', () => {
  const config = planConfig();
  const run = runDetector(raNotFromAnycast, config, [routerAdvertFrame({ ethSrc: gw1.mac }, 1), routerAdvertFrame({ ethSrc: gw2.mac }, 2)]);
  assert.deepEqual(
    run.findings.map((f) => f.mac),
    [macNum(gw1.mac), macNum(gw2.mac)],
  );
  assert.deepEqual(
    run.ctx.gateways.list.map((g) => [g.macs[0], g.evidence]),
    [
      [macNum(gw1.mac), 'sent-router-advert'],
      [macNum(gw2.mac), 'sent-router-advert'],
    ],
  );
});

test('an RA from the anycast MAC but another link-local is a finding per link-local, not tied to a gateway', () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1234:5678:9abc:def0' }, 1),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1234:5678:9abc:def0' }, 2),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::4321' }, 3),
  ]);
  assert.deepEqual(
    run.findings.map((f) => [f.cause, f.gateway, f.count]),
    [
      ['anycast-link-local-not-eui64', -1, 2],
      ['anycast-link-local-not-eui64', -1, 1],
    ],
  );
  const f = run.findings[0] as FindingOf<RaNotFromAnycastEvidence>;
  assert.equal(f.evidence.fromAnycastMac, true);
  assert.deepEqual([...f.evidence.routerAddress], ip6('fe80::1234:5678:9abc:def0'));
});

test('one router address behind the anycast MAC that is not derived from it (fe80::1 on every gateway) is still one router: no finding', () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1' }, 1),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1' }, 2),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1', ethDst: c1.mac, dst: linkLocalOf(c1.mac) }, 3),
  ]);
  assert.deepEqual(run.findings, []);
});

test('once a second router address shows behind the anycast MAC, the foreign one is a finding counted from its first RA, with its clients', () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1', settings: { lifetime: 0 } }, 1),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1', ethDst: c1.mac, dst: linkLocalOf(c1.mac) }, 2),
    routerAdvertFrame({ ethSrc: anycastMac }, 3),
    routerAdvertFrame({ ethSrc: anycastMac, src: 'fe80::1' }, 4),
    routerAdvertFrame({ ethSrc: anycastMac }, 5),
  ]);
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as FindingOf<RaNotFromAnycastEvidence>;
  assert.deepEqual([f.cause, f.count, f.frames, f.severity, f.evidence.routerLifetime], ['anycast-link-local-not-eui64', 3, [1, 2, 4], 'error', 1800]);
  assert.deepEqual([f.firstSec, f.lastSec], [1, 4]);
  assert.deepEqual(f.clientMacs, [macNum(c1.mac)]);
  assert.deepEqual([...f.evidence.routerAddress], ip6('fe80::1'));
});

test('healthy: RAs from the anycast MAC and its link-local, from several gateways and with any content, are no finding', () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: anycastMac }, 1),
    routerAdvertFrame({ ethSrc: anycastMac, settings: { lifetime: 0, rdnss: { lifetime: 60, addrs: ['fd00::2'] } } }, 2),
    routerAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, dst: linkLocalOf(c1.mac) }, 3),
  ]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 3);
});

test('a bridge RA with router lifetime 0 is a warning (prefixes and DNS only) until one from it offers a default route', () => {
  const run = runDetector(raNotFromAnycast, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: gw1.mac, settings: { lifetime: 0 } }, 1),
    routerAdvertFrame({ ethSrc: gw2.mac, settings: { lifetime: 0 } }, 2),
    routerAdvertFrame({ ethSrc: gw2.mac, settings: { lifetime: 600 } }, 3),
  ]);
  assert.deepEqual(
    run.findings.map((f) => [f.mac, f.severity, (f as FindingOf<RaNotFromAnycastEvidence>).evidence.routerLifetime, f.count]),
    [
      [macNum(gw1.mac), 'warning', 0, 1],
      [macNum(gw2.mac), 'error', 600, 2],
    ],
  );
});

test('until the anycast MAC is known nothing is judged (the one-pass look-back judges these RAs again once it is)', () => {
  const config = emptyConfig();
  config.anycastIpv4.push(0x0aac000a);
  const run = runDetector(raNotFromAnycast, config, [routerAdvertFrame({ ethSrc: gw1.mac }, 1)]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 1);
});
