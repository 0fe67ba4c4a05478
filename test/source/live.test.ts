import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DETECTORS, selectDetectors } from '../../src/detect/registry.js';
import { buildDefaultFilter, bpfMac } from '../../src/source/default-filter.js';
import { parseTcpdumpCounters, tcpdumpArgs } from '../../src/source/live-tcpdump.js';
import { mapLibpcapError } from '../../src/source/live-cap.js';
import { fixturesDir, repoRoot } from '../support/paths.js';
import type { SeenFrame } from './fixtures/live-capture.js';

/**
 * Live capture, end to end, inside two network namespaces this file creates
 * and always deletes:
 *
 *   ns A: brt (bridge 02:ac:00:00:00:01, 10.77.0.1, fd77::1)
 *           ├─ vt0 (veth port) ─────────── ns B: vt1 (10.77.0.2)
 *           └─ anyt (macvlan 02:ac:00:00:00:fe, 10.77.0.254, fd77::fe)
 *
 * The capture helper runs in A on brt; the traffic (20 pings, some ARP)
 * comes from B through the veth, so nothing ever leaves the namespaces.
 * Needs root (netns, raw sockets); skipped with a message otherwise.
 */

// Not "acp-…": test/lab/lab.sh deletes every namespace with that prefix.
const NS_A = `acplive-${process.pid}`;
const NS_B = `acplive-${process.pid}-b`;
const BRIDGE_MAC = '02:ac:00:00:00:01';
const ANYCAST_MAC = '02:ac:00:00:00:fe';
/** What `watch` captures with no --filter and no --detectors. */
const defaults = { detectors: selectDetectors(undefined) };
const PEER_MAC = '02:ac:00:00:00:02';
const PINGS = 20;
const HELPER = path.join(repoRoot, 'dist', 'test', 'source', 'fixtures', 'live-capture.js');
/** Every spawned helper is killed after this (by its own PID). */
const HELPER_TIMEOUT_MS = 30_000;
/** After the traffic: time for the last frames to reach user space before "stop". */
const SETTLE_MS = 1200;
/** Largest backward step allowed between consecutive kernel timestamps. */
const MAX_KERNEL_REORDER_NS = 1_000_000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeout = 10_000): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  const why = r.error !== undefined ? r.error.message : r.signal !== null ? `killed by ${r.signal}` : '';
  return { status: r.error !== undefined ? null : r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${why}` };
}

function must(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `status ${r.status}`}`);
}

