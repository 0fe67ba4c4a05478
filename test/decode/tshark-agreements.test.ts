import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../src/core/link-type.js';
import { Layer, Stop } from '../../src/decode/layer.js';
import { frameJson } from '../../src/report/frame-json.js';
import { assertLayers, assertStop, decode, ip6 } from '../support/decode.js';
import { ETHERTYPE, ethernet, ICMP_TYPE, icmpEcho, IP_PROTO, ipv4, ipv6, neighborAdvert } from '../support/frame-builder.js';

/**
 * Cases where the decoder disagreed with tcpdump and tshark on real
 * captures (issue: "decoding that disagrees"); each vector is built here
 * from the case's description.
 */

const NA = neighborAdvert({ target: 'fd00::10', flags: { router: true, solicited: false, override: true }, tlla: '02:00:00:00:01:01' });

function withPayloadLength(frame: Buffer, length: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt16BE(length, 14 + 4);
  return copy;
}

test('IPv6 payload length 0 without a Hop-by-Hop header: no payload is decoded (tcpdump "length 0 (invalid)", tshark malformed); the IPv6 layer stays', () => {
  const frame = withPayloadLength(
    ethernet({
      src: '02:00:00:00:01:01',
      dst: '02:00:00:00:0c:01',
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: 'fd00::10', dst: 'fd00::c1', next: IP_PROTO.ICMPV6, hlim: 255, payload: NA }),
    }),
    0,
  );
  const d = decode(frame);
  assertLayers(d, Layer.ethernet | Layer.ipv6);
  assertStop(d, Layer.ipv6, Stop.malformed);
  assert.deepEqual([...d.ipv6.src], ip6('fd00::10'));
  assert.equal(d.icmpv6.hasTarget, false, 'no neighbor advertisement read from bytes the header does not cover');
});

test('an IPv6 extension header cut short keeps the IPv6 layer, its addresses and the stop reason', () => {
  // A routing header (43) claiming 3 × 8 + 8 bytes, with 8 there.
  const routing = Buffer.from([IP_PROTO.ICMPV6, 3, 0, 0, 0, 0, 0, 0]);
  const ip = ipv6({ src: 'fd00::1', dst: 'fd00::2', next: 43, payload: routing });
  const d = decode(ethernet({ src: '02:00:00:00:01:01', dst: '02:00:00:00:0c:01', type: ETHERTYPE.IPV6, payload: ip }));
  assertLayers(d, Layer.ethernet | Layer.ipv6);
  assert.equal(d.stopLayer, Layer.ipv6);
  assert.deepEqual([[...d.ipv6.src], [...d.ipv6.dst]], [ip6('fd00::1'), ip6('fd00::2')]);
  assert.equal(frameJson(d).ip6?.src, 'fd00::1');
});

test('a neighbor advertisement cut before its target still reports the flags its flags byte holds (0xa0: router, override)', () => {
  const ip = ipv6({ src: 'fd00::10', dst: 'fd00::c1', next: IP_PROTO.ICMPV6, hlim: 255, payload: NA });
  const full = ethernet({ src: '02:00:00:00:01:01', dst: '02:00:00:00:0c:01', type: ETHERTYPE.IPV6, payload: ip });
  const cut = 14 + 40 + 20; // the NA's first 20 of 24 fixed bytes
  const d = decode(full, LinkType.ethernet, cut);
  assert.equal(d.icmpv6.type, 136);
  assert.deepEqual(frameJson(d).icmp6?.flags, { router: true, solicited: false, override: true });
  // Cut before the flags byte: no flags at all, rather than three false ones.
  const d2 = decode(full, LinkType.ethernet, 14 + 40 + 4);
  assert.equal(frameJson(d2).icmp6?.flags, undefined);
});

test('a batman-adv packet that carries no Ethernet frame (an OGM) shows no inner eth repeating the outer one', () => {
  const ogm = Buffer.alloc(24);
  ogm[0] = 0x00; // BATADV_IV_OGM
  ogm[1] = 15;
  ogm[2] = 50;
  ogm.writeUInt32BE(4712, 4);
  Buffer.from('02000000aa01', 'hex').copy(ogm, 8);
  const d = decode(ethernet({ src: '02:00:00:00:aa:01', dst: 'ff:ff:ff:ff:ff:ff', type: 0x4305, payload: ogm }));
  assert.ok(d.has(Layer.batadv));
  const j = frameJson(d);
  assert.equal(j.batadv?.eth, undefined);
  assert.equal(j.eth?.src, '02:00:00:00:aa:01');
});

test('PPP in HDLC framing (link type 50) decodes as PPP', () => {
  const echo = ipv4({ src: '10.172.0.10', dst: '10.172.0.1', proto: IP_PROTO.ICMP, payload: icmpEcho({ type: ICMP_TYPE.ECHO_REQUEST, id: 1, seq: 1 }) });
  const d = decode(Buffer.concat([Buffer.from('ff030021', 'hex'), echo]), LinkType.pppHdlc);
  assertLayers(d, Layer.ppp | Layer.ipv4 | Layer.icmp);
});
