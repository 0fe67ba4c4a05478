import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4, parseMac } from '../../src/core/address.js';
import { checksOf, doctorOn, editIpJson, problems, recording, setSysctl } from '../support/host.js';

/**
 * Every doctor check on a recorded real gateway (fixtures/doctor/): healthy,
 * then one setting changed in the recording, which must fail exactly that
 * check and name its fix.
 */

test('the healthy recorded gateway passes every check; batman-adv is not checked where there is none', () => {
  const r = doctorOn(recording('healthy-gateway'));
  assert.deepEqual(problems(r), []);
  assert.equal(r.verdict, 'healthy');
  assert.deepEqual(
    r.checks.filter((c) => c.status === 'not-checked').map((c) => c.id),
    ['batman-bridge-port', 'bridge-loop-avoidance'],
  );
  assert.equal(r.setup.bridge, 'br-fftr');
  assert.equal(r.setup.anycastInterface, 'fftr-gw-anycast');
  assert.equal(r.setup.addressesFrom, 'interface');
});

test('the gateway as the field deployed it warns only about its ESTABLISHED,RELATED-only return path, with the rule to add', () => {
  for (const name of ['field-gateway', 'nft-field-gateway'] as const) {
    const r = doctorOn(recording(name));
    assert.deepEqual(problems(r), [
      name === 'field-gateway'
        ? 'firewall-return-path: iptables -t filter -I FORWARD 3 -i tun0 -o br-fftr -j ACCEPT'
        : 'firewall-return-path: nft insert rule inet fftr forward position 7 iifname "tun0" oifname "br-fftr" accept',
    ]);
  }
});

test('arp_filter off on all and the interfaces fails with sysctl -w …all.arp_filter=1; on per interface is enough', () => {
  const rec = recording('healthy-gateway');
  setSysctl(rec, 'net.ipv4.conf.all.arp_filter', 0);
  assert.deepEqual(problems(doctorOn(rec)), ['arp-filter: sysctl -w net.ipv4.conf.all.arp_filter=1']);
  // The kernel ORs all and the interface (IN_DEV_ORCONF).
  setSysctl(rec, 'net.ipv4.conf.br-fftr.arp_filter', 1);
  setSysctl(rec, 'net.ipv4.conf.fftr-gw-anycast.arp_filter', 1);
  assert.equal(checksOf(doctorOn(rec), 'arp-filter')[0]?.status, 'ok');
});

test('rp_filter is judged as the larger of all and the interface, and the fix sets exactly the ones that are on', () => {
  const rec = recording('healthy-gateway');
  setSysctl(rec, 'net.ipv4.conf.fftr-gw-anycast.rp_filter', 2);
  assert.deepEqual(problems(doctorOn(rec)), ['rp-filter: sysctl -w net.ipv4.conf.fftr-gw-anycast.rp_filter=0']);
  setSysctl(rec, 'net.ipv4.conf.fftr-gw-anycast.rp_filter', 0);
  setSysctl(rec, 'net.ipv4.conf.all.rp_filter', 1);
  const c = checksOf(doctorOn(rec), 'rp-filter')[0]!;
  assert.equal(c.status, 'fail');
  assert.match(c.found, /fftr-gw-anycast 1, br-fftr 1/);
  assert.deepEqual(c.fix, ['sysctl -w net.ipv4.conf.all.rp_filter=0']);
});

test('arp_ignore and arp_announce are reported, never judged', () => {
  const rec = recording('healthy-gateway');
  setSysctl(rec, 'net.ipv4.conf.all.arp_ignore', 1);
  const c = checksOf(doctorOn(rec), 'arp-ignore-announce')[0]!;
  assert.equal(c.status, 'ok');
  assert.match(c.found, /arp_ignore all=1/);
});

test('without the rule from the anycast IP, the /16 uplink rule catches it: the fix adds the rule before that one', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 rule show', (rules) => rules.filter((r) => r.src !== '10.172.0.10'));
  const r = doctorOn(rec);
  assert.deepEqual(problems(r), ['source-rule: ip rule add from 10.172.0.10/32 table anycast priority 99']);
  assert.match(checksOf(r, 'source-rule')[0]!.found, /no rule from 10\.172\.0\.10; .*dev tun0 \(rule 100: from 10\.172\.0\.0\/16 lookup VPN\)/);
});

