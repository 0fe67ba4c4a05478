import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameJson } from '../../src/report/frame-json.js';
import { fixturesDir } from '../support/paths.js';
import { jsonLines, runCli } from '../support/run-cli.js';

/**
 * The real CLI over every fixture that is not broken: `frames --json --all`
 * pins, frame by frame, the fields the decoders produced. Each frame is one
 * line, in the order of the tcpdump -nne lines of fixtures/README.md.
 */

/** One frame as a line: number, time of day (all its digits), interface, then each decoded layer. */
function summary(f: FrameJson): string {
  const p = [`#${f.frame}`, f.time.slice(11)];
  if (f.interface !== undefined) p.push(`if ${f.interface}`);
  if (f.eth) p.push(`eth ${f.eth.src} > ${f.eth.dst}`);
  const b = f.batadv;
  if (b) {
    let s = `batadv ${b.type} ttl ${b.ttl}`;
    if (b.ttvn !== undefined) s += ` ttvn ${b.ttvn}`;
    if (b.dest !== undefined) s += ` dest ${b.dest}`;
    if (b.orig !== undefined) s += ` orig ${b.orig}`;
    if (b.subtype !== undefined) s += ` subtype ${b.subtype}`;
    if (b.seqno !== undefined) s += ` seqno ${b.seqno}`;
    p.push(s);
    if (b.eth) p.push(`inner ${b.eth.src} > ${b.eth.dst}`);
  }
  if (f.sll) p.push(`sll${f.sll.version} pkttype ${f.sll.pkttype}${f.sll.ifindex !== undefined ? ` ifindex ${f.sll.ifindex}` : ''} ${f.sll.addr}`);
  if (f.vlan) p.push(`vlan ${f.vlan.map((v) => `${v.tpid.toString(16)}:${v.id}`).join(' ')}`);
  const a = f.arp;
  if (a) p.push(a.complete ? `arp op ${a.op} ${a.sha} ${a.spa} > ${a.tha} ${a.tpa}` : `arp op ${a.op} incomplete`);
  if (f.ip) p.push(`ip ${f.ip.src} > ${f.ip.dst}`);
  if (f.ip6) p.push(`ip6 ${f.ip6.src} > ${f.ip6.dst}`);
  const c = f.icmp;
  if (c) {
    let s = `icmp ${c.type}/${c.code}`;
    if (c.id !== undefined) s += ` id ${c.id}`;
    if (c.seq !== undefined) s += ` seq ${c.seq}`;
    if (c.inner) s += ` inner ${c.inner.src} > ${c.inner.dst} proto ${c.inner.proto} ${c.inner.sport} > ${c.inner.dport}`;
    p.push(s);
  }
  const c6 = f.icmp6;
  if (c6) {
    let s = `icmp6 ${c6.type}/${c6.code}`;
    if (c6.id !== undefined) s += ` id ${c6.id} seq ${c6.seq}`;
    if (c6.target !== undefined) s += ` target ${c6.target}`;
    if (c6.flags) s += ` flags ${(['router', 'solicited', 'override'] as const).filter((k) => c6.flags![k]).join('+')}`;
    if (c6.sll !== undefined) s += ` sll ${c6.sll}`;
    if (c6.tll !== undefined) s += ` tll ${c6.tll}`;
    if (c6.ra) s += ` ra hlim ${c6.ra.hlim} flags ${c6.ra.flags} lifetime ${c6.ra.lifetime} prefixes ${c6.ra.prefixes}`;
    p.push(s);
  }
  if (f.udp) p.push(`udp ${f.udp.sport} > ${f.udp.dport}`);
  if (f.tcp) p.push(`tcp ${f.tcp.sport} > ${f.tcp.dport}`);
  if (f.stop) p.push(`stop ${f.stop.layer} ${f.stop.reason} ${f.stop.need}/${f.stop.have}`);
  return p.join(', ');
}

function frames(args: string[]): FrameJson[] {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  return jsonLines(r.stdout) as unknown as FrameJson[];
}