function hasCommand(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function deleteNamespaces(): void {
  // Idempotent: a namespace that is not there is fine.
  run('ip', ['netns', 'del', NS_A]);
  run('ip', ['netns', 'del', NS_B]);
}

function createNamespaces(): void {
  deleteNamespaces();
  must('ip', ['netns', 'add', NS_A]);
  must('ip', ['netns', 'add', NS_B]);
  const a = (...args: string[]): void => must('ip', ['-n', NS_A, ...args]);
  const b = (...args: string[]): void => must('ip', ['-n', NS_B, ...args]);
  a('link', 'set', 'lo', 'up');
  b('link', 'set', 'lo', 'up');
  a('link', 'add', 'brt', 'address', BRIDGE_MAC, 'type', 'bridge');
  a('link', 'add', 'vt0', 'type', 'veth', 'peer', 'name', 'vt1', 'netns', NS_B);
  a('link', 'set', 'vt0', 'master', 'brt');
  a('link', 'add', 'anyt', 'link', 'brt', 'address', ANYCAST_MAC, 'type', 'macvlan', 'mode', 'bridge');
  a('addr', 'add', '10.77.0.1/24', 'dev', 'brt');
  a('addr', 'add', 'fd77::1/64', 'dev', 'brt', 'nodad');
  a('addr', 'add', '10.77.0.254/24', 'dev', 'anyt');
  a('addr', 'add', 'fd77::fe/64', 'dev', 'anyt', 'nodad');
  b('link', 'set', 'vt1', 'address', PEER_MAC);
  b('addr', 'add', '10.77.0.2/24', 'dev', 'vt1');
  for (const dev of ['brt', 'vt0', 'anyt']) a('link', 'set', dev, 'up');
  b('link', 'set', 'vt1', 'up');
}

function operstate(ns: string, dev: string): string {
  const r = run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
  try {
    return (JSON.parse(r.stdout) as { operstate?: string }[])[0]?.operstate ?? '';
  } catch {
    return '';
  }
}

/** Carrier comes up asynchronously after `ip link set up`: wait (bounded) until the path is up. */
async function waitForLinks(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (operstate(NS_A, 'vt0') === 'UP' && operstate(NS_B, 'vt1') === 'UP' && operstate(NS_A, 'brt') === 'UP') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the veth/bridge links did not come up within 5 s');
}

interface HelperMessage {
  event: 'ready' | 'result' | 'error';
  name?: string;
  message?: string;
  frames?: SeenFrame[];
  stats?: { received: number; dropped?: number; ifDropped?: number };
  startMs?: number;
  endMs?: number;
  setup?: {
    bridge: { name: string; mac: string; ipv4: string[]; ipv6: string[]; arphrd: number; kind?: string };
    anycast: { name: string; mac: string; ipv4: string[]; ipv6: string[] }[];
  };
}

/**
 * Starts the helper in NS_A (optionally as `nobody`), runs `traffic` once it
 * reports ready, then tells it to stop and returns its last message.
 */
async function runHelper(args: string[], traffic?: () => void, asNobody = false): Promise<HelperMessage> {
  const prefix = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const child = spawn('ip', ['netns', 'exec', NS_A, ...prefix, process.execPath, HELPER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ACP_LIVE_FIXTURE: '1' },
  });
  let out = '';
  let err = '';
  const killer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS);
  const messages: HelperMessage[] = [];
  let trafficError: unknown;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (err += t));
  child.stdout.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (t: string) => {
      out += t;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const msg = JSON.parse(line) as HelperMessage;
        messages.push(msg);
        if (msg.event === 'ready') {
          // Never throw out of a stream listener: keep the error for after the helper ended.
          try {
            traffic?.();
          } catch (e) {
            trafficError = e;
          }
          setTimeout(() => child.stdin.end('stop\n'), SETTLE_MS);
        }
      }
    });
    child.on('close', () => resolve());
  });
  await exited;
  clearTimeout(killer);
  if (trafficError !== undefined) throw trafficError;
  const last = messages.at(-1);
  if (last === undefined || last.event === 'ready') {
    throw new Error(`helper ended without a result: ${err.trim() || '(no stderr)'}`);
  }
  return last;
}

function sendTraffic(): void {
  // One ARP exchange comes with the first ping: B resolves 10.77.0.1 afresh.
  run('ip', ['-n', NS_B, 'neigh', 'flush', 'dev', 'vt1']);
  const ping = run('ip', ['netns', 'exec', NS_B, 'ping', '-n', '-q', '-c', String(PINGS), '-i', '0.01', '-W', '1', '10.77.0.1'], 15_000);
  assert.equal(ping.status, 0, `ping failed (status ${ping.status}): ${ping.stderr} ${ping.stdout}`);
}

