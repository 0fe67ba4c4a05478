import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { MAX_VLAN_TAGS } from '../../src/decode/vlan.js';
import { LinkType } from '../../src/core/link-type.js';
import { ETHERTYPE, IP_PROTO, arp, ethernet, icmpEcho, ipv4, type VlanTag } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

const arpRequest = arp({ op: 1, sha: CLIENT, spa: '10.172.0.10', tha: '00:00:00:00:00:00', tpa: '10.172.0.1' });
const echoRequest = ipv4({
  src: '10.172.0.10',
  dst: '10.172.0.1',
  proto: IP_PROTO.ICMP,
  id: 0x4d01,
  flags: 2,
  payload: icmpEcho({ type: 8, id: 0x1234, seq: 1, payload: Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i)) }),
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 60: vlan 10, p 0, ethertype ARP (0x0806), Request who-has 10.172.0.1 tell 10.172.0.10, length 42
const vlanArp = ethernet({ dst: BROADCAST, src: CLIENT, type: ETHERTYPE.ARP, vlans: [{ tpid: 0x8100, id: 10 }], payload: arpRequest });

test('decodes an 802.1Q-tagged ARP request: Ethernet, one tag, ARP', () => {
  const d = decode(vlanArp);
  assertLayers(d, Layer.ethernet | Layer.vlan | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.src, macNum(CLIENT));
  assert.equal(d.ethernet.dst, macNum(BROADCAST));
  assert.equal(d.ethernet.etherType, 0x8100);
  assert.equal(d.vlan.count, 1);
  assert.equal(d.vlan.tpid[0], 0x8100);
  assert.equal(d.vlan.vid(0), 10);
  assert.equal(d.vlan.pcp(0), 0);
  assert.equal(d.vlan.innerVid(), 10);
  assert.equal(d.etherType, 0x0806);
  assert.equal(d.arp.op, 1);
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.1'));
});

// 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ethertype 802.1Q-QinQ (0x88a8), length 82: vlan 100, p 5, DEI, ethertype 802.1Q (0x8100), vlan 10, p 3, ethertype IPv4 (0x0800), 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const qinqEcho = ethernet({
  dst: GATEWAY,
  src: CLIENT,
  type: ETHERTYPE.IPV4,
  vlans: [
    { tpid: 0x88a8, id: 100, pcp: 5, dei: true },
    { tpid: 0x8100, id: 10, pcp: 3 },
  ],
  payload: echoRequest,
});

test('decodes QinQ (802.1ad S-tag, 802.1Q C-tag) outer tag first, with priority and DEI', () => {
  const d = decode(qinqEcho);
  assertLayers(d, Layer.ethernet | Layer.vlan | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.vlan.count, 2);
  assert.deepEqual([d.vlan.tpid[0], d.vlan.vid(0), d.vlan.pcp(0), d.vlan.dei(0)], [0x88a8, 100, 5, 1]);
  assert.deepEqual([d.vlan.tpid[1], d.vlan.vid(1), d.vlan.pcp(1), d.vlan.dei(1)], [0x8100, 10, 3, 0]);
  assert.equal(d.vlan.innerVid(), 10);
  assert.equal(d.ipv4.src, ip4('10.172.0.10'));
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
});

test('an untagged frame has no VLAN id', () => {
  const d = decode(ethernet({ dst: BROADCAST, src: CLIENT, type: ETHERTYPE.ARP, payload: arpRequest }));
  assertLayers(d, Layer.ethernet | Layer.arp);
  assert.equal(d.vlan.count, 0);
  assert.equal(d.vlan.innerVid(), -1);
});

// 02:00:00:00:00:0a > 01:80:c2:00:00:0e, ethertype LLDP (0x88cc), length 60: LLDP, length 46
const lldp = ethernet({ dst: '01:80:c2:00:00:0e', src: CLIENT, type: 0x88cc, payload: Buffer.from('0207040200000000000a04030702', 'hex') });

test('keeps an unknown EtherType as its number and stops without a reason', () => {
  const d = decode(lldp);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.etherType, 0x88cc);
  assert.equal(d.etherType, 0x88cc);
  assert.equal(d.ethernet.lengthField, -1);
});

