import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { NO_MAC } from '../../src/decode/read.js';
import { LinkType } from '../../src/core/link-type.js';
import { ETHERTYPE, arp, ethernet } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const NODE_A = '02:00:00:aa:00:01';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.172.0.1 tell 10.172.0.10, length 46
const request = ethernet({
  dst: BROADCAST,
  src: CLIENT,
  type: ETHERTYPE.ARP,
  payload: arp({ op: 1, sha: CLIENT, spa: '10.172.0.10', tha: '00:00:00:00:00:00', tpa: '10.172.0.1' }),
});

// 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ethertype ARP (0x0806), length 60: Reply 10.172.0.1 is-at 02:ca:fe:ac:00:01, length 46
const reply = ethernet({
  dst: CLIENT,
  src: GATEWAY,
  type: ETHERTYPE.ARP,
  payload: arp({ op: 2, sha: GATEWAY, spa: '10.172.0.1', tha: CLIENT, tpa: '10.172.0.10' }),
});

test('decodes an ARP request: Ethernet then ARP, every address as a number', () => {
  const d = decode(request);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.ethernet.dst, macNum(BROADCAST));
  assert.equal(d.ethernet.etherType, 0x0806);
  assert.equal(d.etherType, 0x0806);
  assert.equal(d.l2Src, macNum(CLIENT));
  assert.equal(d.l2Dst, macNum(BROADCAST));
  const a = d.arp;
  assert.equal(a.htype, 1);
  assert.equal(a.ptype, 0x0800);
  assert.equal(a.hlen, 6);
  assert.equal(a.plen, 4);
  assert.equal(a.op, 1);
  assert.equal(a.sha, macNum(CLIENT));
  assert.equal(a.spa, ip4('10.172.0.10'));
  assert.equal(a.tha, 0);
  assert.equal(a.tpa, ip4('10.172.0.1'));
  assert.equal(a.isEthernetIpv4(), true);
  assert.equal(a.complete, true);
});

test('decodes an ARP reply with the sender and target the other way round', () => {
  const d = decode(reply);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assert.equal(d.ethernet.src, macNum(GATEWAY));
  assert.equal(d.ethernet.dst, macNum(CLIENT));
  assert.equal(d.arp.op, 2);
  assert.equal(d.arp.sha, macNum(GATEWAY));
  assert.equal(d.arp.spa, ip4('10.172.0.1'));
  assert.equal(d.arp.tha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.10'));
});

test('limits ARP to its own 8+2h+2p bytes: the 18 bytes of Ethernet padding are not ARP', () => {
  const d = decode(request);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assert.equal(request.length, 60);
  assert.equal(d.arp.length, 28);
  assert.equal(d.arp.offset, 14);
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.172.0.1 tell 10.172.0.10, length 28
const unpadded = ethernet({
  dst: BROADCAST,
  src: CLIENT,
  type: ETHERTYPE.ARP,
  padTo60: false,
  payload: arp({ op: 1, sha: CLIENT, spa: '10.172.0.10', tha: '00:00:00:00:00:00', tpa: '10.172.0.1' }),
});

test('decodes an unpadded ARP request (a capture on the sending host) exactly like the padded one', () => {
  const d = decode(unpadded);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.1'));
});

// 02:00:00:aa:00:01 > 02:00:00:00:00:0a, ethertype ARP (0x0806), length 60: Reply 10.172.0.1 is-at 02:ca:fe:ac:00:01, length 46
const mismatched = ethernet({
  dst: CLIENT,
  src: NODE_A,
  type: ETHERTYPE.ARP,
  payload: arp({ op: 2, sha: GATEWAY, spa: '10.172.0.1', tha: CLIENT, tpa: '10.172.0.10' }),
});

test('keeps an ARP reply whose Ethernet source differs from its sender MAC: the mismatch is evidence, not an error', () => {
  const d = decode(mismatched);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.src, macNum(NODE_A));
  assert.equal(d.arp.sha, macNum(GATEWAY));
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype Reverse ARP (0x8035), length 60: Reverse Request who-is 02:00:00:00:00:0a tell 02:00:00:00:00:0a, length 46
const rarp = ethernet({
  dst: BROADCAST,
  src: CLIENT,
  type: 0x8035,
  payload: arp({ op: 3, sha: CLIENT, spa: '0.0.0.0', tha: CLIENT, tpa: '0.0.0.0' }),
});

test('decodes RARP (EtherType 0x8035) with the same ARP view and remembers the EtherType', () => {
  const d = decode(rarp);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assert.equal(d.arp.etherType, 0x8035);
  assert.equal(d.arp.op, 3);
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tha, macNum(CLIENT));
  assert.equal(d.arp.spa, 0);
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Unknown (4660)
const unknownOp = Buffer.from(request);
unknownOp.writeUInt16BE(0x1234, 20);

test('keeps an unknown ARP opcode as its number', () => {
  const d = decode(unknownOp);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.arp.op, 0x1234);
  assert.equal(d.arp.sha, macNum(CLIENT));
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 70: Request who-has 0.0.0.0 tell 0.0.0.0, length 56
const longHardware = (() => {
  const body = Buffer.alloc(8 + 2 * 20 + 2 * 4);
  body.writeUInt16BE(32, 0); // ARPHRD_INFINIBAND
  body.writeUInt16BE(0x0800, 2);
  body[4] = 20;
  body[5] = 4;
  body.writeUInt16BE(1, 6);
  body.fill(0xab, 8, 28); // sender hardware address
  return ethernet({ dst: BROADCAST, src: CLIENT, type: ETHERTYPE.ARP, payload: body });
})();

test('keeps 20-byte hardware addresses as offsets only: no MAC number, IPv4 addresses still read', () => {
  const d = decode(longHardware);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assert.equal(d.arp.hlen, 20);
  assert.equal(d.arp.length, 56);
  assert.equal(d.arp.sha, NO_MAC);
  assert.equal(d.arp.tha, NO_MAC);
  assert.equal(d.arp.spa, 0);
  assert.equal(d.arp.shaOffset, 22);
  assert.equal(d.arp.tpaOffset, 22 + 20 + 4 + 20);
  assert.equal(d.arp.isEthernetIpv4(), false);
  assert.equal(d.arp.complete, true);
});

test('keeps Ethernet and the fixed ARP part when the snap length cuts an ARP request inside its addresses', () => {
  // The second frame of truncated-snaplen.pcap: caplen 34 of 60.
  // 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60:  [|arp]
  const d = decode(request, LinkType.ethernet, 34);
  assertLayers(d, Layer.ethernet | Layer.arp);
  assertStop(d, Layer.arp, Stop.truncated);
  assert.equal(d.stopNeed, 28);
  assert.equal(d.stopHave, 20);
  assert.equal(d.arp.op, 1);
  assert.equal(d.arp.complete, false);
  assert.equal(d.arp.sha, NO_MAC);
  assert.equal(d.arp.spa, -1);
});

test('every cut of an ARP request keeps the layers before it and names the layer cut; the padding is never needed', () => {
  assertEveryCut(request, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.arp, reportedAt: 14 + 8, end: 14 + 28 },
  ]);
});

test('every cut of an ARP reply with 20-byte hardware addresses is judged by its own 56-byte length', () => {
  assertEveryCut(longHardware, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.arp, reportedAt: 14 + 8, end: 14 + 56 },
  ]);
});