function assertSaneFrames(m: HelperMessage, engine: string): { frames: SeenFrame[]; maxBackNs: number } {
  assert.equal(m.event, 'result', `${engine}: ${m.message ?? ''}`);
  const frames = m.frames ?? [];
  assert.ok(frames.length > 0, `${engine}: no frames`);
  let prev = -Infinity;
  let maxBack = 0;
  const lowSec = Math.floor((m.startMs ?? 0) / 1000) - 1;
  const highSec = Math.ceil((m.endMs ?? 0) / 1000) + 1;
  frames.forEach((f, i) => {
    assert.equal(f.number, i + 1, `${engine}: frames are numbered from 1 in order`);
    assert.equal(f.linkType, 1);
    assert.equal(f.tsDigits, 9);
    assert.ok(f.tsNsec >= 0 && f.tsNsec < 1e9, `${engine}: tsNsec in range`);
    assert.ok(f.tsSec >= lowSec && f.tsSec <= highSec, `${engine}: frame ${f.number} stamped ${f.tsSec}, capture ran ${lowSec}..${highSec}`);
    const t = f.tsSec * 1e9 + f.tsNsec;
    // cap stamps in user space with a monotonic clock: never back. Kernel
    // stamps (tcpdump) are taken per skb before the frames are queued to the
    // ring, so a frame the host sends can be stamped a few µs before one it
    // received but land after it: small backward steps are real.
    const tolerance = engine === 'cap' ? 0 : MAX_KERNEL_REORDER_NS;
    assert.ok(t >= prev - tolerance, `${engine}: frame ${f.number} is ${(prev - t) / 1e3} µs before frame ${f.number - 1}`);
    if (prev - t > maxBack) maxBack = prev - t;
    prev = Math.max(prev, t);
    assert.ok(f.capLen >= 42 && f.wireLen >= f.capLen, `${engine}: lengths ${f.capLen}/${f.wireLen}`);
  });
  const requests = frames.filter((f) => f.icmpType === 8);
  const replies = frames.filter((f) => f.icmpType === 0);
  assert.equal(requests.length, PINGS, `${engine}: every echo request seen once`);
  assert.equal(replies.length, PINGS, `${engine}: every echo reply seen once`);
  assert.ok(frames.filter((f) => f.etherType === 0x0806).length >= 2, `${engine}: the ARP exchange of the first ping`);
  // 20 requests 10 ms apart: the stamps must spread over roughly that time.
  const ts = (f: SeenFrame): number => f.tsSec + f.tsNsec / 1e9;
  const spread = ts(requests.at(-1)!) - ts(requests[0]!);
  assert.ok(spread > 0.1 && spread < 5, `${engine}: echo requests spread over ${spread.toFixed(3)} s`);
  assert.equal(m.stats?.received, frames.length, `${engine}: stats.received counts the delivered frames`);
  return { frames, maxBackNs: maxBack };
}

// ---- pure parts: no privileges needed ------------------------------------------