/** The eight frames of arp-icmp-eth-us.pcap and its copies; `sub` is appended to every time (the ns fixture's extra digits). */
const arpIcmp = (sub: string): string[] => [
  `#1, 22:13:20.000000${sub}Z, eth 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1`,
  `#2, 22:13:20.010250${sub}Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10`,
  `#3, 22:13:20.020500${sub}Z, eth 02:ca:fe:ac:00:01 > ff:ff:ff:ff:ff:ff, arp op 1 02:ca:fe:ac:00:01 10.172.0.1 > 00:00:00:00:00:00 10.172.0.1`,
  `#4, 22:13:20.030750${sub}Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1`,
  `#5, 22:13:20.041000${sub}Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1`,
  `#6, 22:13:20.051250${sub}Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, tcp 40000 > 443`,
  `#7, 22:13:20.061500${sub}Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, udp 53000 > 33434`,
  `#8, 22:13:20.071750${sub}Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip 10.172.0.1 > 10.172.0.10, icmp 3/3 inner 10.172.0.10 > 10.172.0.1 proto 17 53000 > 33434`,
];

const EXPECTED: Record<string, string[]> = {
  'arp-icmp-eth-us.pcap': arpIcmp(''),
  // Nanosecond magic: every timestamp 789 ns later, all nine digits shown.
  'arp-icmp-eth-ns-be.pcap': arpIcmp('789'),
  'arp-icmp.pcapng': arpIcmp(''),
  'big-endian.pcapng': arpIcmp(''),
  'multi-interface.pcapng': [
    '#1, 22:13:20.000000Z, eth 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.000001234Z, if 1, sll1 pkttype 1 02:00:00:00:00:0a, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#3, 22:13:20.020500Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.020505678Z, if 1, sll1 pkttype 0 02:00:00:00:00:0a, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    // #5 is a Simple Packet Block: it has no timestamp of its own (tshark shows none).
    '#5, 22:13:20.020505Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
    '#6, 22:13:20.030759999Z, if 1, sll1 pkttype 4 02:ca:fe:ac:00:01, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'sll.pcap': [
    '#1, 22:13:20.000000Z, sll1 pkttype 1 02:00:00:00:00:0a, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.010250Z, sll1 pkttype 4 02:ca:fe:ac:00:01, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#3, 22:13:20.020500Z, sll1 pkttype 0 02:00:00:00:00:0a, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.030750Z, sll1 pkttype 4 02:ca:fe:ac:00:01, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'sll2.pcap': [
    '#1, 22:13:20.000000Z, sll2 pkttype 1 ifindex 105 02:00:00:00:00:0a, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.010250Z, sll2 pkttype 4 ifindex 105 02:ca:fe:ac:00:01, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#3, 22:13:20.020500Z, sll2 pkttype 0 ifindex 105 02:00:00:00:00:0a, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.030750Z, sll2 pkttype 4 ifindex 105 02:ca:fe:ac:00:01, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'sll2-any-duplicates.pcap': [
    '#1, 22:13:20.000000Z, sll2 pkttype 1 ifindex 104 02:00:00:00:00:0a, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#3, 22:13:20.010250Z, sll2 pkttype 4 ifindex 105 02:ca:fe:ac:00:01, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#5, 22:13:20.020500Z, sll2 pkttype 0 ifindex 104 02:00:00:00:00:0a, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#7, 22:13:20.030750Z, sll2 pkttype 4 ifindex 105 02:ca:fe:ac:00:01, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'vlan.pcap': [
    '#1, 22:13:20.000000Z, eth 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, vlan 8100:10, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.010250Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, vlan 8100:10, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#3, 22:13:20.020500Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, vlan 8100:10, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.030750Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, vlan 8100:10, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'qinq.pcap': [
    '#1, 22:13:20.000000Z, eth 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, vlan 88a8:100 8100:10, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.010250Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, vlan 88a8:100 8100:10, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#3, 22:13:20.020500Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, vlan 88a8:100 8100:10, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.030750Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, vlan 88a8:100 8100:10, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
  ],
  'ipv6-ndp.pcap': [
    '#1, 22:13:20.000000Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip6 2001:db8:ac::a > 2001:db8:ac::1, icmp6 128/0 id 4660 seq 1',
    '#2, 22:13:20.010250Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip6 2001:db8:ac::1 > 2001:db8:ac::a, icmp6 129/0 id 4660 seq 1',
    '#3, 22:13:20.020500Z, eth 02:00:00:00:00:0a > 33:33:ff:00:00:01, ip6 fe80::ff:fe00:a > ff02::1:ff00:1, icmp6 135/0 target fe80::1 sll 02:00:00:00:00:0a',
    '#4, 22:13:20.030750Z, eth 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip6 fe80::1 > fe80::ff:fe00:a, icmp6 136/0 target fe80::1 flags solicited+override tll 02:ca:fe:ac:00:01',
    '#5, 22:13:20.041000Z, eth 02:00:00:00:00:0a > 33:33:00:00:00:02, ip6 fe80::ff:fe00:a > ff02::2, icmp6 133/0 sll 02:00:00:00:00:0a',
    '#6, 22:13:20.051250Z, eth 02:ca:fe:ac:00:01 > 33:33:00:00:00:01, ip6 fe80::1 > ff02::1, icmp6 134/0 sll 02:ca:fe:ac:00:01 ra hlim 64 flags 0 lifetime 1800 prefixes 1',
    '#7, 22:13:20.061500Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip6 2001:db8:ac::a > 2001:db8:ac::1, icmp6 128/0 id 4660 seq 2',
  ],
  'batman-adv.pcap': [
    '#1, 22:13:20.000000Z, eth 02:00:00:aa:00:01 > ff:ff:ff:ff:ff:ff, batadv bcast ttl 50 orig 02:00:00:aa:00:01 seqno 4711, inner 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#2, 22:13:20.010250Z, eth 02:00:00:bb:00:01 > 02:00:00:aa:00:01, batadv unicast ttl 50 ttvn 7 dest 02:00:00:aa:00:01, inner 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, arp op 2 02:ca:fe:ac:00:01 10.172.0.1 > 02:00:00:00:00:0a 10.172.0.10',
    '#3, 22:13:20.020500Z, eth 02:00:00:aa:00:01 > 02:00:00:bb:00:01, batadv unicast ttl 50 ttvn 3 dest 02:00:00:bb:00:01, inner 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, icmp 8/0 id 4660 seq 1',
    '#4, 22:13:20.030750Z, eth 02:00:00:bb:00:01 > 02:00:00:aa:00:01, batadv unicast ttl 50 ttvn 7 dest 02:00:00:aa:00:01, inner 02:ca:fe:ac:00:01 > 02:00:00:00:00:0a, ip 10.172.0.1 > 10.172.0.10, icmp 0/0 id 4660 seq 1',
    '#5, 22:13:20.041000Z, eth 02:00:00:aa:00:01 > 02:00:00:bb:00:01, batadv unicast_4addr ttl 50 ttvn 3 dest 02:00:00:bb:00:01 orig 02:00:00:aa:00:01 subtype 2, inner 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, arp op 1 02:00:00:00:00:0a 10.172.0.10 > 00:00:00:00:00:00 10.172.0.1',
    '#6, 22:13:20.051250Z, eth 02:00:00:aa:00:01 > ff:ff:ff:ff:ff:ff, batadv bcast ttl 50 orig 02:00:00:aa:00:01 seqno 4712, inner 02:00:00:00:00:0a > 33:33:ff:00:00:01, ip6 2001:db8:ac::a > ff02::1:ff00:1, icmp6 135/0 target 2001:db8:ac::1 sll 02:00:00:00:00:0a',
  ],
  'truncated-snaplen.pcap': [
    '#1, 22:13:20.000000Z, eth 02:00:00:00:00:0a > 02:ca:fe:ac:00:01, ip 10.172.0.10 > 10.172.0.1, icmp 8/0, stop icmp truncated 8/4',
    '#2, 22:13:20.010250Z, eth 02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, arp op 1 incomplete, stop arp truncated 28/20',
  ],
};

