import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { LinkType } from '../../src/core/link-type.js';
import { ETHERTYPE, IP_PROTO, ethernet, icmpEcho, icmpError, ipv4, tcp, udp } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const PING_DATA = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const echoRequest = ethernet({
  dst: GATEWAY,
  src: CLIENT,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: '10.172.0.10',
    dst: '10.172.0.1',
    proto: IP_PROTO.ICMP,
    id: 0x4d01,
    flags: 2,
    payload: icmpEcho({ type: 8, id: 0x1234, seq: 1, payload: PING_DATA }),
  }),
});

// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 74: 10.172.0.1 > 10.172.0.10: ICMP echo reply, id 4660, seq 1, length 40
const echoReply = ethernet({
  dst: CLIENT,
  src: GATEWAY,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: '10.172.0.1',
    dst: '10.172.0.10',
    proto: IP_PROTO.ICMP,
    id: 0x9a02,
    ttl: 63,
    payload: icmpEcho({ type: 0, id: 0x1234, seq: 1, payload: PING_DATA }),
  }),
});

const udpProbe = ipv4({
  src: '10.172.0.10',
  dst: '10.172.0.1',
  proto: IP_PROTO.UDP,
  id: 0x4d03,
  ttl: 1,
  payload: udp({ sport: 53000, dport: 33434, payload: Buffer.from('anycast-probe') }),
});
// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 60: 10.172.0.10.53000 > 10.172.0.1.33434: UDP, length 13
const udpFrame = ethernet({ dst: GATEWAY, src: CLIENT, type: ETHERTYPE.IPV4, payload: udpProbe });

// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 70: 10.172.0.1 > 10.172.0.10: ICMP 10.172.0.1 udp port 33434 unreachable, length 36
const portUnreachable = ethernet({
  dst: CLIENT,
  src: GATEWAY,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: '10.172.0.1',
    dst: '10.172.0.10',
    proto: IP_PROTO.ICMP,
    id: 0x9a03,
    payload: icmpError({ type: 3, code: 3, original: udpProbe.subarray(0, 28) }),
  }),
});

const pingOut = ipv4({ src: '10.172.0.10', dst: '198.51.100.7', proto: IP_PROTO.ICMP, id: 0x4d04, ttl: 1, payload: icmpEcho({ type: 8, id: 0x1234, seq: 9 }) });
// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 70: 10.172.0.1 > 10.172.0.10: ICMP time exceeded in-transit, length 36
const timeExceeded = ethernet({
  dst: CLIENT,
  src: GATEWAY,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: '10.172.0.1',
    dst: '10.172.0.10',
    proto: IP_PROTO.ICMP,
    id: 0x9a04,
    payload: icmpError({ type: 11, code: 0, original: pingOut.subarray(0, 28) }),
  }),
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 60: 10.172.0.10.40000 > 10.172.0.1.443: Flags [S], seq 1000000, win 64240, length 0
const tcpSyn = ethernet({
  dst: GATEWAY,
  src: CLIENT,
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: '10.172.0.10',
    dst: '10.172.0.1',
    proto: IP_PROTO.TCP,
    id: 0x4d02,
    flags: 2,
    payload: tcp({ sport: 40000, dport: 443, seq: 1000000, flags: 2 }),
  }),
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 66: 10.172.0.10 > 10.172.0.1: ip-proto-1
const laterFragment = ethernet({
  dst: GATEWAY,
  src: CLIENT,
  type: ETHERTYPE.IPV4,
  payload: ipv4({ src: '10.172.0.10', dst: '10.172.0.1', proto: IP_PROTO.ICMP, id: 0x4d05, fragOffset: 185, payload: PING_DATA }),
});

test('decodes an ICMP echo request: Ethernet, IPv4, ICMP with identifier and sequence', () => {
  const d = decode(echoRequest);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.ethernet.dst, macNum(GATEWAY));
  const ip = d.ipv4;
  assert.equal(ip.version, 4);
  assert.equal(ip.headerLength, 20);
  assert.equal(ip.totalLength, 60);
  assert.equal(ip.id, 0x4d01);
  assert.equal(ip.flags, 2);
  assert.equal(ip.fragmentOffset, 0);
  assert.equal(ip.ttl, 64);
  assert.equal(ip.protocol, 1);
  assert.equal(ip.src, ip4('10.172.0.10'));
  assert.equal(ip.dst, ip4('10.172.0.1'));
  assert.equal(ip.truncated, false);
  assert.equal(d.icmp.type, 8);
  assert.equal(d.icmp.code, 0);
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
  assert.equal(d.icmp.length, 40);
  assert.equal(d.icmp.innerValid, false);
});

test('decodes an ICMP echo reply with its TTL', () => {
  const d = decode(echoReply);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  assert.equal(d.ipv4.ttl, 63);
  assert.equal(d.ipv4.src, ip4('10.172.0.1'));
  assert.equal(d.icmp.type, 0);
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
});

test('decodes a port unreachable with the quoted IPv4 header and UDP ports of the probe', () => {
  const d = decode(portUnreachable);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  const c = d.icmp;
  assert.equal(c.type, 3);
  assert.equal(c.code, 3);
  assert.equal(c.id, -1);
  assert.equal(c.seq, -1);
  assert.equal(c.innerValid, true);
  assert.equal(c.innerSrc, ip4('10.172.0.10'));
  assert.equal(c.innerDst, ip4('10.172.0.1'));
  assert.equal(c.innerProtocol, 17);
  assert.equal(c.innerSrcPort, 53000);
  assert.equal(c.innerDstPort, 33434);
});

