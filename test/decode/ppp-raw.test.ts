import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { LinkType } from '../../src/core/link-type.js';
import { IP_PROTO, icmpEcho, icmpv6Echo, ipv4, ipv6 } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, ip6 } from '../support/decode.js';

const PING_DATA = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));
const echoRequest = ipv4({
  src: '10.172.0.10',
  dst: '10.172.0.1',
  proto: IP_PROTO.ICMP,
  id: 0x4d01,
  flags: 2,
  payload: icmpEcho({ type: 8, id: 0x1234, seq: 1, payload: PING_DATA }),
});
const echo6 = ipv6({ src: '2001:db8:ac::a', dst: '2001:db8:ac::1', next: IP_PROTO.ICMPV6, payload: icmpv6Echo({ type: 128, id: 0x1234, seq: 1 }) });

// IP (0x0021), length 64: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const pppEcho = Buffer.concat([Buffer.from('ff030021', 'hex'), echoRequest]);

// IP (0x0021), length 61: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const pppCompressed = Buffer.concat([Buffer.from([0x21]), echoRequest]);

// LCP (0xc021), length 12: LCP, Conf-Request (0x01), id 1, length 10
const pppLcp = Buffer.from('ff03c021010100080101ffff', 'hex');

test('decodes PPP with address/control and a two-byte protocol, then IPv4 and ICMP', () => {
  const d = decode(pppEcho, LinkType.ppp);
  assertLayers(d, Layer.ppp | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.pppProtocol, 0x0021);
  assert.equal(d.etherType, 0x0800);
  assert.equal(d.ipv4.src, ip4('10.172.0.10'));
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
});

test('decodes PPP with address/control and protocol field compression (one byte 0x21)', () => {
  const d = decode(pppCompressed, LinkType.ppp);
  assertLayers(d, Layer.ppp | Layer.ipv4 | Layer.icmp);
  assert.equal(d.pppProtocol, 0x21);
  assert.equal(d.ipv4.offset, 1);
  assert.equal(d.icmp.seq, 1);
});

test('keeps an unknown PPP protocol (LCP) as its number', () => {
  const d = decode(pppLcp, LinkType.ppp);
  assertLayers(d, Layer.ppp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.pppProtocol, 0xc021);
});

// ip: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const rawIpv4 = echoRequest;

// ip: 2001:db8:ac::a > 2001:db8:ac::1: ICMP6, echo request, id 4660, seq 1, length 8
const rawIpv6 = echo6;

test('decodes raw IP (link type 101) by the version nibble: IPv4', () => {
  const d = decode(rawIpv4, LinkType.raw);
  assertLayers(d, Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.etherType, 0x0800);
  assert.equal(d.icmp.id, 0x1234);
});

test('decodes raw IP (link type 101) by the version nibble: IPv6', () => {
  const d = decode(rawIpv6, LinkType.raw);
  assertLayers(d, Layer.ipv6 | Layer.icmpv6);
  assert.deepEqual([...d.ipv6.src], ip6('2001:db8:ac::a'));
  assert.equal(d.icmpv6.seq, 1);
});

test('decodes LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) without looking at the nibble', () => {
  assertLayers(decode(rawIpv4, LinkType.ipv4), Layer.ipv4 | Layer.icmp);
  assertLayers(decode(rawIpv6, LinkType.ipv6), Layer.ipv6 | Layer.icmpv6);
  const wrong = decode(rawIpv6, LinkType.ipv4);
  assertLayers(wrong, Layer.none);
  assertStop(wrong, Layer.ipv4, Stop.unsupportedVersion);
});

test('an unknown link type stops before any layer and names the link type', () => {
  const d = decode(rawIpv4, 160);
  assertLayers(d, Layer.none);
  assertStop(d, Layer.none, Stop.unsupportedLinkType);
  assert.equal(d.stopHave, 160);
});

test('every cut of a PPP ICMP echo names PPP, then IPv4, then ICMP', () => {
  assertEveryCut(pppEcho, LinkType.ppp, [
    { layer: Layer.ppp, end: 4 },
    { layer: Layer.ipv4, end: 24 },
    { layer: Layer.icmp, reportedAt: 28, end: 32 },
  ]);
});

test('every cut of a raw IPv4 echo names the link until the version nibble is there, then IPv4, then ICMP', () => {
  assertEveryCut(rawIpv4, LinkType.raw, [
    { layer: Layer.none, end: 1 },
    { layer: Layer.ipv4, end: 20 },
    { layer: Layer.icmp, reportedAt: 24, end: 28 },
  ]);
});

test('every cut of a raw IPv6 echo names IPv6, then ICMPv6', () => {
  assertEveryCut(rawIpv6, LinkType.raw, [
    { layer: Layer.none, end: 1 },
    { layer: Layer.ipv6, end: 40 },
    { layer: Layer.icmpv6, reportedAt: 44, end: 48 },
  ]);
});
