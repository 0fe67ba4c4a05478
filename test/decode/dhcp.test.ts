import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Layer, Stop } from '../../src/decode/layer.js';
import { LinkType } from '../../src/core/link-type.js';
import { frameLine } from '../../src/report/frame-text.js';
import { frameJson } from '../../src/report/frame-json.js';
import { DHCP_MESSAGE, type DhcpOptions, dhcp, dhcpFrame, ETHERTYPE, ethernet, IP_PROTO, ipv6, udp } from '../support/frame-builder.js';
import { assertEveryCut, assertLayers, assertStop, decode, ip4, macNum } from '../support/decode.js';

const SERVER_MAC = '02:00:00:00:01:01';
const CLIENT_MAC = '02:00:00:00:0c:01';
const ETH_IP_UDP = Layer.ethernet | Layer.ipv4 | Layer.udp;
/** Ethernet 14 + IPv4 20 + UDP 8: where the BOOTP message starts. */
const BOOTP_AT = 42;

// tcpdump -nn -v -e (4.99):
// 02:00:00:00:01:01 > 02:00:00:00:0c:01, ethertype IPv4 (0x0800), length 340: (tos 0x0, ttl 64, id 0, offset 0, flags [none], proto UDP (17), length 326)
//     10.172.0.1.67 > 10.172.1.1.68: BOOTP/DHCP, Reply, length 298, xid 0x1234abcd, Flags [none]
//       Your-IP 10.172.1.1
//       Client-Ethernet-Address 02:00:00:00:0c:01
//       Vendor-rfc1048 Extensions
//         Magic Cookie 0x63825363
//         DHCP-Message (53), length 1: Offer
//         Server-ID (54), length 4: 10.172.0.1
//         Lease-Time (51), length 4: 600
//         Subnet-Mask (1), length 4: 255.255.0.0
//         Default-Gateway (3), length 4: 10.172.0.1
//         Domain-Name-Server (6), length 12: 10.172.0.1,192.0.2.53,192.0.2.54
//         Hostname (12), length 4: "node"
//         Domain-Name (15), length 8: "ffmesh.x"
/** A reply from the server (gw1's bridge) to client c1. */
const fromServer = (message: DhcpOptions): Buffer => dhcpFrame({ ethSrc: SERVER_MAC, ethDst: CLIENT_MAC, src: '10.172.0.1', dst: '10.172.1.1', message });

const offer = fromServer({
  type: DHCP_MESSAGE.OFFER,
  xid: 0x1234abcd,
  chaddr: CLIENT_MAC,
  yiaddr: '10.172.1.1',
  serverId: '10.172.0.1',
  leaseTime: 600,
  subnetMask: '255.255.0.0',
  routers: ['10.172.0.1'],
  dns: ['10.172.0.1', '192.0.2.53', '192.0.2.54'],
  hostName: Buffer.from('node'),
  domainName: Buffer.from('ffmesh.x'),
});

test('a DHCP offer decodes its header and the router, DNS, lease, mask and server-id options', () => {
  const d = decode(offer);
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assertStop(d, Layer.none, Stop.none);
  const h = d.dhcp;
  assert.equal(h.op, 2);
  assert.equal(h.xid, 0x1234abcd);
  assert.equal(h.yiaddr, ip4('10.172.1.1'));
  assert.equal(h.chaddr, macNum(CLIENT_MAC));
  assert.equal(h.messageType, DHCP_MESSAGE.OFFER);
  assert.equal(h.serverId, ip4('10.172.0.1'));
  assert.equal(h.leaseTime, 600);
  assert.equal(h.subnetMask, ip4('255.255.0.0'));
  assert.deepEqual([h.router, h.routerCount], [ip4('10.172.0.1'), 1]);
  assert.deepEqual([h.dns, h.dnsCount], [ip4('10.172.0.1'), 3]);
  assert.equal(Buffer.from(d.fieldBytes(h.hostNameOffset, h.hostNameLength)).toString(), 'node');
  assert.equal(Buffer.from(d.fieldBytes(h.domainNameOffset, h.domainNameLength)).toString(), 'ffmesh.x');
  assert.equal(h.overload, false);
});

test('the frames line and JSON show the offer as tcpdump -v does, on one line', () => {
  const d = decode(offer);
  assert.match(
    frameLine(d),
    /10\.172\.0\.1 > 10\.172\.1\.1: BOOTP\/DHCP \(UDP 67 > 68\), Reply, length 298, xid 0x1234abcd, DHCP-Message Offer, Your-IP 10\.172\.1\.1, Client-Ethernet-Address 02:00:00:00:0c:01, Server-ID 10\.172\.0\.1, Lease-Time 600, Subnet-Mask 255\.255\.0\.0, Default-Gateway 10\.172\.0\.1, Domain-Name-Server 10\.172\.0\.1,192\.0\.2\.53,192\.0\.2\.54, Hostname "node", Domain-Name "ffmesh\.x"$/,
  );
  assert.deepEqual(frameJson(d).dhcp, {
    op: 2,
    xid: 0x1234abcd,
    ciaddr: '0.0.0.0',
    yiaddr: '10.172.1.1',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: CLIENT_MAC,
    type: 2,
    serverId: '10.172.0.1',
    leaseTime: 600,
    subnetMask: '255.255.0.0',
    router: '10.172.0.1',
    routerCount: 1,
    dns: ['10.172.0.1', '192.0.2.53', '192.0.2.54'],
    dnsCount: 3,
    hostName: 'node',
    domainName: 'ffmesh.x',
  });
});

