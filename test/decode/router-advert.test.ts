import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { LinkType } from '../../src/core/link-type.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { ETHERTYPE, IP_PROTO, ethernet, ipv6, routerAdvert, type RouterAdvertOptions } from '../support/frame-builder.js';
import { assertLayers, assertStop, decode, ip6, macNum } from '../support/decode.js';

const ANYCAST_MAC = '26:61:96:60:00:dc';
const BRIDGE_MAC = '02:00:00:00:01:01';

/** What BIRD's protocol radv says on the field's mesh: two prefixes, two DNS servers, MTU. */
const SETTINGS: RouterAdvertOptions = {
  hopLimit: 64,
  lifetime: 1800,
  other: true,
  reachableTime: 30000,
  retransTimer: 1000,
  prefix: { prefix: '2001:bf7:fc0f::', length: 64, validLifetime: 86400, preferredLifetime: 14400 },
  morePrefixes: [{ prefix: 'fd00::', length: 64, autonomous: false, validLifetime: 0xffffffff, preferredLifetime: 0xffffffff }],
  rdnss: { lifetime: 1200, addrs: ['2001:bf7:fc0f::10', '2001:bf7:fc0f::11'] },
  mtu: 1280,
};

function raFrame(mac: string, settings: RouterAdvertOptions): Buffer {
  return ethernet({
    dst: '33:33:00:00:00:01',
    src: mac,
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src: 'fe80::2461:96ff:fe60:dc', dst: 'ff02::1', next: IP_PROTO.ICMPV6, hlim: 255, payload: routerAdvert({ ...settings, slla: mac }) }),
  });
}

// tcpdump -nn -v:
// 26:61:96:60:00:dc > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 190: (hlim 255, next-header ICMPv6 (58) payload length: 136) fe80::2461:96ff:fe60:dc > ff02::1: [icmp6 sum ok] ICMP6, router advertisement, length 136
// 	hop limit 64, Flags [other stateful], pref medium, router lifetime 1800s, reachable time 30000ms, retrans timer 1000ms
// 	  source link-address option (1), length 8 (1): 26:61:96:60:00:dc
// 	  prefix info option (3), length 32 (4): 2001:bf7:fc0f::/64, Flags [onlink, auto], valid time 86400s, pref. time 14400s
// 	  prefix info option (3), length 32 (4): fd00::/64, Flags [onlink], valid time infinity, pref. time infinity
// 	  rdnss option (25), length 40 (5):  lifetime 1200s, addr: 2001:bf7:fc0f::10 addr: 2001:bf7:fc0f::11
// 	  mtu option (5), length 8 (1):  1280
const fieldRa = raFrame(ANYCAST_MAC, SETTINGS);

test('decodes the options of a router advertisement a gateway sends: first prefix with lifetimes, DNS servers, MTU, how many of each', () => {
  const d = decode(fieldRa);
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.icmpv6);
  assertStop(d, Layer.none, Stop.none);
  const c = d.icmpv6;
  assert.equal(c.type, 134);
  assert.equal(c.raFlags, 0x40);
  assert.equal(c.raReachable, 30000);
  assert.equal(c.raRetrans, 1000);
  assert.equal(c.sourceLinkAddr, macNum(ANYCAST_MAC));
  assert.equal(c.prefixCount, 2);
  assert.deepEqual([...c.raPrefix], ip6('2001:bf7:fc0f::'));
  assert.equal(c.raPrefixLength, 64);
  assert.equal(c.raPrefixFlags, 0xc0);
  assert.equal(c.raPrefixValid, 86400);
  assert.equal(c.raPrefixPreferred, 14400);
  assert.equal(c.rdnssCount, 2);
  assert.deepEqual([...c.raRdnss], ip6('2001:bf7:fc0f::10'));
  assert.equal(c.raRdnssLifetime, 1200);
  assert.equal(c.raMtu, 1280);
  assert.notEqual(c.raDigest, 0);
  assert.equal(c.badOption, false);
});

test("an RA's digest ignores the sender's link-layer address and the option order, and changes with anything else it says", () => {
  const digest = (b: Buffer): number => decode(b).icmpv6.raDigest;
  const base = digest(fieldRa);
  assert.equal(digest(raFrame(BRIDGE_MAC, SETTINGS)), base, 'another SLLA');
  assert.equal(digest(raFrame(ANYCAST_MAC, { ...SETTINGS, reverseOptions: true })), base, 'options reversed');
  const changed: Partial<RouterAdvertOptions>[] = [
    { lifetime: 0 },
    { hopLimit: 255 },
    { reachableTime: 0 },
    { mtu: 1500 },
    { rdnss: { lifetime: 600, addrs: ['2001:bf7:fc0f::10', '2001:bf7:fc0f::11'] } },
    { rdnss: { lifetime: 1200, addrs: ['2001:bf7:fc0f::11', '2001:bf7:fc0f::10'] } },
    { morePrefixes: [] },
  ];
  for (const c of changed) assert.notEqual(digest(raFrame(ANYCAST_MAC, { ...SETTINGS, ...c })), base, JSON.stringify(c));
});

test('an RA cut inside its options keeps what decoded but has no digest (its content is not all known)', () => {
  const d = new FrameDecoder();
  // 14 + 40 + 16 fixed: cut anywhere in the options.
  for (let len = 14 + 40 + 16 + 1; len < fieldRa.length; len++) {
    d.decodeBytes(fieldRa.subarray(0, len), 0, len, LinkType.ethernet);
    assert.equal(d.icmpv6.type, 134, `cut at ${len}`);
    assert.equal(d.icmpv6.raLifetime, 1800, `cut at ${len}`);
    assert.equal(d.icmpv6.raDigest, 0, `cut at ${len}`);
  }
});

test('a prefix option too short for a prefix is not read as one, and the malformed walk after it leaves no digest', () => {
  const ra = Buffer.from(fieldRa);
  // The first prefix option (after the 8-byte SLLA) claims 8 bytes; the walk then lands in its lifetimes: a zero length.
  ra[14 + 40 + 16 + 8 + 1] = 1;
  const d = decode(ra);
  assert.equal(d.icmpv6.raPrefixLength, -1, 'no whole prefix option read as the first');
  assert.equal(d.icmpv6.prefixCount, 1);
  assert.equal(d.icmpv6.badOption, true);
  assert.equal(d.icmpv6.raDigest, 0);
});
