import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDhcpdConf, parseDnsmasqConf } from '../../src/host/dhcp-config.js';
import { iptablesArgs, parseIptablesSave } from '../../src/host/iptables.js';
import { parseBirdRadv, parseRadvdConf } from '../../src/host/radv-config.js';
import { rulesFrom } from '../../src/host/ip.js';
import { readHostSnapshot } from '../../src/host/snapshot.js';
import { recordedHost, recording } from '../support/host.js';

/** The host readers on outputs recorded in a real gateway namespace (test/doctor/gateway.sh, scripts/record-doctor-host.ts). */

test('reads the macvlan on the bridge, its mode, MAC, flags and the nodad address flag from ip -j', () => {
  const snap = readHostSnapshot(recordedHost(recording('field-gateway')));
  const macvlan = snap.links.find((l) => l.name === 'fftr-gw-anycast');
  assert.equal(macvlan?.kind, 'macvlan');
  assert.equal(macvlan?.lowerName, 'br-fftr');
  assert.equal(macvlan?.macvlanMode, 'bridge');
  assert.equal(macvlan?.mac, '26:61:96:60:00:dc');
  assert.ok(macvlan?.flags.includes('UP'));
  assert.equal(snap.links.find((l) => l.name === 'bat0')?.master, 'br-fftr');
  const v6 = snap.addresses.get('fftr-gw-anycast')?.find((a) => a.address === '2001:bf7:fc0f::10');
  assert.deepEqual([v6?.prefixLength, v6?.nodad, v6?.dadfailed], [128, true, false]);
  assert.deepEqual(snap.bridgePorts.get('br-fftr'), ['bat0']);
});

test('reads rules with table names from rt_tables, a host source as /32 and iif', () => {
  const snap = readHostSnapshot(recordedHost(recording('field-gateway')));
  const rules = snap.rules4.map((r) => `${r.priority} ${r.src}/${r.srcLength} ${r.iif ?? '-'} ${r.table}`);
  assert.deepEqual(rules, [
    '0 all/0 - local',
    '90 10.172.0.10/32 - anycast',
    '100 10.172.0.0/16 - VPN',
    '101 all/0 br-fftr VPN',
    '32766 all/0 - main',
    '32767 all/0 - default',
  ]);
  const anycastRoute = snap.routes4.find((r) => r.table === 'anycast');
  assert.deepEqual([anycastRoute?.dst, anycastRoute?.dstLength, anycastRoute?.dev], ['10.172.0.0', 16, 'fftr-gw-anycast']);
  assert.ok(
    snap.routes4.some((r) => r.table === 'main' && r.dev === 'br-fftr' && r.dstLength === 16),
    'main table routes have no "table" key',
  );
});