test('a client discover (68 > 67, from 0.0.0.0 to broadcast) decodes as DHCP without server options', () => {
  const d = decode(
    dhcpFrame({
      ethSrc: CLIENT_MAC,
      ethDst: 'ff:ff:ff:ff:ff:ff',
      src: '0.0.0.0',
      dst: '255.255.255.255',
      message: { type: DHCP_MESSAGE.DISCOVER, xid: 7, chaddr: CLIENT_MAC },
    }),
  );
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assert.deepEqual([d.dhcp.op, d.dhcp.messageType, d.dhcp.routerCount, d.dhcp.dnsCount, d.dhcp.serverId], [1, 1, 0, 0, -1]);
});

test('several routers are counted, the first one kept; a split option (RFC 3396) adds to the count', () => {
  const d = decode(
    fromServer({
      type: DHCP_MESSAGE.ACK,
      xid: 8,
      chaddr: CLIENT_MAC,
      routers: ['10.172.0.10', '10.172.0.1'],
      extra: [{ code: 3, data: Buffer.from([10, 172, 0, 2]) }],
    }),
  );
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assert.deepEqual([d.dhcp.router, d.dhcp.routerCount], [ip4('10.172.0.10'), 3]);
  assert.match(frameLine(d), /Default-Gateway 10\.172\.0\.10 \(\+2 more\)/);
});

test('plain BOOTP (no magic cookie) decodes its header and has no options', () => {
  const d = decode(fromServer({ op: 2, xid: 9, chaddr: CLIENT_MAC, cookie: false }));
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assertStop(d, Layer.none, Stop.none);
  assert.deepEqual([d.dhcp.hasCookie, d.dhcp.messageType], [false, -1]);
});

test('a router option of 5 bytes is malformed: the options before it are kept, the walk stops there', () => {
  const d = decode(
    fromServer({ type: DHCP_MESSAGE.OFFER, xid: 10, chaddr: CLIENT_MAC, serverId: '10.172.0.1', extra: [{ code: 3, data: Buffer.from([10, 172, 0, 1, 0]) }] }),
  );
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assertStop(d, Layer.dhcp, Stop.malformed);
  assert.deepEqual([d.stopNeed, d.stopHave], [8, 5], 'two whole addresses, or one: not 5 bytes');
  assert.match(frameLine(d), /\[\|dhcp: malformed, need 8, have 5\]$/);
  assert.deepEqual([d.dhcp.messageType, d.dhcp.serverId, d.dhcp.routerCount], [2, ip4('10.172.0.1'), 0]);
});

test('an option longer than the UDP payload is malformed, not truncated', () => {
  const bytes = fromServer({ type: DHCP_MESSAGE.OFFER, xid: 11, chaddr: CLIENT_MAC, noEnd: true, extra: [{ code: 6, data: Buffer.from([10, 172, 0, 10]) }] });
  // Claim 40 bytes for the DNS option: it runs past the datagram, which the capture holds whole.
  bytes[bytes.length - 5] = 40;
  const d = decode(bytes);
  assertLayers(d, ETH_IP_UDP | Layer.dhcp);
  assertStop(d, Layer.dhcp, Stop.malformed);
  assert.equal(d.dhcp.messageType, DHCP_MESSAGE.OFFER);
  assert.equal(d.dhcp.dnsCount, 0);
});

test('a UDP datagram on port 67 shorter than the BOOTP header is malformed DHCP', () => {
  const bytes = fromServer({ type: 2, xid: 1, chaddr: CLIENT_MAC });
  const short = Buffer.from(bytes.subarray(0, BOOTP_AT + 100));
  short.writeUInt16BE(20 + 8 + 100, 16); // IPv4 total length
  short.writeUInt16BE(8 + 100, 38); // UDP length
  const d = decode(short);
  assertLayers(d, ETH_IP_UDP);
  assertStop(d, Layer.dhcp, Stop.malformed);
});

test('option overload is noted, and the options it moves are not decoded', () => {
  const d = decode(fromServer({ type: DHCP_MESSAGE.OFFER, xid: 12, chaddr: CLIENT_MAC, extra: [{ code: 52, data: Buffer.from([3]) }] }));
  assert.equal(d.dhcp.overload, true);
  assert.match(frameLine(d), /Option-Overload \[not decoded\]/);
});

test('an offer cut at every length keeps the layers before the cut and names DHCP as truncated inside it', () => {
  assertEveryCut(offer, LinkType.ethernet, [
    { layer: Layer.ethernet, end: 14 },
    { layer: Layer.ipv4, end: 34 },
    { layer: Layer.udp, end: BOOTP_AT },
    { layer: Layer.dhcp, reportedAt: BOOTP_AT + 236, end: offer.length },
  ]);
});

test('UDP port 67 over IPv6 is not DHCPv4: the datagram stays plain UDP', () => {
  const payload = udp({ sport: 67, dport: 68, payload: dhcp({ type: DHCP_MESSAGE.OFFER, xid: 13, chaddr: CLIENT_MAC }) });
  const d = decode(
    ethernet({ src: SERVER_MAC, dst: CLIENT_MAC, type: ETHERTYPE.IPV6, payload: ipv6({ src: 'fd00::1', dst: 'fd00::1:1', next: IP_PROTO.UDP, payload }) }),
  );
  assertLayers(d, Layer.ethernet | Layer.ipv6 | Layer.udp);
  assertStop(d, Layer.none, Stop.none);
});