test('decodes a time exceeded quoting an echo request: the quoted id and sequence stand in for ports', () => {
  const d = decode(timeExceeded);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  const c = d.icmp;
  assert.equal(c.type, 11);
  assert.equal(c.code, 0);
  assert.equal(c.innerValid, true);
  assert.equal(c.innerDst, ip4('198.51.100.7'));
  assert.equal(c.innerProtocol, 1);
  assert.equal(c.innerSrcPort, 0x1234);
  assert.equal(c.innerDstPort, 9);
});

test('decodes UDP ports and limits IPv4 to total_length, not the Ethernet padding', () => {
  const d = decode(udpFrame);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.udp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(udpFrame.length, 60);
  assert.equal(d.ipv4.totalLength, 41);
  assert.equal(d.ipv4.end, 14 + 41);
  assert.equal(d.ipv4.truncated, false);
  assert.equal(d.ipv4.ttl, 1);
  assert.equal(d.udp.srcPort, 53000);
  assert.equal(d.udp.dstPort, 33434);
  assert.equal(d.udp.length, 21);
});

test('decodes TCP ports, sequence number and flags', () => {
  const d = decode(tcpSyn);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.tcp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ipv4.end, 14 + 40);
  assert.equal(d.tcp.srcPort, 40000);
  assert.equal(d.tcp.dstPort, 443);
  assert.equal(d.tcp.seq, 1000000);
  assert.equal(d.tcp.flags, 0x02);
  assert.equal(d.tcp.headerLength, 20);
});

test('does not look for ICMP in a later fragment', () => {
  const d = decode(laterFragment);
  assertLayers(d, Layer.ethernet | Layer.ipv4);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ipv4.fragmentOffset, 185);
  assert.equal(d.ipv4.isLaterFragment(), true);
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: bad-hlen 16
const shortHeader = Buffer.from(echoRequest);
shortHeader[14] = 0x44;

test('malformed: an IPv4 header length below 20 stops at IPv4 as malformed', () => {
  const d = decode(shortHeader);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.ipv4, Stop.malformed);
  assert.equal(d.stopNeed, 20);
  assert.equal(d.stopHave, 16);
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: bad-len 16
const shortTotal = Buffer.from(echoRequest);
shortTotal.writeUInt16BE(16, 16);

test('malformed: a total length below the header length stops at IPv4 as malformed', () => {
  const d = decode(shortTotal);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.ipv4, Stop.malformed);
  assert.equal(d.stopNeed, 20);
  assert.equal(d.stopHave, 16);
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: IP6, wrong link-layer encapsulation (invalid)
const wrongVersion = Buffer.from(echoRequest);
wrongVersion[14] = 0x65;

test('an IPv6 version nibble under EtherType IPv4 stops as an unsupported version', () => {
  const d = decode(wrongVersion);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.ipv4, Stop.unsupportedVersion);
  assert.equal(d.stopHave, 6);
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: bad-len 0
const tsoZeroLength = Buffer.from(echoRequest);
tsoZeroLength.writeUInt16BE(0, 16);

test('a total length of 0 (TSO on the capturing host) lets the captured length stand in', () => {
  const d = decode(tsoZeroLength);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ipv4.totalLength, 0);
  assert.equal(d.ipv4.end, 74);
  assert.equal(d.icmp.seq, 1);
});

test('keeps Ethernet and IPv4 when the snap length cuts an ICMP echo', () => {
  // The first frame of truncated-snaplen.pcap: caplen 38 of 74.
  // 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype IPv4 (0x0800), length 74: 10.172.0.10 > 10.172.0.1:  [|icmp]
  const d = decode(echoRequest, LinkType.ethernet, 38);
  assertLayers(d, Layer.ethernet | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.icmp, Stop.truncated);
  assert.deepEqual([d.stopNeed, d.stopHave], [8, 4]);
  assert.equal(d.ipv4.truncated, true);
  assert.equal(d.ipv4.src, ip4('10.172.0.10'));
  assert.equal(d.icmp.type, 8);
  assert.equal(d.icmp.id, -1);
});

test('every cut of an ICMP echo keeps the layers before it; the echo payload is never needed', () => {
  assertEveryCut(echoRequest, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv4, end: 34 },
    { layer: Layer.icmp, reportedAt: 38, end: 42 },
  ]);
});

test('every cut of a port unreachable names ICMP until the quoted IPv4 header and ports are there', () => {
  assertEveryCut(portUnreachable, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv4, end: 34 },
    { layer: Layer.icmp, reportedAt: 38, end: 42 + 20 + 4 },
  ]);
});

test('every cut of a padded UDP datagram names UDP until its 8 bytes are there; the padding is never needed', () => {
  assertEveryCut(udpFrame, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv4, end: 34 },
    { layer: Layer.udp, end: 42 },
  ]);
});

test('every cut of a padded TCP SYN names TCP until its 20 bytes are there', () => {
  assertEveryCut(tcpSyn, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv4, end: 34 },
    { layer: Layer.tcp, end: 54 },
  ]);
});