test('without the route in the anycast table the source route fails with ip route add … table anycast', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 route show table all', (routes) => routes.filter((r) => r.table !== 'anycast'));
  assert.deepEqual(problems(doctorOn(rec)), ['source-route: ip route add 10.172.0.0/16 dev fftr-gw-anycast table anycast']);
});

test('a rule from the anycast IP that comes after a rule catching it is a failure naming both', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 rule show', (rules) => rules.map((r) => (r.src === '10.172.0.10' ? { ...r, priority: 200 } : r)));
  const c = checksOf(doctorOn(rec), 'source-rule')[0]!;
  assert.equal(c.status, 'fail');
  assert.match(c.found, /200: from 10\.172\.0\.10\/32 lookup anycast comes after 100: from 10\.172\.0\.0\/16 lookup VPN/);
  assert.deepEqual(c.fix, ['ip rule del priority 200 from 10.172.0.10/32 table anycast', 'ip rule add from 10.172.0.10/32 table anycast priority 99']);
});

test('an iif br-fftr uplink rule with neither an anycast twin nor a from-mesh rule fails with the twin to add', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 rule show', (rules) => rules.filter((r) => r.srclen !== 16));
  const r = doctorOn(rec);
  assert.deepEqual(problems(r), ['uplink-rules: ip rule add iif fftr-gw-anycast table VPN priority 101']);
  // The IPv6 rule is still covered by from 2001:bf7:fc00::/44.
  assert.equal(checksOf(r, 'uplink-rules').find((c) => c.subject.startsWith('IPv6'))?.status, 'ok');
});