for (const [file, expected] of Object.entries(EXPECTED)) {
  test(`frames --json --all decodes ${file} frame by frame as tcpdump does`, () => {
    // Copies of a frame in an -i any capture hidden: each frame is pinned once.
    assert.deepEqual(frames(['frames', '--json', '--all', '-q', '--duplicates', 'hide', `fixtures/${file}`]).map(summary), expected);
  });
}

test('every capture in fixtures/ that is not broken has its frames pinned here', () => {
  const files = fs
    .readdirSync(fixturesDir)
    .filter((f) => /\.pcap(ng)?$/.test(f) && !f.startsWith('broken-'))
    .sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

test('the nanosecond fixture keeps nine digits in both time and ts; the microsecond one six', () => {
  const ns = frames(['frames', '--json', '--all', '-q', 'fixtures/arp-icmp-eth-ns-be.pcap']);
  assert.deepEqual([ns[0]!.time, ns[0]!.ts], ['2023-11-14T22:13:20.000000789Z', '1700000000.000000789']);
  assert.deepEqual([ns[7]!.time, ns[7]!.ts], ['2023-11-14T22:13:20.071750789Z', '1700000000.071750789']);
  const us = frames(['frames', '--json', '--all', '-q', 'fixtures/arp-icmp-eth-us.pcap']);
  assert.deepEqual([us[7]!.time, us[7]!.ts], ['2023-11-14T22:13:20.071750Z', '1700000000.071750']);
});

test('multi-interface.pcapng names interface 1 (Linux SLL, ns) and leaves interface 0 unnamed', () => {
  const f = frames(['frames', '--json', '--all', '-q', 'fixtures/multi-interface.pcapng']);
  assert.deepEqual(
    f.map((x) => [x.frame, x.interface ?? 0, x.linktype]),
    [
      [1, 0, 1],
      [2, 1, 113],
      [3, 0, 1],
      [4, 1, 113],
      [5, 0, 1],
      [6, 1, 113],
    ],
  );
});

test('sll2-any-duplicates.pcap: frames shows all eight records by default, as tcpdump does; --duplicates hide shows each frame once, mark marks the copies', () => {
  const once = frames(['frames', '--json', '--all', '-q', '--duplicates', 'hide', 'fixtures/sll2-any-duplicates.pcap']);
  assert.deepEqual(
    once.map((f) => f.frame),
    [1, 3, 5, 7],
  );
  const marked = frames(['frames', '--json', '--all', '-q', '--duplicates', 'mark', 'fixtures/sll2-any-duplicates.pcap']);
  assert.deepEqual(
    marked.filter((f) => (f as { copy?: boolean }).copy === true).map((f) => f.frame),
    [2, 4, 6, 8],
  );
  assert.match(
    runCli(['frames', '--duplicates', 'mark', 'fixtures/sll2-any-duplicates.pcap']).stdout.split('\n')[1] ?? '',
    /\[copy of an earlier frame: -i any\]$/,
  );
  const all = frames(['frames', '--json', '--all', '-q', 'fixtures/sll2-any-duplicates.pcap']);
  assert.deepEqual(
    all.map((f) => f.frame),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.deepEqual(
    all.map((f) => f.sll?.ifindex),
    [104, 105, 105, 104, 104, 105, 105, 104],
  );
  assert.deepEqual(
    all.map((f) => f.time.slice(17)),
    ['20.000000Z', '20.000003Z', '20.010250Z', '20.010254Z', '20.020500Z', '20.020505Z', '20.030750Z', '20.030756Z'],
  );
});

/** Same stdout reading the file from stdin as from its path, as text and as JSON. */
function assertStdinMatchesPath(file: string): void {
  const input = fs.readFileSync(path.join(fixturesDir, file));
  for (const flags of [[], ['--json', '--all']]) {
    const fromPath = runCli(['frames', '-q', ...flags, `fixtures/${file}`]);
    const fromStdin = runCli(['frames', '-q', ...flags, '-'], input);
    assert.equal(fromStdin.status, fromPath.status, `${file} ${flags.join(' ')}: ${fromStdin.stderr}`);
    assert.equal(fromStdin.stdout, fromPath.stdout, `${file} ${flags.join(' ')}`);
    assert.notEqual(fromStdin.stdout, '');
  }
}

for (const file of Object.keys(EXPECTED)) {
  test(`reading ${file} from stdin (frames -) prints what reading the path prints`, () => assertStdinMatchesPath(file));
}
