import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { NO_MAC } from '../../src/decode/read.js';
import { LinkType } from '../../src/core/link-type.js';
import { ETHERTYPE, IP_PROTO, ethernet, icmpv6Echo, ipv6, neighborAdvert, neighborSolicit, routerAdvert, routerSolicit } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip6, macNum } from '../support/decode.js';

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const PING_DATA = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));
const ipv6Frame = (dst: string, src: string, payload: Buffer): Buffer => ethernet({ dst, src, type: ETHERTYPE.IPV6, payload });

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv6 (0x86dd), length 94: 2001:db8:ac::a > 2001:db8:ac::1: ICMP6, echo request, id 4660, seq 1, length 40
const echoRequest = ipv6Frame(
  GATEWAY,
  CLIENT,
  ipv6({
    src: '2001:db8:ac::a',
    dst: '2001:db8:ac::1',
    next: IP_PROTO.ICMPV6,
    trafficClass: 0xb8,
    flowLabel: 0x12345,
    payload: icmpv6Echo({ type: 128, id: 0x1234, seq: 1, payload: PING_DATA }),
  }),
);

// 02:00:00:00:00:0a > 33:33:ff:00:00:01, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:a > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fe80::1, length 32
const solicit = ipv6Frame(
  '33:33:ff:00:00:01',
  CLIENT,
  ipv6({
    src: 'fe80::ff:fe00:a',
    dst: 'ff02::1:ff00:1',
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: neighborSolicit({ target: 'fe80::1', slla: CLIENT }),
  }),
);

// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype IPv6 (0x86dd), length 86: fe80::1 > fe80::ff:fe00:a: ICMP6, neighbor advertisement, tgt is fe80::1, length 32
const advert = ipv6Frame(
  CLIENT,
  GATEWAY,
  ipv6({
    src: 'fe80::1',
    dst: 'fe80::ff:fe00:a',
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: neighborAdvert({ target: 'fe80::1', flags: { router: true, solicited: true, override: true }, tlla: GATEWAY }),
  }),
);

// 02:00:00:00:00:0a > 33:33:00:00:00:02, ethertype IPv6 (0x86dd), length 70: fe80::ff:fe00:a > ff02::2: ICMP6, router solicitation, length 16
const routerSol = ipv6Frame(
  '33:33:00:00:00:02',
  CLIENT,
  ipv6({
    src: 'fe80::ff:fe00:a',
    dst: 'ff02::2',
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: routerSolicit({ slla: CLIENT }),
  }),
);

// 02:ca:fe:ac:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 110: fe80::1 > ff02::1: ICMP6, router advertisement, length 56
const routerAdv = ipv6Frame(
  '33:33:00:00:00:01',
  GATEWAY,
  ipv6({
    src: 'fe80::1',
    dst: 'ff02::1',
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: routerAdvert({ hopLimit: 64, lifetime: 1800, managed: true, slla: GATEWAY, prefix: { prefix: '2001:db8:ac::', length: 64 } }),
  }),
);

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv6 (0x86dd), length 102: 2001:db8:ac::a > 2001:db8:ac::1: HBH ICMP6, echo request, id 4660, seq 2, length 40
const hopByHopEcho = ipv6Frame(
  GATEWAY,
  CLIENT,
  ipv6({
    src: '2001:db8:ac::a',
    dst: '2001:db8:ac::1',
    next: IP_PROTO.ICMPV6,
    hopByHop: true,
    payload: icmpv6Echo({ type: 128, id: 0x1234, seq: 2, payload: PING_DATA }),
  }),
);

const lostEcho = ipv6({ src: '2001:db8:ac::a', dst: '2001:db8:ff::9', next: IP_PROTO.ICMPV6, payload: icmpv6Echo({ type: 128, id: 0x1234, seq: 3 }) });
// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype IPv6 (0x86dd), length 110: 2001:db8:ac::1 > 2001:db8:ac::a: ICMP6, destination unreachable, unreachable address 2001:db8:ff::9, length 56
const unreachable = ipv6Frame(
  CLIENT,
  GATEWAY,
  ipv6({
    src: '2001:db8:ac::1',
    dst: '2001:db8:ac::a',
    next: IP_PROTO.ICMPV6,
    payload: Buffer.concat([Buffer.from([1, 3, 0, 0, 0, 0, 0, 0]), lostEcho.subarray(0, 48)]),
  }),
);

