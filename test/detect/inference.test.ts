import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { LinkType } from '../../src/core/link-type.js';
import { formatIpv4, formatIpv6, formatMac } from '../../src/core/address.js';
import { AnycastInference, type InferenceResult, type InferredAnycast } from '../../src/detect/inference.js';
import {
  arpFrame,
  dhcpReplyFrame,
  echo6Frame,
  echoFrame,
  neighborAdvertFrame,
  neighborSolicitFrame,
  PLAN,
  routerAdvertFrame,
  type TestFrame,
} from '../support/detect.js';

/**
 * The inference's rules (inference-decide.ts), each on built frames with a
 * near miss beside it: what makes an address the anycast one, and what only
 * looks like it (a gateway's own IP answered by the anycast macvlan too, one
 * MAC answering once).
 */

function decide(frames: readonly TestFrame[]): InferenceResult {
  const inference = new AnycastInference();
  const d = new FrameDecoder();
  frames.forEach((f, i) => {
    d.decodeBytes(f.bytes, 0, f.bytes.length, LinkType.ethernet);
    d.number = i + 1;
    d.tsSec = Math.floor(f.t);
    d.tsNsec = Math.round((f.t - Math.floor(f.t)) * 1e9);
    inference.observe(d);
    inference.observeTraffic(d);
  });
  return inference.decide();
}

/** Address, MAC (or "none") and signal kinds, as a test reads them. */
function summary(list: readonly InferredAnycast[]): string[] {
  return list.map(
    (i) => `${i.ipv6 !== null ? formatIpv6(i.ipv6) : formatIpv4(i.ipv4)} ${i.mac >= 0 ? formatMac(i.mac) : 'none'} ${i.signals.map((s) => s.kind).join('+')}`,
  );
}

const { c1, c2, gw1, gw2, anycastMac: ANYCAST_MAC, anycastIp: ANYCAST_IP, server } = PLAN;

/** c1 asks for `ip`; each MAC in `answerers` answers once. */
function askedAndAnswered(ip: string, answerers: readonly string[], t: number, client: { mac: string; ip: string } = c1): TestFrame[] {
  return [
    arpFrame({ op: 'request', sha: client.mac, spa: client.ip, tpa: ip }, t),
    ...answerers.map((mac, i) => arpFrame({ op: 'reply', sha: mac, spa: ip, tha: client.mac, tpa: client.ip }, t + 0.001 * (i + 1))),
  ];
}

/** A reply to forwarded traffic: from the server's address, by a gateway's unicast MAC. */
function forwardedReply(gatewayMac: string, t: number, client: { mac: string; ip: string } = c1): TestFrame {
  return echoFrame({ type: 'reply', ethSrc: gatewayMac, ethDst: client.mac, src: server, dst: client.ip }, t);
}

test('rule 1: one MAC answering one request twice (two gateways behind it) is the anycast MAC, settled', () => {
  const r = decide(askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC, ANYCAST_MAC], 1));
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} ${ANYCAST_MAC} several-answers-per-request`]);
  assert.equal(r.anycast[0]!.settled, true);
  assert.deepEqual(r.candidates, []);
});

test('near miss of rule 1: one MAC answering two requests once each is not taken for anycast', () => {
  const r = decide([...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC], 1), ...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC], 2, c2)]);
  assert.deepEqual(r.anycast, []);
});

test('rule 2: of two MACs answering, the one that does not forward is the anycast MAC (the other sends replies to forwarded traffic)', () => {
  const r = decide([...askedAndAnswered(ANYCAST_IP, [gw1.mac, ANYCAST_MAC], 1), forwardedReply(gw1.mac, 2)]);
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} ${ANYCAST_MAC} claimed-by-several-macs+others-forward`]);
  assert.equal(r.anycast[0]!.settled, false);
});

test('two MACs answering, neither forwarding: the frames do not tell which is shared — a candidate, nothing decided', () => {
  const r = decide(askedAndAnswered(ANYCAST_IP, [gw1.mac, ANYCAST_MAC], 1));
  assert.deepEqual(r.anycast, []);
  assert.deepEqual(summary(r.candidates), [`${ANYCAST_IP} none claimed-by-several-macs`]);
  assert.equal(r.candidates[0]!.missing, 'which-mac');
});

test("a gateway's own IP answered by its bridge and by the anycast macvlan (arp_filter off) is not an anycast address", () => {
  const r = decide([
    // gw1 uses 10.172.0.1 as its own: it asks from it.
    arpFrame({ op: 'request', sha: gw1.mac, spa: gw1.ip, tpa: c1.ip }, 0.5),
    ...askedAndAnswered(gw1.ip, [gw1.mac, ANYCAST_MAC], 1),
    forwardedReply(gw1.mac, 2),
  ]);
  assert.deepEqual(summary(r.anycast), []);
  assert.deepEqual(summary(r.candidates), []);
});