test('reads iptables-save: positions per chain, policies, interfaces, conntrack states and the shape without -i', () => {
  const rules = parseIptablesSave(
    [
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD DROP [0:0]',
      ':fftr-in - [0:0]',
      '-A FORWARD -i br-fftr -o tun0 -j ACCEPT',
      '-A FORWARD -i tun0 -o br-fftr -m state --state RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -i fftr-gw-anycast -o tun0 -j ACCEPT',
      '-A INPUT -i br-+ -m comment --comment "mesh in" -j fftr-in',
      'COMMIT',
    ].join('\n'),
    'iptables',
  );
  assert.deepEqual(
    rules.map((r) => [r.chain, r.position, r.chainPolicy, r.inInterface, r.outInterface, r.verdict, r.ctStates.join(',')]),
    [
      ['FORWARD', 1, 'drop', 'br-fftr', 'tun0', 'accept', ''],
      ['FORWARD', 2, 'drop', 'tun0', 'br-fftr', 'accept', 'related,established'],
      ['FORWARD', 3, 'drop', 'fftr-gw-anycast', 'tun0', 'accept', ''],
      ['INPUT', 1, 'accept', 'br-+', undefined, 'jump', ''],
    ],
  );
  assert.equal(rules[0]!.shape, rules[2]!.shape);
  assert.notEqual(rules[0]!.shape, rules[1]!.shape);
  assert.equal(rules[3]!.text, '-i br-+ -m comment --comment "mesh in" -j fftr-in');
  assert.deepEqual(iptablesArgs('-m comment --comment "a \\"b\\" c" -j ACCEPT'), ['-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
});

test('reads an nftables ruleset with rule texts by handle, and leaves iptables-nft tables to iptables-save', () => {
  const nft = readHostSnapshot(recordedHost(recording('nft-field-gateway')));
  assert.equal(nft.firewall.kind, 'read');
  const rules = nft.firewall.kind === 'read' ? nft.firewall.value.rules : [];
  const ret = rules.find((r) => r.ctStates.length > 0);
  assert.deepEqual(
    [ret?.table, ret?.chain, ret?.hook, ret?.chainPolicy, ret?.position, ret?.inInterface, ret?.outInterface, ret?.ctStates],
    ['inet fftr', 'forward', 'forward', 'drop', 7, 'tun0', 'br-fftr', ['established', 'related']],
  );
  assert.equal(ret?.text, 'iifname "tun0" oifname "br-fftr" ct state established,related accept');
  const ipt = readHostSnapshot(recordedHost(recording('field-gateway')));
  const tools = ipt.firewall.kind === 'read' ? new Set(ipt.firewall.value.rules.map((r) => r.tool)) : new Set();
  assert.deepEqual([...tools], ['iptables'], 'the iptables-nft rules nft also lists are read once');
});

test('a firewall tool that fails (not root) makes the firewall unreadable, not absent', () => {
  const rec = recording('field-gateway');
  rec.commands['iptables-save'] = {
    kind: 'failed',
    message: 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
  };
  const snap = readHostSnapshot(recordedHost(rec));
  assert.equal(snap.firewall.kind, 'unreadable');
  assert.equal(snap.firewall.kind === 'unreadable' ? snap.firewall.why : '', 'iptables-save: permission denied (run doctor as root)');
  for (const tool of ['iptables-save', 'ip6tables-save', 'nft -j list ruleset', 'nft -a list ruleset']) delete rec.commands[tool];
  assert.equal(readHostSnapshot(recordedHost(rec)).firewall.kind, 'absent');
});

test("reads isc-dhcp-server's router and DNS options with their lines, comments left out", () => {
  const c = parseDhcpdConf(
    [
      '# option routers 10.172.0.1;',
      'subnet 10.172.0.0 netmask 255.255.0.0 {',
      '  option routers 10.172.0.10;',
      '  option domain-name-servers 10.172.0.10, 10.172.0.1;',
      '}',
    ].join('\n'),
    '/etc/dhcp/dhcpd.conf',
  );
  assert.deepEqual(c.routers, [{ file: '/etc/dhcp/dhcpd.conf', line: 3, values: ['10.172.0.10'] }]);
  assert.deepEqual(c.dnsServers[0]?.values, ['10.172.0.10', '10.172.0.1']);
});

test("reads dnsmasq's router and DNS options by number or name, behind tags, and whether it serves DHCP", () => {
  const c = parseDnsmasqConf([
    { file: '/etc/dnsmasq.conf', text: 'interface=br-fftr\n' },
    {
      file: '/etc/dnsmasq.d/mesh.conf',
      text: 'dhcp-range=10.172.128.0,10.172.191.254,1h\ndhcp-option=tag:mesh,option:router,10.172.0.10\ndhcp-option=6,10.172.0.10\n',
    },
  ]);
  assert.equal(c.servesDhcp, true);
  assert.deepEqual(c.routers, [{ file: '/etc/dnsmasq.d/mesh.conf', line: 2, values: ['10.172.0.10'] }]);
  assert.deepEqual(c.dnsServers[0]?.values, ['10.172.0.10']);
  assert.equal(parseDnsmasqConf([{ file: '/etc/dnsmasq.conf', text: 'no-resolv\n' }]).servesDhcp, false);
});

test("reads radvd's interfaces and RDNSS, and BIRD's protocol radv in both RDNSS forms", () => {
  const radvd = parseRadvdConf(
    'interface fftr-gw-anycast {\n  AdvSendAdvert on;\n  prefix 2001:bf7:fc0f::/64 { };\n  RDNSS 2001:bf7:fc0f::10 { };\n};\n',
    '/etc/radvd.conf',
  );
  assert.deepEqual(radvd.interfaces, [{ name: 'fftr-gw-anycast', rdnss: ['2001:bf7:fc0f::10'] }]);
  const bird = parseBirdRadv(
    'protocol device { }\nprotocol radv radv_mesh {\n  # interface "br-fftr";\n  interface "fftr-gw-anycast" { prefix 2001:bf7:fc0f::/64 { }; };\n  rdnss { ns 2001:bf7:fc0f::10; };\n}\n',
    '/etc/bird/bird6.conf',
  );
  assert.deepEqual(bird?.interfaces, [{ name: 'fftr-gw-anycast', rdnss: [] }]);
  assert.deepEqual(bird?.rdnss, ['2001:bf7:fc0f::10']);
  assert.equal(parseBirdRadv('protocol kernel { }', '/etc/bird/bird.conf'), undefined);
});

test('a negated rule, a fwmark rule and suppress_prefixlength are read as rules doctor never matches', () => {
  // Recorded from `ip -j rule` after `ip rule add not from 10.0.0.0/8 table 5`, `… fwmark 0x1 table 6`, `… table main suppress_prefixlength 0`.
  const rules = rulesFrom(
    '[{"priority":500,"not":null,"src":"10.0.0.0","srclen":8,"table":"5"},{"priority":501,"src":"all","fwmark":"0x1","table":"6"},{"priority":502,"src":"all","table":"main","suppress_prefixlen":0}]',
    4,
  );
  assert.deepEqual(
    rules.map((r) => [r.priority, r.not, r.otherSelectors]),
    [
      [500, true, []],
      [501, false, ['fwmark']],
      [502, false, ['suppress_prefixlen']],
    ],
  );
});

test('rules loaded with iptables-legacy are read when the nf_tables iptables-save shows none, and only then', () => {
  const rec = recording('field-gateway');
  const save = rec.commands['iptables-save']!;
  const text = save.kind === 'ok' ? save.stdout : '';
  rec.commands['iptables-legacy-save'] = { kind: 'ok', stdout: text.replace(/ \(nf_tables\)/g, '') };
  const both = readHostSnapshot(recordedHost(rec));
  assert.deepEqual(both.firewall.kind === 'read' ? both.firewall.value.sources : [], ['iptables-save', 'iptables-legacy-save', 'ip6tables-save', 'nft']);
  // An nf_tables iptables-save that shows nothing: nftables holds none of its tables either.
  rec.commands['iptables-save'] = { kind: 'ok', stdout: '' };
  rec.commands['nft -j list ruleset'] = { kind: 'ok', stdout: '{"nftables": []}' };
  const legacyOnly = readHostSnapshot(recordedHost(rec));
  const tools = legacyOnly.firewall.kind === 'read' ? [...new Set(legacyOnly.firewall.value.rules.map((r) => r.tool))] : [];
  assert.deepEqual(tools, ['iptables-legacy']);
  // iptables-save that is itself the legacy one (no "(nf_tables)" in its header): the same rules are not read twice.
  rec.commands['iptables-save'] = rec.commands['iptables-legacy-save']!;
  const legacySave = readHostSnapshot(recordedHost(rec));
  assert.deepEqual(legacySave.firewall.kind === 'read' ? legacySave.firewall.value.sources : [], ['iptables-save', 'ip6tables-save', 'nft']);
  assert.ok(legacySave.firewall.kind === 'read' && legacySave.firewall.value.rules.every((r) => r.tool !== 'iptables-legacy'));
});