test('decodes an ICMPv6 echo request: Ethernet, IPv6 (addresses as four words), ICMPv6 id and sequence', () => {
  const d = decode(echoRequest);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.etherType, 0x86dd);
  const ip = d.ipv6;
  assert.deepEqual([...ip.src], ip6('2001:db8:ac::a'));
  assert.deepEqual([...ip.dst], ip6('2001:db8:ac::1'));
  assert.equal(ip.trafficClass, 0xb8);
  assert.equal(ip.flowLabel, 0x12345);
  assert.equal(ip.payloadLength, 40);
  assert.equal(ip.firstNextHeader, 58);
  assert.equal(ip.nextHeader, 58);
  assert.equal(ip.hopLimit, 64);
  assert.equal(ip.extensionHeaders, 0);
  assert.equal(d.icmpv6.type, 128);
  assert.equal(d.icmpv6.code, 0);
  assert.equal(d.icmpv6.id, 0x1234);
  assert.equal(d.icmpv6.seq, 1);
  assert.equal(d.icmpv6.hasTarget, false);
});

test('decodes a neighbor solicitation with its target and source link-layer address option', () => {
  const d = decode(solicit);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.dst, macNum('33:33:ff:00:00:01'));
  assert.equal(d.ipv6.hopLimit, 255);
  assert.deepEqual([...d.ipv6.dst], ip6('ff02::1:ff00:1'));
  const c = d.icmpv6;
  assert.equal(c.type, 135);
  assert.equal(c.hasTarget, true);
  assert.deepEqual([...c.target], ip6('fe80::1'));
  assert.equal(c.sourceLinkAddr, macNum(CLIENT));
  assert.equal(c.targetLinkAddr, NO_MAC);
  assert.equal(c.badOption, false);
  assert.equal(c.id, -1);
});

test('decodes a neighbor advertisement with router/solicited/override flags and the target link-layer address', () => {
  const d = decode(advert);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  const c = d.icmpv6;
  assert.equal(c.type, 136);
  assert.deepEqual([...c.target], ip6('fe80::1'));
  assert.equal(c.naFlags, 0xe0);
  assert.equal(c.targetLinkAddr, macNum(GATEWAY));
  assert.equal(c.sourceLinkAddr, NO_MAC);
});

test('decodes a router solicitation with its source link-layer address', () => {
  const d = decode(routerSol);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assert.equal(d.icmpv6.type, 133);
  assert.equal(d.icmpv6.sourceLinkAddr, macNum(CLIENT));
  assert.equal(d.icmpv6.raLifetime, -1);
  assert.equal(d.icmpv6.hasTarget, false);
});

test('decodes a router advertisement: hop limit, flags, lifetime, source link-layer address and one prefix', () => {
  const d = decode(routerAdv);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  const c = d.icmpv6;
  assert.equal(c.type, 134);
  assert.equal(c.raHopLimit, 64);
  assert.equal(c.raFlags, 0x80);
  assert.equal(c.raLifetime, 1800);
  assert.equal(c.sourceLinkAddr, macNum(GATEWAY));
  assert.equal(c.prefixCount, 1);
  assert.equal(c.badOption, false);
});

test('walks a Hop-by-Hop header to the ICMPv6 echo behind it', () => {
  const d = decode(hopByHopEcho);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ipv6.firstNextHeader, 0);
  assert.equal(d.ipv6.nextHeader, 58);
  assert.equal(d.ipv6.extensionHeaders, 1);
  assert.equal(d.ipv6.payloadOffset, 14 + 40 + 8);
  assert.equal(d.icmpv6.seq, 2);
});

