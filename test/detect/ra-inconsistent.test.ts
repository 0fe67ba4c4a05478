import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig } from '../../src/detect/config.js';
import type { FindingOf } from '../../src/detect/findings.js';
import { raInconsistent, type RaInconsistentEvidence } from '../../src/detect/ra-inconsistent.js';
import { ip6, macNum } from '../support/decode.js';
import { linkLocalOf, PLAN, planConfig, RA_SETTINGS, routerAdvertFrame, runDetector, type TestFrame } from '../support/detect.js';
import type { RouterAdvertOptions } from '../support/frame-builder.js';

const { anycastMac, gw1, gw2, c1 } = PLAN;

type Evidence = FindingOf<RaInconsistentEvidence>;

/** RAs alternating between what gw1 and gw2 say, both from the anycast MAC and link-local, starting with gw1's. */
function alternating(gw2Settings: Partial<RouterAdvertOptions>, rounds = 2): TestFrame[] {
  const frames: TestFrame[] = [];
  for (let i = 0; i < rounds; i++) {
    frames.push(routerAdvertFrame({ ethSrc: anycastMac }, 2 * i + 1));
    frames.push(routerAdvertFrame({ ethSrc: anycastMac, settings: gw2Settings }, 2 * i + 2));
  }
  return frames;
}

test('RAs behind the anycast MAC that disagree on the DNS server and a prefix lifetime are one warning, with both sides and what differs', () => {
  const run = runDetector(
    raInconsistent,
    planConfig({ gateways: true }),
    alternating({
      rdnss: { lifetime: 1200, addrs: ['fd00::2'] },
      prefix: { prefix: 'fd00::', length: 64, validLifetime: 86400, preferredLifetime: 3600 },
    }),
  );
  assert.equal(run.findings.length, 1);
  const f = run.findings[0] as Evidence;
  assert.equal(f.kind, 'ra-inconsistent');
  assert.equal(f.severity, 'warning');
  assert.equal(f.cause, 'gateways-disagree-ra');
  assert.equal(f.count, 2, "gw2's two RAs");
  assert.deepEqual(f.frames, [2, 4]);
  assert.equal(f.gateway, -1, 'the anycast MAC names no gateway');
  assert.deepEqual(f.evidence.differences, ['prefix-lifetimes', 'rdnss']);
  assert.equal(f.evidence.reference.frame, 1);
  assert.deepEqual([...f.evidence.reference.rdnss], ip6('fd00::10'));
  assert.deepEqual([...f.evidence.differing.rdnss], ip6('fd00::2'));
  assert.equal(f.evidence.reference.prefixPreferred, 14400);
  assert.equal(f.evidence.differing.prefixPreferred, 3600);
  assert.equal(f.evidence.differing.mac, macNum(anycastMac));
  assert.deepEqual([...f.evidence.differing.router], ip6(linkLocalOf(anycastMac)));
});

test('each kind of disagreement is named: router lifetime, prefix, MTU, and what only the digest sees', () => {
  const cases: [Partial<RouterAdvertOptions>, string[]][] = [
    [{ lifetime: 0 }, ['router']],
    [{ managed: true }, ['router']],
    [{ prefix: { prefix: 'fd01::', length: 64 } }, ['prefix']],
    [{ mtu: 1500 }, ['mtu']],
    [{ rdnss: { lifetime: 1200, addrs: ['fd00::10', 'fd00::11'] } }, ['rdnss']],
    [{ rdnss: { lifetime: 60, addrs: ['fd00::10'] } }, ['other-options']],
    [{ morePrefixes: [{ prefix: 'fd02::', length: 64 }] }, ['prefix']],
    [{ reachableTime: 30000 }, ['other-options']],
  ];
  for (const [settings, want] of cases) {
    const run = runDetector(raInconsistent, planConfig(), alternating(settings, 1));
    assert.equal(run.findings.length, 1, JSON.stringify(settings));
    assert.deepEqual((run.findings[0] as Evidence).evidence.differences, want, JSON.stringify(settings));
  }
});

test('healthy: several gateways sending the same RA (options in any order, each its own link-layer address) are no finding', () => {
  const run = runDetector(raInconsistent, planConfig({ gateways: true }), [
    ...alternating({ reverseOptions: true }, 3),
    // A bridge RA with the same content: not this detector's business (ra-not-from-anycast's).
    routerAdvertFrame({ ethSrc: gw1.mac }, 7),
    routerAdvertFrame({ ethSrc: anycastMac, ethDst: c1.mac, dst: linkLocalOf(c1.mac) }, 8),
  ]);
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 8);
});

test("an RA from a gateway's bridge that disagrees names that gateway and the first RA's sender", () => {
  const run = runDetector(raInconsistent, planConfig({ gateways: true }), [
    routerAdvertFrame({ ethSrc: gw2.mac }, 1),
    routerAdvertFrame({ ethSrc: gw1.mac, settings: { mtu: 1400 } }, 2),
  ]);
  const f = run.findings[0] as Evidence;
  assert.equal(f.gateway, 0, 'gw1');
  assert.equal(f.otherGateway, 1, 'gw2');
  assert.equal(f.mac, macNum(gw1.mac));
});

test('three contents are two findings, each against the first RA seen; an RA cut by the capture is not compared', () => {
  const cut = routerAdvertFrame({ ethSrc: anycastMac, settings: { mtu: 1400 } }, 4);
  const run = runDetector(raInconsistent, planConfig(), [
    routerAdvertFrame({ ethSrc: anycastMac }, 1),
    routerAdvertFrame({ ethSrc: anycastMac, settings: { mtu: 1400 } }, 2),
    routerAdvertFrame({ ethSrc: anycastMac, settings: { mtu: 1500 } }, 3),
    { bytes: cut.bytes.subarray(0, cut.bytes.length - 8), t: 4 },
  ]);
  assert.deepEqual(
    run.findings.map((f) => [(f as Evidence).evidence.differing.mtu, (f as Evidence).evidence.reference.mtu, f.count]),
    [
      [1400, 1280, 1],
      [1500, 1280, 1],
    ],
  );
});

test('until the anycast MAC is known RAs are not compared (on another network, routers may say different things)', () => {
  const config = emptyConfig();
  config.anycastIpv6.push(Uint32Array.from(ip6(PLAN.anycastIp6)));
  const run = runDetector(raInconsistent, config, alternating({ mtu: 1500 }));
  assert.deepEqual(run.findings, []);
  assert.equal(run.observed, 4);
});

test('the contents compared are bounded: past 16, further contents are not compared', () => {
  const frames = Array.from({ length: 20 }, (_, i) => routerAdvertFrame({ ethSrc: anycastMac, settings: { mtu: 1280 + i } }, i + 1));
  const run = runDetector(raInconsistent, planConfig(), frames);
  assert.equal(run.findings.length, 15);
  assert.equal((run.findings[14] as Evidence).evidence.differing.mtu, 1280 + 15);
});

test('the default settings of the test RA are what the plan says (so the cases above differ in one thing each)', () => {
  assert.equal(RA_SETTINGS.mtu, 1280);
  assert.equal(RA_SETTINGS.rdnss?.addrs[0], PLAN.anycastIp6);
});