test('the anycast interface down, with another MAC, without its address, or not a macvlan: each fails with its fix', () => {
  const down = recording('healthy-gateway');
  editIpJson(down, 'ip -j -d link show', (links) =>
    links.map((l) => (l.ifname === 'fftr-gw-anycast' ? { ...l, flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN' } : l)),
  );
  assert.deepEqual(problems(doctorOn(down)), ['anycast-up: ip link set dev fftr-gw-anycast up']);

  const mac = recording('healthy-gateway');
  assert.deepEqual(problems(doctorOn(mac, { anycastMacs: [parseMac('02:ca:fe:00:00:01')] })), [
    'anycast-mac: ip link set dev fftr-gw-anycast address 02:ca:fe:00:00:01',
  ]);

  const addr = recording('healthy-gateway');
  const other = doctorOn(addr, { anycastIpv4: [parseIpv4('10.172.0.11')] });
  assert.ok(problems(other).includes('anycast-addresses: ip addr add 10.172.0.11/16 dev fftr-gw-anycast'), problems(other).join('\n'));

  const gone = recording('healthy-gateway');
  editIpJson(gone, 'ip -j -d link show', (links) => links.filter((l) => l.ifname !== 'fftr-gw-anycast'));
  const r = doctorOn(gone, { anycastIpv4: [parseIpv4('10.172.0.10')] });
  assert.equal(checksOf(r, 'anycast-interface')[0]?.fix[0], 'ip link add link br-fftr name fftr-gw-anycast type macvlan mode bridge');
  assert.equal(checksOf(r, 'anycast-mac')[0]?.status, 'not-checked');
});

test('DAD on for the anycast IPv6 address fails; nodad, dad_transmits 0 or accept_dad 0 on both all and the interface pass', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j addr show', (ifs) =>
    ifs.map((i) =>
      i.ifname !== 'fftr-gw-anycast' ? i : { ...i, addr_info: (i.addr_info as Record<string, unknown>[]).map((a) => ({ ...a, nodad: undefined })) },
    ),
  );
  setSysctl(rec, 'net.ipv6.conf.fftr-gw-anycast.accept_dad', 1);
  assert.deepEqual(problems(doctorOn(rec)), ['dad: sysctl -w net.ipv6.conf.fftr-gw-anycast.dad_transmits=0']);
  setSysctl(rec, 'net.ipv6.conf.fftr-gw-anycast.dad_transmits', 0);
  assert.equal(checksOf(doctorOn(rec), 'dad')[0]?.status, 'ok');
  setSysctl(rec, 'net.ipv6.conf.fftr-gw-anycast.dad_transmits', 1);
  setSysctl(rec, 'net.ipv6.conf.fftr-gw-anycast.accept_dad', 0);
  setSysctl(rec, 'net.ipv6.conf.all.accept_dad', 0);
  assert.equal(checksOf(doctorOn(rec), 'dad')[0]?.status, 'ok');
});

test('batman-adv: a batman interface outside the bridge and bridge loop avoidance off fail', () => {
  const rec = recording('healthy-gateway');
  rec.files['/sys/class/net/bat0/mesh/bridge_loop_avoidance'] = '0\n';
  rec.dirs['/sys/class/net/br-fftr/brif'] = [];
  editIpJson(rec, 'ip -j -d link show', (links) => links.map((l) => (l.ifname === 'bat0' ? { ...l, master: undefined } : l)));
  assert.deepEqual(problems(doctorOn(rec)), [
    'batman-bridge-port: ip link set dev bat0 master br-fftr',
    'bridge-loop-avoidance: batctl meshif bat0 bridge_loop_avoidance 1',
  ]);
  rec.files['/sys/class/net/bat0/mesh/bridge_loop_avoidance'] = '1\n';
  assert.deepEqual(problems(doctorOn(rec)), ['batman-bridge-port: ip link set dev bat0 master br-fftr']);
});

test('a firewall accept rule for br-fftr without its fftr-gw-anycast twin fails with the rule to insert after it', () => {
  const rec = recording('healthy-gateway');
  const save = rec.commands['iptables-save']!;
  assert.equal(save.kind, 'ok');
  if (save.kind === 'ok') save.stdout = save.stdout.replace('-A FORWARD -i fftr-gw-anycast -o tun0 -j ACCEPT\n', '');
  assert.deepEqual(problems(doctorOn(rec)), ['firewall-anycast: iptables -t filter -I FORWARD 2 -i fftr-gw-anycast -o tun0 -j ACCEPT']);
});

test('a conntrack INVALID drop on forwarded traffic warns with the command that deletes it', () => {
  const rec = recording('healthy-gateway');
  const save = rec.commands['iptables-save']!;
  if (save.kind === 'ok')
    save.stdout = save.stdout.replace(':OUTPUT ACCEPT [0:0]\n-A INPUT', ':OUTPUT ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate INVALID -j DROP\n-A INPUT');
  assert.deepEqual(problems(doctorOn(rec)), ['firewall-invalid-drop: iptables -t filter -D FORWARD -m conntrack --ctstate INVALID -j DROP']);
});

test('the DHCP router not the anycast IP fails with the edit; a missing config file is not checked, with its path', () => {
  const rec = recording('healthy-gateway');
  rec.files['/etc/dhcp/dhcpd.conf'] = rec.files['/etc/dhcp/dhcpd.conf']!.replace('option routers 10.172.0.10;', 'option routers 10.172.0.1;');
  const r = doctorOn(rec);
  assert.deepEqual(problems(r), ["dhcp-options: sed -i 's/option routers [^;]*;/option routers 10.172.0.10;/' /etc/dhcp/dhcpd.conf"]);
  assert.deepEqual(checksOf(r, 'dhcp-options')[0]?.fix.at(-1), 'systemctl restart isc-dhcp-server');
  delete rec.files['/etc/dhcp/dhcpd.conf'];
  const none = checksOf(doctorOn(rec), 'dhcp-options')[0]!;
  assert.equal(none.status, 'not-checked');
  assert.match(none.found, /\/etc\/dhcp\/dhcpd\.conf not found/);
  assert.equal(none.unreadable, false);
});

test('BIRD radv on br-fftr instead of the anycast interface fails with the edit and birdc6 configure', () => {
  const rec = recording('healthy-gateway');
  rec.files['/etc/bird/bird6.conf'] = rec.files['/etc/bird/bird6.conf']!.replace('interface "fftr-gw-anycast"', 'interface "br-fftr"');
  const c = checksOf(doctorOn(rec), 'radv')[0]!;
  assert.equal(c.status, 'fail');
  assert.deepEqual(c.fix, ['sed -i \'s/interface "br-fftr"/interface "fftr-gw-anycast"/\' /etc/bird/bird6.conf', 'birdc6 configure']);
});

test('a firewall that cannot be read (not root) is "could not check", not healthy', () => {
  const rec = recording('healthy-gateway');
  rec.commands['iptables-save'] = { kind: 'failed', message: 'Permission denied (you must be root)' };
  const r = doctorOn(rec);
  assert.equal(r.verdict, 'could-not-check');
  assert.ok(checksOf(r, 'firewall-anycast')[0]?.unreadable);
});

test('dnsmasq serving DHCP without a router option fails: it would hand out the bridge address', () => {
  const rec = recording('healthy-gateway');
  delete rec.files['/etc/dhcp/dhcpd.conf'];
  rec.files['/etc/dnsmasq.conf'] = 'interface=br-fftr\ndhcp-range=10.172.128.0,10.172.191.254,1h\ndhcp-option=option:dns-server,10.172.0.10\n';
  const c = checksOf(doctorOn(rec), 'dhcp-options')[0]!;
  assert.equal(c.status, 'fail');
  assert.match(c.found, /^router not set; DNS 10\.172\.0\.10 \(\/etc\/dnsmasq\.conf:3\)$/);
  assert.deepEqual(c.fix, ["echo 'dhcp-option=option:router,10.172.0.10' >> /etc/dnsmasq.conf", 'systemctl restart dnsmasq']);
  rec.files['/etc/dnsmasq.conf'] += 'dhcp-option=3,10.172.0.10\n';
  assert.equal(checksOf(doctorOn(rec), 'dhcp-options')[0]?.status, 'ok');
});

test('radvd on the anycast interface without the anycast RDNSS warns; on both interfaces warns to drop the bridge', () => {
  const rec = recording('healthy-gateway');
  delete rec.files['/etc/bird/bird6.conf'];
  rec.files['/etc/radvd.conf'] = 'interface fftr-gw-anycast {\n  AdvSendAdvert on;\n  RDNSS 2001:bf7:fc0f::1 { };\n};\n';
  const c = checksOf(doctorOn(rec), 'radv')[0]!;
  assert.equal(c.status, 'warn');
  assert.deepEqual(c.fix, ['edit /etc/radvd.conf: rdnss 2001:bf7:fc0f::10 in the fftr-gw-anycast interface', 'systemctl reload radvd']);
  rec.files['/etc/radvd.conf'] = 'interface fftr-gw-anycast { RDNSS 2001:bf7:fc0f::10 { }; };\ninterface br-fftr { };\n';
  const both = checksOf(doctorOn(rec), 'radv')[0]!;
  assert.equal(both.status, 'warn');
  assert.equal(both.fix[0], 'edit /etc/radvd.conf: remove interface br-fftr');
});

test('a negated rule from the anycast IP does not count as its source rule', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 rule show', (rules) => rules.map((r) => (r.src === '10.172.0.10' ? { ...r, not: null } : r)));
  const c = checksOf(doctorOn(rec), 'source-rule')[0]!;
  assert.equal(c.status, 'fail');
  assert.match(c.found, /^no rule from 10\.172\.0\.10; /);
});