test('decodes a destination unreachable with the quoted IPv6 header', () => {
  const d = decode(unreachable);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  const c = d.icmpv6;
  assert.equal(c.type, 1);
  assert.equal(c.code, 3);
  assert.equal(c.innerValid, true);
  assert.deepEqual([...c.innerSrc], ip6('2001:db8:ac::a'));
  assert.deepEqual([...c.innerDst], ip6('2001:db8:ff::9'));
  assert.equal(c.innerNextHeader, 58);
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv6 (0x86dd), length 70: 2001:db8:ac::a > 2001:db8:ac::1:  [|hbhopt]
const chainPastEnd = ipv6Frame(
  GATEWAY,
  CLIENT,
  ipv6({
    src: '2001:db8:ac::a',
    dst: '2001:db8:ac::1',
    next: IP_PROTO.HOPOPTS,
    // Hop-by-Hop header claiming (6 + 1) * 8 = 56 bytes, in a payload of 16.
    payload: Buffer.concat([Buffer.from([58, 6, 1, 4, 0, 0, 0, 0]), icmpv6Echo({ type: 128, id: 1, seq: 1 })]),
  }),
);

test('malformed: an extension header running past the payload length stops at IPv6 as malformed, keeping the IPv6 header', () => {
  const d = decode(chainPastEnd);
  assertLayers(d, Layer.ethernet | Layer.ipv6);
  assertStop(d, Layer.ipv6, Stop.malformed);
  assert.deepEqual([d.stopNeed, d.stopHave], [40 + 56, 40 + 16]);
});

test('an extension header the capture cut (payload length covers it) is truncated, not malformed, keeping the IPv6 header', () => {
  const d = decode(hopByHopEcho, LinkType.ethernet, 14 + 40 + 6);
  assertLayers(d, Layer.ethernet | Layer.ipv6);
  assertStop(d, Layer.ipv6, Stop.truncated);
});

// 02:00:00:00:00:0a > 33:33:ff:00:00:01, ethertype IPv6 (0x86dd), length 94: fe80::ff:fe00:a > ff02::1:ff00:1: ICMP6, neighbor solicitation, who has fe80::1, length 40
const zeroLengthOption = ipv6Frame(
  '33:33:ff:00:00:01',
  CLIENT,
  ipv6({
    src: 'fe80::ff:fe00:a',
    dst: 'ff02::1:ff00:1',
    next: IP_PROTO.ICMPV6,
    hlim: 255,
    payload: Buffer.concat([neighborSolicit({ target: 'fe80::1', slla: CLIENT }), Buffer.from([14, 0, 0, 0, 0, 0, 0, 0])]),
  }),
);

test('malformed: an NDP option of length 0 ends the option walk, flags badOption and keeps what came before', () => {
  const d = decode(zeroLengthOption);
  // Still a neighbor solicitation: the decoder reports the bad option as a fact for the detectors.
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.icmpv6.badOption, true);
  assert.deepEqual([...d.icmpv6.target], ip6('fe80::1'));
  assert.equal(d.icmpv6.sourceLinkAddr, macNum(CLIENT));
});

test('every cut of an ICMPv6 echo keeps the layers before it; the echo payload is never needed', () => {
  assertEveryCut(echoRequest, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv6, end: 54 },
    { layer: Layer.icmpv6, reportedAt: 58, end: 62 },
  ]);
});

test('every cut of a neighbor solicitation names ICMPv6 until its target and SLLA option are whole', () => {
  assertEveryCut(solicit, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv6, end: 54 },
    { layer: Layer.icmpv6, reportedAt: 58, end: 54 + 32 },
  ]);
});

test('every cut of a router advertisement names ICMPv6 until its prefix option is whole', () => {
  assertEveryCut(routerAdv, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv6, end: 54 },
    { layer: Layer.icmpv6, reportedAt: 58, end: 54 + 56 },
  ]);
});

test('every cut of an echo behind a Hop-by-Hop header names IPv6 until the extension header is whole (the IPv6 layer shows from its fixed header on)', () => {
  assertEveryCut(hopByHopEcho, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv6, reportedAt: 54, end: 62 },
    { layer: Layer.icmpv6, reportedAt: 66, end: 70 },
  ]);
});

test('every cut of a destination unreachable names ICMPv6 until the quoted IPv6 header is whole', () => {
  assertEveryCut(unreachable, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv6, end: 54 },
    { layer: Layer.icmpv6, reportedAt: 58, end: 62 + 40 },
  ]);
});
