import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatadvType } from '../../src/decode/batadv.js';
import { Layer, Stop } from '../../src/decode/layer.js';
import { NO_MAC } from '../../src/decode/read.js';
import { LinkType } from '../../src/core/link-type.js';
import {
  BATADV_SUBTYPE,
  ETHERTYPE,
  IP_PROTO,
  arp,
  batadvBroadcast,
  batadvUnicast,
  batadvUnicast4addr,
  ethernet,
  icmpEcho,
  ipv4,
} from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

// tcpdump 4.99 has no batman-adv printer: each line below is the first line it prints, followed by a hex dump.

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const NODE_A = '02:00:00:aa:00:01';
const NODE_B = '02:00:00:bb:00:01';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const PING_DATA = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));

const arpRequest = ethernet({
  dst: BROADCAST,
  src: CLIENT,
  type: ETHERTYPE.ARP,
  padTo60: false,
  payload: arp({ op: 1, sha: CLIENT, spa: '10.172.0.10', tha: '00:00:00:00:00:00', tpa: '10.172.0.1' }),
});
const echoRequest = ethernet({
  dst: GATEWAY,
  src: CLIENT,
  type: ETHERTYPE.IPV4,
  padTo60: false,
  payload: ipv4({
    src: '10.172.0.10',
    dst: '10.172.0.1',
    proto: IP_PROTO.ICMP,
    id: 0x4d01,
    flags: 2,
    payload: icmpEcho({ type: 8, id: 0x1234, seq: 1, payload: PING_DATA }),
  }),
});

// 02:00:00:aa:00:01 > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x4305), length 70:
const broadcastArp = ethernet({
  dst: BROADCAST,
  src: NODE_A,
  type: ETHERTYPE.BATADV,
  payload: batadvBroadcast({ ttl: 50, seqno: 4711, orig: NODE_A, inner: arpRequest }),
});

// 02:00:00:aa:00:01 > 02:00:00:bb:00:01, ethertype Unknown (0x4305), length 98:
const unicastEcho = ethernet({
  dst: NODE_B,
  src: NODE_A,
  type: ETHERTYPE.BATADV,
  payload: batadvUnicast({ ttl: 50, ttvn: 3, dest: NODE_B, inner: echoRequest }),
});

// 02:00:00:aa:00:01 > 02:00:00:bb:00:01, ethertype Unknown (0x4305), length 74:
const fourAddrArp = ethernet({
  dst: NODE_B,
  src: NODE_A,
  type: ETHERTYPE.BATADV,
  payload: batadvUnicast4addr({ ttl: 50, ttvn: 3, dest: NODE_B, src: NODE_A, subtype: BATADV_SUBTYPE.DAT_DHT_GET, inner: arpRequest }),
});

// 02:00:00:aa:00:01 > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x4305), length 60:
const ogm = ethernet({
  dst: BROADCAST,
  src: NODE_A,
  type: ETHERTYPE.BATADV,
  payload: Buffer.from('000f3200000012670200000000000000000000aa0001ff000000', 'hex'),
});

// 02:00:00:aa:00:01 > 02:00:00:bb:00:01, ethertype Unknown (0x4305), length 98:
const version14 = ethernet({
  dst: NODE_B,
  src: NODE_A,
  type: ETHERTYPE.BATADV,
  payload: batadvUnicast({ version: 14, ttl: 50, ttvn: 3, dest: NODE_B, inner: echoRequest }),
});

test('decodes a batman-adv broadcast: ethernet then holds the carried frame, batadv the outer addresses', () => {
  const d = decode(broadcastArp);
  assertLayers(d, Layer.ethernet | Layer.batadv | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  const b = d.batadv;
  assert.equal(b.packetType, BatadvType.broadcast);
  assert.equal(b.version, 15);
  assert.equal(b.ttl, 50);
  assert.equal(b.seqno, 4711);
  assert.equal(b.orig, macNum(NODE_A));
  assert.equal(b.dest, NO_MAC);
  assert.equal(b.outerSrc, macNum(NODE_A));
  assert.equal(b.outerDst, macNum(BROADCAST));
  assert.equal(b.innerOffset, 14 + 14);
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.ethernet.dst, macNum(BROADCAST));
  assert.equal(d.ethernet.etherType, 0x0806);
  assert.equal(d.l2Src, macNum(CLIENT));
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.1'));
});

