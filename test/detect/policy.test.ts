import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anycastReplyUnicastMac } from '../../src/detect/anycast-reply-unicast-mac.js';
import type { Finding } from '../../src/detect/findings.js';
import { settleCauses } from '../../src/detect/policy.js';
import { unicastArpReply } from '../../src/detect/unicast-arp-reply.js';
import { arpFrame, echoFrame, PLAN, planConfig, runDetector, type TestFrame } from '../support/detect.js';

const { anycastIp, anycastMac, gw1, c1 } = PLAN;

/** Both detectors over the same frames, then the policy step, as Analysis.finish does. */
function settled(frames: TestFrame[]): Finding[] {
  const config = planConfig({ gateways: true });
  const findings = [...runDetector(unicastArpReply, config, frames).findings, ...runDetector(anycastReplyUnicastMac, config, frames).findings];
  settleCauses(findings);
  return findings.filter((f) => f.kind === 'unicast-arp-reply');
}

const unicastReply = arpFrame({ op: 'reply', sha: gw1.mac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1);

test('a unicast ARP answer that the anycast MAC also gave is arp_filter off', () => {
  const [f] = settled([unicastReply, arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.001)]);
  assert.equal(f?.cause, 'arp-filter-off');
});

test('a unicast ARP answer alone is the source route missing', () => {
  const [f] = settled([unicastReply]);
  assert.equal(f?.cause, 'source-route-missing');
});

test('a gateway that also sends from the anycast IP with its unicast MAC lacks the source route, even if the anycast MAC answered too', () => {
  const [f] = settled([
    unicastReply,
    arpFrame({ op: 'reply', sha: anycastMac, spa: anycastIp, tha: c1.mac, tpa: c1.ip }, 1.001),
    echoFrame({ type: 'reply', ethSrc: gw1.mac, ethDst: c1.mac, src: anycastIp, dst: c1.ip }, 2),
  ]);
  assert.equal(f?.cause, 'source-route-missing');
});