test('zero-config: the bridge with the macvlan is the mesh bridge, whatever other bridges there are; none recognisable is an error', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -d link show', (links) => [
    { ifindex: 99, ifname: 'docker0', flags: ['UP'], operstate: 'UP', address: '02:42:00:00:00:01', linkinfo: { info_kind: 'bridge' } },
    ...links,
  ]);
  assert.equal(doctorOn(rec).setup.bridge, 'br-fftr');
  editIpJson(rec, 'ip -j -d link show', (links) => links.filter((l) => l.ifname !== 'fftr-gw-anycast' && l.ifname !== 'br-fftr'));
  assert.throws(() => doctorOn(rec), /no macvlan on any bridge \(docker0\): name the mesh bridge with --bridge/);
});

test('a macvlan in private mode fails with the commands that recreate it in bridge mode; a dadfailed link-local address fails DAD', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -d link show', (links) =>
    links.map((l) => (l.ifname === 'fftr-gw-anycast' ? { ...l, linkinfo: { info_kind: 'macvlan', info_data: { mode: 'private' } } } : l)),
  );
  editIpJson(rec, 'ip -j addr show', (ifs) =>
    ifs.map((i) =>
      i.ifname !== 'fftr-gw-anycast'
        ? i
        : {
            ...i,
            addr_info: (i.addr_info as Record<string, unknown>[]).map((a) =>
              String(a.local).startsWith('fe80:') ? { ...a, dadfailed: true, tentative: true } : a,
            ),
          },
    ),
  );
  const r = doctorOn(rec);
  assert.deepEqual(problems(r), ['anycast-interface: ip link del fftr-gw-anycast', 'dad: ip link set dev fftr-gw-anycast down']);
  assert.match(checksOf(r, 'anycast-interface')[0]!.found, /mode private: the other gateways' anycast broadcasts reach it/);
  assert.equal(checksOf(r, 'anycast-interface')[0]!.fix[1], 'ip link add link br-fftr name fftr-gw-anycast address 26:61:96:60:00:dc type macvlan mode bridge');
  assert.equal(checksOf(r, 'dad')[0]!.subject, 'fe80::2461:96ff:fe60:dc');
});

