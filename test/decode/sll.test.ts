import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { NO_MAC } from '../../src/decode/read.js';
import { SllPacketType } from '../../src/decode/sll.js';
import { LinkType } from '../../src/core/link-type.js';
import { IP_PROTO, arp, icmpEcho, ipv4, sll, sll2 } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

const CLIENT = '02:00:00:00:00:0a';
const GATEWAY = '02:ca:fe:ac:00:01';
const PING_DATA = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x10 + i));

const arpRequest = arp({ op: 1, sha: CLIENT, spa: '10.172.0.10', tha: '00:00:00:00:00:00', tpa: '10.172.0.1' });
const echoRequest = ipv4({
  src: '10.172.0.10',
  dst: '10.172.0.1',
  proto: IP_PROTO.ICMP,
  id: 0x4d01,
  flags: 2,
  payload: icmpEcho({ type: 8, id: 0x1234, seq: 1, payload: PING_DATA }),
});

//   B 02:00:00:00:00:0a ethertype ARP (0x0806), length 44: Request who-has 10.172.0.1 tell 10.172.0.10, length 28
const sllArp = sll({ pktType: SllPacketType.broadcast, addr: CLIENT, proto: 0x0806, payload: arpRequest });

// Out 02:ca:fe:ac:00:01 ethertype IPv4 (0x0800), length 76: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const sllOutgoing = sll({ pktType: SllPacketType.outgoing, addr: GATEWAY, proto: 0x0800, payload: echoRequest });

// ?     In  ifindex 105 02:00:00:00:00:0a ethertype IPv4 (0x0800), length 80: 10.172.0.10 > 10.172.0.1: ICMP echo request, id 4660, seq 1, length 40
const sll2Echo = sll2({ pktType: SllPacketType.host, addr: CLIENT, proto: 0x0800, ifIndex: 105, payload: echoRequest });

test('decodes a Linux cooked (SLL) ARP request: packet type, hardware type, sender address, no destination', () => {
  const d = decode(sllArp, LinkType.linuxSll);
  assertLayers(d, Layer.sll | Layer.arp);
  assertStop(d, Layer.none, Stop.none);
  const s = d.sll;
  assert.equal(s.version, 1);
  assert.equal(s.packetType, SllPacketType.broadcast);
  assert.equal(s.haType, 1);
  assert.equal(s.addrLen, 6);
  assert.equal(s.addr, macNum(CLIENT));
  assert.equal(s.protocol, 0x0806);
  assert.equal(s.ifIndex, 0);
  assert.equal(s.payloadOffset, 16);
  assert.equal(d.l2Src, macNum(CLIENT));
  assert.equal(d.l2Dst, NO_MAC);
  assert.equal(d.arp.op, 1);
  assert.equal(d.arp.sha, macNum(CLIENT));
  assert.equal(d.arp.tpa, ip4('10.172.0.1'));
});

test('decodes an outgoing SLL ICMP echo: the address is our own sender address', () => {
  const d = decode(sllOutgoing, LinkType.linuxSll);
  assertLayers(d, Layer.sll | Layer.ipv4 | Layer.icmp);
  assert.equal(d.sll.packetType, SllPacketType.outgoing);
  assert.equal(d.sll.addr, macNum(GATEWAY));
  assert.equal(d.icmp.id, 0x1234);
  assert.equal(d.icmp.seq, 1);
});

test('decodes SLL2 with its interface index', () => {
  const d = decode(sll2Echo, LinkType.linuxSll2);
  assertLayers(d, Layer.sll | Layer.ipv4 | Layer.icmp);
  assertStop(d, Layer.none, Stop.none);
  const s = d.sll;
  assert.equal(s.version, 2);
  assert.equal(s.packetType, SllPacketType.host);
  assert.equal(s.haType, 1);
  assert.equal(s.ifIndex, 105);
  assert.equal(s.addr, macNum(CLIENT));
  assert.equal(s.protocol, 0x0800);
  assert.equal(s.payloadOffset, 20);
  assert.equal(d.ipv4.src, ip4('10.172.0.10'));
  assert.equal(d.icmp.type, 8);
});

test('an SLL address that is not an Ethernet MAC (loopback hardware type) is no MAC number', () => {
  const loopback = Buffer.from(sllOutgoing);
  loopback.writeUInt16BE(772, 2); // ARPHRD_LOOPBACK
  const d = decode(loopback, LinkType.linuxSll);
  assertLayers(d, Layer.sll | Layer.ipv4 | Layer.icmp);
  assert.equal(d.sll.haType, 772);
  assert.equal(d.sll.addr, NO_MAC);
  assert.equal(d.l2Src, NO_MAC);
});

test('every cut of an SLL ARP request names SLL, then ARP', () => {
  assertEveryCut(sllArp, LinkType.linuxSll, [
    { layer: Layer.sll, end: 16 },
    { layer: Layer.arp, reportedAt: 24, end: 44 },
  ]);
});

test('keeps SLL2 and IPv4 when the snap length cuts an ICMP echo, at every length', () => {
  assertEveryCut(sll2Echo, LinkType.linuxSll2, [
    { layer: Layer.sll, end: 20 },
    { layer: Layer.ipv4, end: 40 },
    { layer: Layer.icmp, reportedAt: 44, end: 48 },
  ]);
});