describe('default filter', () => {
  const BASE = 'arp or icmp or icmp6 or udp port 67 or udp port 68';
  const TCP_FLAGS = '(tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)';
  const only = (...ids: string[]): { detectors: ReturnType<typeof selectDetectors> } => ({ detectors: selectDetectors(ids) });

  test("of the default detectors is ARP, ICMP, ICMPv6, DHCP and TCP opens/closes/resets, with the VLAN clause last: byte for byte watch's filter from before it was derived", () => {
    assert.equal(
      buildDefaultFilter(defaults),
      'arp or icmp or icmp6 or udp port 67 or udp port 68 or (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0) or (vlan and (arp or icmp or icmp6 or udp port 67 or udp port 68))',
    );
    assert.equal(buildDefaultFilter({ ...defaults, vlan: false }), `${BASE} or ${TCP_FLAGS}`);
  });

  test('is the union of what the selected detectors capture: a clause no selected detector asked for is left out', () => {
    assert.equal(buildDefaultFilter(only('unicast-arp-reply')), 'arp or (vlan and (arp))');
    assert.equal(
      buildDefaultFilter(only('dhcp-router-not-anycast', 'ra-inconsistent')),
      'icmp6 or udp port 67 or udp port 68 or (vlan and (icmp6 or udp port 67 or udp port 68))',
    );
    // TCP only: no VLAN copy (tcp[] reads IPv4 only, and stays out of the VLAN clause).
    assert.equal(buildDefaultFilter(only('moved-connection')), TCP_FLAGS);
    // asymmetric-reply asks for the TCP clause too: it stays until both are skipped.
    assert.ok(buildDefaultFilter({ detectors: selectDetectors(['+moved-connection'], ['moved-connection']) }).includes(TCP_FLAGS));
    assert.equal(buildDefaultFilter({ detectors: selectDetectors(['+moved-connection'], ['moved-connection', 'asymmetric-reply']), vlan: false }), BASE);
  });

  test('of detectors that need nothing it can name is refused, never empty (an empty filter captures everything)', () => {
    assert.throws(() => buildDefaultFilter(only('inter-gateway-traffic')), /need nothing a capture filter can name here: give --filter/);
    assert.throws(() => buildDefaultFilter({ detectors: [] }), /give --filter/);
    assert.equal(buildDefaultFilter({ ...only('inter-gateway-traffic'), batadv: true }), 'ether proto 0x4305');
  });

  test('keeps every frame the DHCP scenario needs, TCP only where it opens, closes or resets, and drops the other UDP (tcpdump -r with the filter)', (t) => {
    if (!hasCommand('tcpdump')) return t.skip('tcpdump not installed');
    const lines = (file: string, filter: string): string[] =>
      run('tcpdump', ['-nn', '-r', path.join(fixturesDir, 'scenarios', file), filter])
        .stdout.split('\n')
        .filter((l) => l !== '');
    const dhcp = lines('dhcp-router-unicast.pcap', buildDefaultFilter(defaults));
    assert.equal(dhcp.length, lines('dhcp-router-unicast.pcap', '').length, 'ARP, ICMP and DHCP: every frame');
    assert.equal(dhcp.filter((l) => l.includes('BOOTP/DHCP')).length, 8);
    const healthy = lines('healthy.pcap', buildDefaultFilter(defaults));
    assert.ok(healthy.length > 0);
    const ports = healthy.filter((l) => /\.(53|443|80|5000[12]) [>:]/.test(l));
    assert.ok(ports.length > 0, 'the TCP handshakes and closes pass');
    assert.deepEqual(
      ports.filter((l) => !/Flags \[[^\]]*[SFR][^\]]*\]/.test(l)),
      [],
      'DNS, other UDP and TCP data and ACKs stay in the kernel',
    );
    const moved = lines('moved-connection-nat.pcap', buildDefaultFilter(defaults));
    assert.equal(moved.filter((l) => l.includes('Flags [R]')).length, 1, 'the reset through gw2 passes');
    return undefined;
  });

  test('adds frames between any two gateway MACs, normalising and deduplicating them', () => {
    const f = buildDefaultFilter({ ...defaults, gatewayMacs: ['02:AC:0:0:0:1', '02-ac-00-00-00-02', 0x02ac00000001], vlan: false });
    assert.equal(
      f,
      `${BASE} or ${TCP_FLAGS} or ((ether src 02:ac:00:00:00:01 or ether src 02:ac:00:00:00:02) and (ether dst 02:ac:00:00:00:01 or ether dst 02:ac:00:00:00:02))`,
    );
    assert.equal(buildDefaultFilter({ ...defaults, gatewayMacs: ['02:ac:00:00:00:01'], vlan: false }), `${BASE} or ${TCP_FLAGS}`, 'one MAC has no pair');
    // Only inter-gateway-traffic asks for the pairs.
    assert.equal(buildDefaultFilter({ ...only('unicast-arp-reply'), gatewayMacs: ['02:ac:00:00:00:01', '02:ac:00:00:00:02'], vlan: false }), 'arp');
  });

  test('rejects something that is not a MAC', () => {
    assert.throws(() => bpfMac('02:ac:00:00:00'), /not a MAC address/);
    assert.throws(() => bpfMac('zz:ac:00:00:00:01'), /not a MAC address/);
    assert.throws(() => bpfMac(2 ** 48), /not a MAC address/);
  });

  test('compiles with libpcap (tcpdump -d -y EN10MB): the default one, every detector, and each detector alone', (t) => {
    if (!hasCommand('tcpdump')) return t.skip('tcpdump not installed');
    const gatewayMacs = [BRIDGE_MAC, ANYCAST_MAC, PEER_MAC];
    const filters = [
      buildDefaultFilter(defaults),
      buildDefaultFilter({ detectors: DETECTORS, gatewayMacs, batadv: true }),
      ...DETECTORS.map((d) => buildDefaultFilter({ detectors: [d], gatewayMacs, batadv: true })),
    ];
    for (const filter of filters) {
      const r = run('tcpdump', ['-d', '-y', 'EN10MB', filter]);
      assert.equal(r.status, 0, `${filter}: ${r.stderr}`);
      assert.match(r.stdout, /ret\s+#0/);
    }
    return undefined;
  });
});