test('a route for the mesh in the anycast table through the bridge is replaced, not added again', () => {
  const rec = recording('healthy-gateway');
  editIpJson(rec, 'ip -j -4 route show table all', (routes) => routes.map((r) => (r.table === 'anycast' ? { ...r, dev: 'br-fftr' } : r)));
  const r = doctorOn(rec);
  assert.deepEqual(problems(r), ['source-route: ip route replace 10.172.0.0/16 dev fftr-gw-anycast table anycast']);
  assert.equal(checksOf(r, 'source-route')[0]!.found, 'table anycast: 10.172.0.0/16 dev br-fftr');
});

test('IP forwarding off fails with sysctl -w; IPv6 forwarding is judged where there are anycast IPv6 addresses', () => {
  const rec = recording('healthy-gateway');
  setSysctl(rec, 'net.ipv4.ip_forward', 0);
  setSysctl(rec, 'net.ipv6.conf.all.forwarding', 0);
  assert.deepEqual(problems(doctorOn(rec)), ['forwarding: sysctl -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1']);
  setSysctl(rec, 'net.ipv4.ip_forward', 1);
  assert.equal(checksOf(doctorOn(rec, { anycastIpv4: [parseIpv4('10.172.0.10')] }), 'forwarding')[0]?.status, 'ok');
});

test('a config file its directory lists but doctor cannot read is "could not check", not "not found"', () => {
  const rec = recording('healthy-gateway');
  delete rec.files['/etc/bird/bird6.conf'];
  rec.dirs['/etc/bird'] = ['bird.conf', 'bird6.conf'];
  const r = doctorOn(rec);
  const radv = checksOf(r, 'radv')[0]!;
  assert.deepEqual([radv.status, radv.unreadable, radv.found], ['not-checked', true, '/etc/bird/bird6.conf: cannot read it (run doctor as root)']);
  assert.equal(r.verdict, 'could-not-check');
});

test('BIRD 2 protocol radv with an interface pattern matching the anycast interface and a protocol-wide rdnss passes', () => {
  const rec = recording('healthy-gateway');
  delete rec.files['/etc/bird/bird6.conf'];
  rec.files['/etc/bird/bird.conf'] = [
    'protocol radv mesh {',
    '  ipv6 { table master6; };',
    '  interface "fftr-gw-*" { max ra interval 60; prefix 2001:bf7:fc0f::/64 { }; };',
    '  rdnss { ns 2001:bf7:fc0f::10; };',
    '}',
  ].join('\n');
  const c = checksOf(doctorOn(rec), 'radv')[0]!;
  assert.deepEqual([c.status, c.subject, c.found], ['ok', 'BIRD protocol radv (/etc/bird/bird.conf)', 'interfaces fftr-gw-*; RDNSS 2001:bf7:fc0f::10']);
});