const tags = (n: number): VlanTag[] => Array.from({ length: n }, (_, i) => ({ tpid: 0x8100, id: i + 1 }));

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 74: vlan 1, p 0, ethertype 802.1Q (0x8100), vlan 2, p 0, […] vlan 8, p 0, ethertype ARP (0x0806), Request who-has 10.172.0.1 tell 10.172.0.10, length 28
const eightTags = ethernet({ dst: BROADCAST, src: CLIENT, type: ETHERTYPE.ARP, vlans: tags(MAX_VLAN_TAGS), payload: arpRequest });

test('decodes eight stacked VLAN tags, the most it accepts', () => {
  const d = decode(eightTags);
  assertLayers(d, Layer.ethernet | Layer.vlan | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.vlan.count, 8);
  assert.equal(d.vlan.innerVid(), 8);
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 78: vlan 1, p 0, ethertype 802.1Q (0x8100), vlan 2, p 0, […] vlan 9, p 0, ethertype ARP (0x0806), Request who-has 10.172.0.1 tell 10.172.0.10, length 28
const nineTags = ethernet({ dst: BROADCAST, src: CLIENT, type: ETHERTYPE.ARP, vlans: tags(MAX_VLAN_TAGS + 1), payload: arpRequest });

test('malformed: a ninth VLAN tag stops decoding as malformed and keeps the eight before it', () => {
  const d = decode(nineTags);
  assertLayers(d, Layer.ethernet | Layer.vlan);
  assertStop(d, Layer.vlan, Stop.malformed);
  assert.equal(d.vlan.count, 8);
  assert.equal(d.vlan.vid(7), 8);
});

// 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, 802.3, length 36: LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: oui Ethernet (0x000000), ethertype ARP (0x0806), length 28: Request who-has 10.172.0.1 tell 10.172.0.10, length 28
const snapBody = Buffer.concat([Buffer.from('aaaa03000000', 'hex'), Buffer.from([0x08, 0x06]), arpRequest]);
const snapArp = ethernet({ dst: BROADCAST, src: CLIENT, type: snapBody.length, payload: snapBody });

test('malformed: an 802.3 frame with LLC/SNAP carrying ARP decodes the ARP, limited by the 802.3 length', () => {
  const d = decode(snapArp);
  assertLayers(d, Layer.ethernet | Layer.llc | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.lengthField, 36);
  assert.equal(d.ethernet.snap, true);
  assert.equal(d.ethernet.etherType, 0x0806);
  assert.equal(d.ethernet.payloadOffset, 22);
  assert.equal(d.ethernet.end, 14 + 36);
  assert.equal(d.arp.offset, 22);
  assert.equal(d.arp.op, 1);
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.1'));
});

// 02:00:00:00:00:0a > 01:80:c2:00:00:00, 802.3, length 37: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config (invalid)
const stpBody = Buffer.from('4242030000000000800002000000000a0000000080000200000000000a8001000014000200', 'hex');
const stp = ethernet({ dst: '01:80:c2:00:00:00', src: CLIENT, type: stpBody.length, payload: stpBody });

test('an 802.3 frame without SNAP keeps its length field and has no EtherType', () => {
  const d = decode(stp);
  assertLayers(d, Layer.ethernet);
  assertStop(d, Layer.none, Stop.none);
  assert.equal(d.ethernet.lengthField, 37);
  assert.equal(d.ethernet.etherType, 0);
  assert.equal(d.ethernet.snap, false);
});

test('every cut of a tagged ARP request keeps the layers before it and names the layer cut', () => {
  assertEveryCut(vlanArp, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.vlan, end: 18 },
    { layer: Layer.arp, reportedAt: 18 + 8, end: 18 + 28 },
  ]);
});

test('keeps Ethernet and both tags when the snap length cuts a QinQ ICMP echo; the echo payload is never needed', () => {
  assertEveryCut(qinqEcho, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.vlan, end: 18 },
    { layer: Layer.vlan, end: 22 },
    { layer: Layer.ipv4, end: 42 },
    { layer: Layer.icmp, reportedAt: 46, end: 50 },
  ]);
});

test('every cut of an 802.3 LLC/SNAP ARP names the LLC header, then ARP, as the layer cut', () => {
  assertEveryCut(snapArp, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.llc, end: 22 },
    { layer: Layer.arp, reportedAt: 22 + 8, end: 22 + 28 },
  ]);
});