describe('tcpdump engine plumbing', () => {
  test('reads the counters tcpdump prints at exit and on SIGUSR1, last value winning', () => {
    const atExit =
      'tcpdump: listening on brt, link-type EN10MB (Ethernet), snapshot length 65535 bytes\n5 packets captured\n6 packets received by filter\n1 packet dropped by kernel\n2 packets dropped by interface\n';
    assert.deepEqual(parseTcpdumpCounters(atExit), { captured: 5, receivedByFilter: 6, droppedByKernel: 1, droppedByInterface: 2 });
    const usr1 =
      'tcpdump: 3 packets captured, 3 packets received by filter, 0 packets dropped by kernel\ntcpdump: 9 packets captured, 9 packets received by filter, 4 packets dropped by kernel\n';
    assert.deepEqual(parseTcpdumpCounters(usr1), { captured: 9, receivedByFilter: 9, droppedByKernel: 4, droppedByInterface: undefined });
  });

  test('passes the filter after "--" and asks for packet-buffered nanosecond pcap on stdout', () => {
    const args = tcpdumpArgs({ interface: 'br-fftr', filter: 'arp', bufferBytes: 8 * 1024 * 1024 });
    assert.deepEqual(args, ['-i', 'br-fftr', '-U', '-w', '-', '-s', '65535', '-B', '8192', '--time-stamp-precision=nano', '--', 'arp']);
    assert.deepEqual(tcpdumpArgs({ interface: 'x', filter: '', immediate: true }), [
      '-i',
      'x',
      '-U',
      '-w',
      '-',
      '-s',
      '65535',
      '-B',
      '16384',
      '--immediate-mode',
      '--time-stamp-precision=nano',
    ]);
  });

  test('maps libpcap messages to one-line errors', () => {
    const o = { interface: 'lo', filter: 'arp and' };
    assert.match(mapLibpcapError("can't parse filter expression: syntax error", o).message, /^bad capture filter "arp and": can't parse/);
    assert.match(mapLibpcapError('socket: Operation not permitted', o).message, /^capturing on lo needs CAP_NET_RAW: .*AmbientCapabilities=CAP_NET_RAW/);
  });
});

// ---- live: root, inside the namespaces ---------------------------------------------

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const missing = ['ip', 'ping', 'setpriv'].filter((c) => !hasCommand(c));
const liveSkip = !isRoot
  ? 'live capture tests need root (network namespaces, raw sockets): run npm test as root to include them'
  : missing.length > 0
    ? `live capture tests need ${missing.join(', ')}`
    : false;

describe('live capture in a private network namespace', { skip: liveSkip }, () => {
  let setupError: string | undefined;
  const capAvailable = (() => {
    try {
      createRequire(import.meta.url)('cap');
      return true;
    } catch {
      return false;
    }
  })();
  const tcpdumpAvailable = hasCommand('tcpdump');

  before(async () => {
    try {
      createNamespaces();
      await waitForLinks();
    } catch (err) {
      setupError = `cannot build the test namespaces: ${(err as Error).message}`;
      deleteNamespaces();
    }
  });
  after(() => deleteNamespaces());

  const engines = [
    { engine: 'cap', available: () => capAvailable, why: 'npm package "cap" not built' },
    { engine: 'tcpdump', available: () => tcpdumpAvailable, why: 'tcpdump not installed' },
  ];

  for (const { engine, available, why } of engines) {
    test(`${engine}: delivers every ARP and ICMP frame of the traffic on the bridge, in order, with increasing timestamps`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'brt', '--filter', buildDefaultFilter(defaults)], sendTraffic);
      const { frames, maxBackNs } = assertSaneFrames(m, engine);
      const first = frames[0]!;
      const last = frames.at(-1)!;
      t.diagnostic(
        `${engine}: ${frames.length} frames over ${(last.tsSec - first.tsSec + (last.tsNsec - first.tsNsec) / 1e9).toFixed(3)} s, largest backward step ${maxBackNs / 1e3} µs, stats ${JSON.stringify(m.stats)}`,
      );
      if (engine === 'cap') {
        assert.equal(m.stats?.dropped, undefined, 'cap has no drop counter');
        assert.equal(m.stats?.ifDropped, undefined);
      } else {
        assert.equal(m.stats?.dropped, 0, 'tcpdump reports the kernel drops');
        assert.equal(typeof m.stats?.ifDropped, 'number');
      }
      return undefined;
    });

    test(`${engine}: the filter is applied in the kernel (only ARP with "arp")`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'brt', '--filter', 'arp'], sendTraffic);
      assert.equal(m.event, 'result', m.message);
      const frames = m.frames ?? [];
      assert.ok(frames.length >= 2, `${engine}: the ARP exchange was captured`);
      assert.ok(
        frames.every((f) => f.etherType === 0x0806),
        `${engine}: nothing but ARP`,
      );
      return undefined;
    });

    test(`${engine}: a missing interface is one line that lists the interfaces that exist`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'nosuch0', '--filter', 'arp']);
      assert.equal(m.event, 'error');
      assert.equal(m.name, 'EnvironmentError');
      assert.match(m.message ?? '', /^interface "nosuch0" does not exist \(interfaces here: .*\bbrt\b.*\)$/);
      return undefined;
    });

    test(`${engine}: a bad filter is one line naming the filter and libpcap's reason`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'brt', '--filter', 'arp and']);
      assert.equal(m.event, 'error');
      assert.equal(m.name, 'EnvironmentError');
      assert.match(m.message ?? '', /^bad capture filter "arp and": .*syntax error$/);
      return undefined;
    });

    test(`${engine}: a non-Ethernet link type is refused by name`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'any', '--filter', 'arp']);
      assert.equal(m.event, 'error');
      assert.match(m.message ?? '', /^interface any has link type Linux cooked v[12] \(SLL2?\), not Ethernet/);
      return undefined;
    });

    test(`${engine}: without privileges the error says how to get them`, async (t) => {
      if (setupError !== undefined) return t.skip(setupError);
      if (!available()) return t.skip(why);
      const m = await runHelper(['--engine', engine, '--iface', 'brt', '--filter', 'arp'], undefined, true);
      assert.equal(m.event, 'error', 'nobody must not be able to capture');
      assert.equal(
        m.message,
        'capturing on brt needs CAP_NET_RAW: run as root, or with only that capability (systemd AmbientCapabilities=CAP_NET_RAW, or setpriv --inh-caps=+net_raw --ambient-caps=+net_raw; README "Security")',
      );
      return undefined;
    });
  }

  test('discovery finds the bridge and the macvlan anycast interface on it, with MACs and addresses', async (t) => {
    if (setupError !== undefined) return t.skip(setupError);
    const m = await runHelper(['--discover', 'brt']);
    assert.equal(m.event, 'result', m.message);
    const setup = m.setup!;
    assert.equal(setup.bridge.name, 'brt');
    assert.equal(setup.bridge.mac, BRIDGE_MAC);
    assert.equal(setup.bridge.arphrd, 1);
    assert.equal(setup.bridge.kind, 'bridge');
    assert.deepEqual(setup.bridge.ipv4, ['10.77.0.1']);
    assert.ok(setup.bridge.ipv6.includes('fd77::1'));
    assert.equal(setup.anycast.length, 1, 'the veth port is not an anycast interface');
    const any = setup.anycast[0]!;
    assert.equal(any.name, 'anyt');
    assert.equal(any.mac, ANYCAST_MAC);
    assert.deepEqual(any.ipv4, ['10.77.0.254']);
    assert.ok(any.ipv6.includes('fd77::fe'));
    return undefined;
  });

  test('discovery of a missing bridge lists the interfaces that exist', async (t) => {
    if (setupError !== undefined) return t.skip(setupError);
    const m = await runHelper(['--discover', 'br-nosuch']);
    assert.equal(m.event, 'error');
    assert.match(m.message ?? '', /^interface "br-nosuch" does not exist \(interfaces here: .*anyt, brt, lo, vt0\)$/);
    return undefined;
  });
});