test("with the anycast MAC decided, a gateway's own IP it also answers stays the gateway's (traffic from it, not from the anycast MAC)", () => {
  const r = decide([
    ...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC, ANYCAST_MAC], 1),
    echoFrame({ type: 'reply', ethSrc: ANYCAST_MAC, ethDst: c1.mac, src: ANYCAST_IP, dst: c1.ip }, 1.5),
    ...askedAndAnswered(gw2.ip, [gw2.mac, ANYCAST_MAC], 2),
    echoFrame({ type: 'reply', ethSrc: gw2.mac, ethDst: c1.mac, src: gw2.ip, dst: c1.ip }, 2.5),
    forwardedReply(gw2.mac, 3),
  ]);
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} ${ANYCAST_MAC} several-answers-per-request`]);
});

test('rule 3: answered only by gateways that forward and have addresses of their own: anycast with no anycast MAC answering, no gateway picked', () => {
  const r = decide([
    arpFrame({ op: 'request', sha: gw1.mac, spa: gw1.ip, tpa: c1.ip }, 0.1),
    arpFrame({ op: 'request', sha: gw2.mac, spa: gw2.ip, tpa: c1.ip }, 0.2),
    ...askedAndAnswered(ANYCAST_IP, [gw1.mac, gw2.mac], 1),
    forwardedReply(gw1.mac, 2),
    forwardedReply(gw2.mac, 3),
  ]);
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} none claimed-by-several-macs+answered-only-by-gateways`]);
  assert.equal(r.anycast[0]!.mac, -1);
});

test('near miss of rule 3: one of the forwarding answerers has no address of its own: a candidate', () => {
  const r = decide([
    arpFrame({ op: 'request', sha: gw1.mac, spa: gw1.ip, tpa: c1.ip }, 0.1),
    ...askedAndAnswered(ANYCAST_IP, [gw1.mac, gw2.mac], 1),
    forwardedReply(gw1.mac, 2),
    forwardedReply(gw2.mac, 3),
  ]);
  assert.deepEqual(r.anycast, []);
  assert.equal(r.candidates[0]?.missing, 'which-mac');
});

test('IPv6: one MAC advertising the address twice for one solicitation is the anycast MAC', () => {
  const c1ip6 = 'fd00::1:1';
  const na = (t: number): TestFrame =>
    neighborAdvertFrame({ ethSrc: ANYCAST_MAC, ethDst: c1.mac, src: PLAN.anycastIp6, dst: c1ip6, target: PLAN.anycastIp6, tlla: ANYCAST_MAC }, t);
  const r = decide([neighborSolicitFrame({ ethSrc: c1.mac, src: c1ip6, target: PLAN.anycastIp6 }, 1), na(1.001), na(1.002)]);
  assert.deepEqual(summary(r.anycast), [`${PLAN.anycastIp6} ${ANYCAST_MAC} several-answers-per-request`]);
  assert.equal(r.anycast[0]!.ipv6 !== null, true);
});

test('IPv6 seen from one gateway: one answer per solicitation, but RAs from that MAC (EUI-64 link-local) name the address as DNS server', () => {
  const c1ip6 = 'fd00::1:1';
  const frames = [
    routerAdvertFrame({ ethSrc: ANYCAST_MAC }, 0.5),
    neighborSolicitFrame({ ethSrc: c1.mac, src: c1ip6, target: PLAN.anycastIp6 }, 1),
    neighborAdvertFrame({ ethSrc: ANYCAST_MAC, ethDst: c1.mac, src: PLAN.anycastIp6, dst: c1ip6, target: PLAN.anycastIp6, tlla: ANYCAST_MAC }, 1.001),
    echo6Frame({ type: 'reply', ethSrc: ANYCAST_MAC, ethDst: c1.mac, src: PLAN.anycastIp6, dst: c1ip6 }, 2),
  ];
  const r = decide(frames);
  assert.deepEqual(summary(r.anycast), [`${PLAN.anycastIp6} ${ANYCAST_MAC} ra-rdnss`]);
  const signal = r.anycast[0]!.signals[0]!;
  assert.ok(signal.kind === 'ra-rdnss' && signal.eui64);
  // Near miss: the same without the RA — one MAC answering once is nothing to go on.
  assert.deepEqual(decide(frames.slice(1)).anycast, []);
});

test('DHCP: two servers handing the address out as router, answered by one MAC that does not forward: decided on DHCP', () => {
  // Each gateway's dnsmasq answers from its bridge.
  const offer = (gw: { mac: string; ip: string }, t: number): TestFrame =>
    dhcpReplyFrame({ ethSrc: gw.mac, client: c1, type: 'offer', serverId: gw.ip, routers: [ANYCAST_IP], dns: [ANYCAST_IP] }, t);
  const r = decide([offer(gw1, 0.1), offer(gw2, 0.2), ...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC], 1)]);
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} ${ANYCAST_MAC} dhcp-router+dhcp-dns`]);
  // Near miss: one server naming it is what every DHCP network does.
  const one = decide([offer(gw1, 0.1), ...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC], 1)]);
  assert.deepEqual(one.anycast, []);
  assert.equal(one.candidates[0]?.missing, 'one-answering-mac');
});

test("clients routing through one MAC whose replies come from another yield to a MAC the answers decided: a gateway's own MAC is not taken for anycast", () => {
  const viaGw2 = [
    ...askedAndAnswered(gw2.ip, [gw2.mac], 3),
    echoFrame({ type: 'request', ethSrc: c1.mac, ethDst: gw2.mac, src: c1.ip, dst: server }, 4),
    forwardedReply(gw1.mac, 4.01),
  ];
  // Alone, gw2's MAC looks like one clients route through while the replies come from gw1: taken on traffic.
  assert.deepEqual(summary(decide(viaGw2).anycast), [`${gw2.ip} ${gw2.mac} clients-route-through`]);
  // Beside a MAC answering one request twice, it is not.
  const r = decide([...askedAndAnswered(ANYCAST_IP, [ANYCAST_MAC, ANYCAST_MAC], 1), ...viaGw2]);
  assert.deepEqual(summary(r.anycast), [`${ANYCAST_IP} ${ANYCAST_MAC} several-answers-per-request`]);
});