test('decodes a batman-adv unicast: destination originator, TTVN, and the inner ICMP echo', () => {
  const d = decode(unicastEcho);
  assertLayers(d, Layer.ethernet | Layer.batadv | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  const b = d.batadv;
  assert.equal(b.packetType, BatadvType.unicast);
  assert.equal(b.ttl, 50);
  assert.equal(b.ttvn, 3);
  assert.equal(b.dest, macNum(NODE_B));
  assert.equal(b.orig, NO_MAC);
  assert.equal(b.outerSrc, macNum(NODE_A));
  assert.equal(b.outerDst, macNum(NODE_B));
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.ethernet.dst, macNum(GATEWAY));
  assert.equal(d.ipv4.dst, ip4('10.172.0.1'));
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
});

test('decodes a batman-adv 4-address unicast (DAT DHT GET): source originator and subtype', () => {
  const d = decode(fourAddrArp);
  assertLayers(d, Layer.ethernet | Layer.batadv | Layer.arp);
  const b = d.batadv;
  assert.equal(b.packetType, BatadvType.unicast4addr);
  assert.equal(b.dest, macNum(NODE_B));
  assert.equal(b.orig, macNum(NODE_A));
  assert.equal(b.subtype, BATADV_SUBTYPE.DAT_DHT_GET);
  assert.equal(b.innerOffset, 14 + 18);
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.arp.op, 1);
});

test('an OGM is mesh control traffic: batman-adv with its TTL and no carried frame', () => {
  const d = decode(ogm);
  assertLayers(d, Layer.ethernet | Layer.batadv);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.batadv.packetType, BatadvType.ivOgm);
  assert.equal(d.batadv.ttl, 50);
  assert.equal(d.batadv.innerOffset, -1);
  assert.equal(d.ethernet.src, macNum(NODE_A));
});

test('malformed: batman-adv compat version 14 stops as an unsupported version and keeps the outer Ethernet', () => {
  const d = decode(version14);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.batadv, Stop.unsupportedVersion);
  assert.deepEqual([d.stopNeed, d.stopHave], [15, 14]);
  assert.equal(d.ethernet.src, macNum(NODE_A));
  assert.equal(d.ethernet.etherType, 0x4305);
});

test('malformed: batman-adv inside batman-adv is refused rather than recursed into', () => {
  const nested = ethernet({
    dst: NODE_B,
    src: NODE_A,
    type: ETHERTYPE.BATADV,
    payload: batadvUnicast({ ttl: 50, ttvn: 3, dest: NODE_B, inner: unicastEcho }),
  });
  const d = decode(nested);
  assertLayers(d, Layer.ethernet | Layer.batadv);
  assertStop(d, Layer.batadv, Stop.malformed);
});

test('every cut of a batman-adv unicast names batman-adv, the inner Ethernet, IPv4, then ICMP', () => {
  // The inner Ethernet replaces the outer one in `layers` once batman-adv decoded.
  assertEveryCut(unicastEcho, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.batadv, end: 24 },
    { layer: Layer.ethernet, end: 38, clears: Layer.ethernet },
    { layer: Layer.ipv4, end: 58 },
    { layer: Layer.icmp, reportedAt: 62, end: 66 },
  ]);
});

test('every cut of a batman-adv broadcast of an ARP request keeps the layers before the cut', () => {
  assertEveryCut(broadcastArp, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.batadv, end: 28 },
    { layer: Layer.ethernet, end: 42, clears: Layer.ethernet },
    { layer: Layer.arp, reportedAt: 50, end: 70 },
  ]);
});
