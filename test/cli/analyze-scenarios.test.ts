import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildScenarioFixtures } from '../../scripts/anycast-scenarios.js';
import type { AnalysisJson } from '../../src/report/analysis-json.js';
import { fixturesDir } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * `anycast-probe analyze` on every anycast scenario, run as a user runs it:
 * once with no configuration (the anycast IP/MAC inferred from ARP, the
 * gateways learned and named by the unicast IP their MAC claimed) and once
 * with the address plan given on the command line (gateways named gw1/gw2).
 *
 * The scenario captures (fixtures/scenarios/, scripts/anycast-scenarios.ts)
 * and the real-kernel captures (fixtures/lab/) follow test/lab/FINDINGS.md:
 * what the expectations below say is what the kernel does, not what the
 * detectors happen to print.
 */

const ANYCAST_IP = '10.172.0.10';
const ANYCAST_MAC = '02:ca:fe:00:00:01';
const GW1_MAC = '02:00:00:00:01:01';
const GW2_MAC = '02:00:00:00:02:01';
const CLIENT = { c1: '02:00:00:00:0c:01', c2: '02:00:00:00:0c:02' } as const;
const GATEWAY_FLAGS = ['--gateway', `gw1=${GW1_MAC}`, '--gateway', `gw2=${GW2_MAC}`];
const CONFIG_FLAGS = ['--anycast-ip', ANYCAST_IP, '--anycast-mac', ANYCAST_MAC, ...GATEWAY_FLAGS];
const CONFIG_FLAGS_V6 = ['--anycast-ip', 'fd00::10', '--anycast-mac', ANYCAST_MAC, ...GATEWAY_FLAGS];

const FIX_ARP_FILTER = 'sysctl -w net.ipv4.conf.all.arp_filter=1';
const FIX_SOURCE_ROUTE = 'ip rule add from 10.172.0.10/32 table anycast';
const FIX_SOURCE_ROUTE_TABLE = 'ip route add table anycast';

/** How the report names gateways: told names, or learned ones (the IPv4 a gateway's MAC claimed; its MAC where the capture is IPv6 only). */
type Mode = 'inferred' | 'inferred-ipv6-only' | 'configured';
type GatewayRef = 'gw1' | 'gw2';

/** The name a report gives a gateway: the configured name, or the unicast IP its MAC claimed in ARP; null for none (the anycast MAC). */
function gatewayName(gw: GatewayRef | null, mode: Mode): string | null {
  if (gw === null) return null;
  if (mode === 'configured') return gw;
  if (mode === 'inferred-ipv6-only') return gw === 'gw1' ? GW1_MAC : GW2_MAC;
  return gw === 'gw1' ? '10.172.0.1' : '10.172.0.2';
}

/** An expected error/warning finding. */
interface Problem {
  kind: string;
  severity: 'error' | 'warning';
  count: number;
  gateway: GatewayRef | null;
  otherGateway?: GatewayRef | null;
  cause: string;
  clients?: readonly string[];
  /** A command the fix must contain. */
  fix?: string;
}

interface Expectation {
  exit: number;
  verdict: string;
  problems: readonly Problem[];
}

type Finding = AnalysisJson['findings'][number];

const cache = new Map<string, { status: number; doc: AnalysisJson; stderr: string }>();

/** `analyze FILE --json` (memoised: several tests read one run). */
function analyze(file: string, flags: readonly string[]): { status: number; doc: AnalysisJson; stderr: string } {
  const key = [file, ...flags].join(' ');
  let r = cache.get(key);
  if (r === undefined) {
    const run = runCli(['analyze', file, '--json', ...flags]);
    assert.notEqual(run.stdout.trim(), '', `analyze ${key} printed nothing (exit ${run.status}): ${run.stderr}`);
    r = { status: run.status, doc: JSON.parse(run.stdout) as AnalysisJson, stderr: run.stderr };
    cache.set(key, r);
  }
  return r;
}

const problemsOf = (doc: AnalysisJson): Finding[] => doc.findings.filter((f) => f.severity !== 'info');
const kindsOf = (fs: readonly { kind: string }[]): string[] => fs.map((f) => f.kind).sort();

/** Exit code, verdict, the exact multiset of error/warning findings, and each one's gateway, count, cause, clients and fix. */
function assertOutcome(file: string, flags: readonly string[], mode: Mode, want: Expectation): void {
  const { status, doc, stderr } = analyze(file, flags);
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(doc.verdict, want.verdict, 'verdict');
  assert.equal(status, want.exit, 'exit code');
  const got = problemsOf(doc);
  assert.deepEqual(kindsOf(got), kindsOf(want.problems), 'the error/warning finding kinds');
  for (const p of want.problems) {
    const name = gatewayName(p.gateway, mode);
    const f = got.find((g) => g.kind === p.kind && g.gateway === name);
    assert.ok(f !== undefined, `${p.kind} on ${name}; got ${got.map((g) => `${g.kind} on ${g.gateway}`).join(', ')}`);
    assert.equal(f.severity, p.severity, `${p.kind} severity`);
    assert.equal(f.count, p.count, `${p.kind} on ${name}: count`);
    assert.equal(f.cause, p.cause, `${p.kind} on ${name}: cause`);
    if (p.otherGateway !== undefined) assert.equal(f.otherGateway, gatewayName(p.otherGateway, mode), `${p.kind}: otherGateway`);
    if (p.clients !== undefined) {
      assert.deepEqual([...f.clients].sort(), [...p.clients].sort(), `${p.kind} on ${name}: clients`);
      assert.equal(f.clientCount, p.clients.length, `${p.kind} on ${name}: clientCount`);
    }
    if (p.fix !== undefined)
      assert.ok(
        f.fix.some((cmd) => cmd.includes(p.fix!)),
        `${p.kind} fix contains "${p.fix}": ${JSON.stringify(f.fix)}`,
      );
  }
}

const HEALTHY: Expectation = { exit: 0, verdict: 'healthy', problems: [] };
/** Exit 1, verdict problems, exactly these error/warning findings. */
const problemsFound = (...problems: Problem[]): Expectation => ({ exit: 1, verdict: 'problems', problems });

const arpFilterOff = (gw: GatewayRef, count: number, clients: readonly string[]): Problem => ({
  kind: 'unicast-arp-reply',
  severity: 'error',
  count,
  gateway: gw,
  cause: 'arp-filter-off',
  clients,
  fix: FIX_ARP_FILTER,
});

/** Clients that sent to the gateway's unicast MAC after it told them the anycast IP is there. */
const pinned = (gw: GatewayRef, count: number, clients: readonly string[]): Problem => ({
  kind: 'client-pinned',
  severity: 'warning',
  count,
  gateway: gw,
  cause: 'pinned-to-gateway',
  clients,
});

/**
 * The real kernel with arp_filter off on gw1: the bridge's reply comes first and wins, so each client sends
 * its first ping to gw1's MAC (client-pinned, once each) until the anycast macvlan's own request re-teaches it.
 */
const ARP_FILTER_OFF_ONE: Expectation = {
  exit: 1,
  verdict: 'problems',
  problems: [arpFilterOff('gw1', 2, [CLIENT.c1, CLIENT.c2]), pinned('gw1', 2, [CLIENT.c1, CLIENT.c2])],
};
/** The same in a Linux cooked (-i any) capture: no destination MAC, so no frame can be seen going the wrong way. */
const ARP_FILTER_OFF_ONE_COOKED: Expectation = { ...ARP_FILTER_OFF_ONE, problems: [arpFilterOff('gw1', 2, [CLIENT.c1, CLIENT.c2])] };
const ARP_FILTER_OFF_BOTH: Expectation = {
  exit: 1,
  verdict: 'problems',
  problems: [
    arpFilterOff('gw1', 2, [CLIENT.c1, CLIENT.c2]),
    arpFilterOff('gw2', 2, [CLIENT.c1, CLIENT.c2]),
    // gw2's macvlan also answers gw1's ARP for gw2's own IP with the anycast MAC (test/lab/FINDINGS.md).
    {
      kind: 'anycast-mac-for-unicast-ip',
      severity: 'error',
      count: 1,
      gateway: 'gw2',
      cause: 'arp-filter-off-macvlan',
      clients: [GW1_MAC],
      fix: FIX_ARP_FILTER,
    },
    pinned('gw2', 2, [CLIENT.c1, CLIENT.c2]),
  ],
};
/**
 * no-source-route as the kernel does it: gw1's bridge answers ARP for the anycast IP (2 replies) and sends the
 * 4 echo replies from 10.172.0.10 with its bridge MAC; both clients end up on gw1, and c2's forwarded replies come
 * back through gw2 (the inet host routes 10.172.1.2 via gw2), so the asymmetric reply is real too.
 */
const NO_SOURCE_ROUTE: Expectation = {
  exit: 1,
  verdict: 'problems',
  problems: [
    {
      kind: 'unicast-arp-reply',
      severity: 'error',
      count: 2,
      gateway: 'gw1',
      cause: 'source-route-missing',
      clients: [CLIENT.c1, CLIENT.c2],
      fix: FIX_SOURCE_ROUTE,
    },
    {
      kind: 'anycast-reply-unicast-mac',
      severity: 'error',
      count: 4,
      gateway: 'gw1',
      cause: 'source-route-missing',
      clients: [CLIENT.c1, CLIENT.c2],
      fix: FIX_SOURCE_ROUTE,
    },
    { kind: 'asymmetric-reply', severity: 'warning', count: 2, gateway: 'gw2', otherGateway: 'gw1', cause: 'wrong-gateway-return', clients: [CLIENT.c2] },
    // Both clients believe gw1's reply and send everything there for the rest of the capture.
    pinned('gw1', 8, [CLIENT.c1, CLIENT.c2]),
  ],
};

interface Scenario {
  file: string;
  /** The behaviour, as the test name. */
  does: string;
  want: Expectation;
  /** Without configuration (default: the same as configured). */
  inferred?: Expectation;
  configFlags?: readonly string[];
  /** An IPv6-only capture: not told, the anycast address inferred is fd00::10 and gateways are named by MAC. */
  ipv6Only?: true;
  /** Flags for both runs (a detector that is off by default). */
  alsoFlags?: readonly string[];
}

/** An IPv6-only capture where gw1's bridge answers both clients' solicitations for the anycast address (2 NAs). */
function neighborAdvertScenario(file: string, does: string, cause: string, fix: string, also: readonly Problem[] = []): Scenario {
  return {
    file,
    does,
    configFlags: CONFIG_FLAGS_V6,
    want: problemsFound({ kind: 'unicast-neighbor-advert', severity: 'error', count: 2, gateway: 'gw1', cause, clients: [CLIENT.c1, CLIENT.c2], fix }, ...also),
    // Not told, the anycast address is inferred from the NAs: the anycast MAC answers each solicitation twice.
    ipv6Only: true,
  };
}

const SCENARIOS: readonly Scenario[] = [
  {
    file: 'healthy.pcap',
    does: 'calls a mesh healthy when both macvlans answer ARP with the anycast MAC and forwarded replies come from the nearest gateway',
    want: HEALTHY,
  },
  {
    file: 'healthy-forwarded.pcap',
    does: "raises nothing on heavy forwarded TCP/UDP answered from each client's own gateway's bridge MAC",
    want: HEALTHY,
  },
  {
    file: 'arp-filter-off-one.pcap',
    does: 'reports the unicast ARP reply for the anycast IP once for gw1, naming both clients, with arp_filter off as the cause',
    want: ARP_FILTER_OFF_ONE,
  },
  { file: 'arp-filter-off-one.pcapng', does: 'finds the same unicast ARP reply in a pcapng capture', want: ARP_FILTER_OFF_ONE },
  { file: 'arp-filter-off-one-vlan.pcap', does: 'finds the same unicast ARP reply inside 802.1Q VLAN 10', want: ARP_FILTER_OFF_ONE },
  {
    file: 'arp-filter-off-one-sll2.pcap',
    does: 'counts each frame of a tcpdump -i any capture once: the same unicast ARP reply with the same counts',
    want: ARP_FILTER_OFF_ONE_COOKED,
  },
  {
    file: 'arp-filter-off-both.pcap',
    does: 'reports a unicast ARP reply for the anycast IP once per gateway, with arp_filter off as the cause',
    want: ARP_FILTER_OFF_BOTH,
  },
  {
    file: 'no-source-route.pcap',
    does: 'blames the missing source route on gw1 for its bridge-MAC ARP replies and echo replies from the anycast IP',
    want: NO_SOURCE_ROUTE,
  },
  {
    file: 'no-source-route-batadv.pcap',
    does: 'finds the missing source route in frames carried inside batman-adv packets',
    want: NO_SOURCE_ROUTE,
  },
  {
    file: 'wrong-gateway.pcap',
    does: "reports replies from gw2 to traffic a client sent to gw1's MAC, and the unicast ARP reply that pinned the client to gw1",
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        { kind: 'asymmetric-reply', severity: 'warning', count: 6, gateway: 'gw2', otherGateway: 'gw1', cause: 'wrong-gateway-return', clients: [CLIENT.c2] },
        arpFilterOff('gw1', 1, [CLIENT.c2]),
        pinned('gw1', 8, [CLIENT.c2]),
      ],
    },
  },
  {
    file: 'gateway-switch.pcap',
    // The near miss of moved-connection: the flows move and go on being answered.
    alsoFlags: ['--detectors', '+moved-connection'],
    does: 'reports flows to the anycast MAC that move from gw1 to gw2, and no asymmetric reply',
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        { kind: 'gateway-switch', severity: 'warning', count: 2, gateway: 'gw2', otherGateway: 'gw1', cause: 'flow-moved-gateway', clients: [CLIENT.c1] },
      ],
    },
  },
  {
    file: 'moved-connection-nat.pcap',
    alsoFlags: ['--detectors', '+moved-connection'],
    does: 'reports the TCP connection that moved from gw1 to gw2 and was reset there (NAT), beside the move itself',
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        { kind: 'gateway-switch', severity: 'warning', count: 1, gateway: 'gw2', otherGateway: 'gw1', cause: 'flow-moved-gateway', clients: [CLIENT.c1] },
        {
          kind: 'moved-connection',
          severity: 'warning',
          count: 1,
          gateway: 'gw2',
          otherGateway: 'gw1',
          cause: 'moved-nat-state-lost',
          clients: [CLIENT.c1],
          fix: 'conntrackd',
        },
      ],
    },
  },
  {
    file: 'moved-connection-dropped.pcap',
    alsoFlags: ['--detectors', '+moved-connection'],
    does: 'reports the TCP connection that a flipped ARP answer moved from gw1 to gw2, sent again and never answered there (a stateful firewall)',
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        arpFilterOff('gw1', 1, [CLIENT.c1]),
        arpFilterOff('gw2', 1, [CLIENT.c1]),
        pinned('gw1', 3, [CLIENT.c1]),
        pinned('gw2', 4, [CLIENT.c1]),
        {
          kind: 'moved-connection',
          severity: 'warning',
          count: 1,
          gateway: 'gw2',
          otherGateway: 'gw1',
          cause: 'moved-connection-dropped',
          clients: [CLIENT.c1],
          fix: 'ESTABLISHED',
        },
      ],
    },
  },
  {
    file: 'inter-gateway.pcap',
    does: 'warns about heavy traffic from gw1 to gw2, and only notes the light traffic back',
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [{ kind: 'inter-gateway-traffic', severity: 'warning', count: 162, gateway: 'gw1', otherGateway: 'gw2', cause: 'inter-gateway-volume' }],
    },
  },
  // gw1's bridge answers the clients' solicitations for fd00::10: override set, the address is on br-fftr too.
  neighborAdvertScenario(
    'unicast-neighbor-advert.pcap',
    "reports the neighbor advertisements for the anycast IPv6 address that carry gw1's bridge MAC, naming both clients",
    'anycast-ipv6-on-bridge',
    'ip -6 addr del fd00::10/128 dev br-fftr',
    // The clients then ping fd00::10 through gw1's MAC.
    [pinned('gw1', 4, [CLIENT.c1, CLIENT.c2])],
  ),
  neighborAdvertScenario(
    'neighbor-advert-proxy-ndp.pcap',
    "blames proxy NDP for gw1's bridge-MAC neighbor advertisements for the anycast IPv6 address that have the override flag clear",
    'proxy-ndp',
    'sysctl -w net.ipv6.conf.br-fftr.proxy_ndp=0',
    // A solicited NA completes an entry whatever its override flag: these clients ping through gw1's MAC.
    [pinned('gw1', 4, [CLIENT.c1, CLIENT.c2])],
  ),
  {
    file: 'ra-healthy.pcap',
    does: 'calls a mesh healthy when both gateways send the same router advertisements from the anycast MAC and link-local, options in another order',
    want: HEALTHY,
  },
  {
    file: 'ra-from-bridge.pcap',
    does: "reports gw1's router advertisements from its bridge MAC and link-local once, naming the client it answered, with radv on the bridge as the cause",
    want: problemsFound({
      kind: 'ra-not-from-anycast',
      severity: 'error',
      count: 2,
      gateway: 'gw1',
      cause: 'radv-on-bridge',
      clients: [CLIENT.c1],
      fix: 'interface "fftr-gw-anycast"',
    }),
  },
  {
    file: 'ra-link-local.pcap',
    does: "reports the RAs from the anycast MAC with gw2's link-local not derived from it, naming no gateway, with the EUI-64 link-local in the fix",
    want: problemsFound({
      kind: 'ra-not-from-anycast',
      severity: 'error',
      count: 2,
      gateway: null,
      cause: 'anycast-link-local-not-eui64',
      clients: [],
      fix: 'ip -6 addr add fe80::ca:feff:fe00:1/64 dev fftr-gw-anycast',
    }),
  },
  {
    file: 'ra-inconsistent.pcap',
    does: 'warns once about the router advertisements behind the anycast MAC that disagree with the first one (another DNS server and preferred lifetime)',
    want: problemsFound({
      kind: 'ra-inconsistent',
      severity: 'warning',
      count: 2,
      gateway: null,
      otherGateway: null,
      cause: 'gateways-disagree-ra',
      clients: [],
    }),
  },
  {
    file: 'dhcp-router-unicast.pcap',
    does: "reports gw1's DHCP server handing out its own address as router and three DNS servers, once per kind, and nothing on gw2",
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        {
          kind: 'dhcp-router-not-anycast',
          severity: 'error',
          count: 2,
          gateway: 'gw1',
          cause: 'dhcp-router-option',
          clients: [CLIENT.c1],
          fix: 'option routers 10.172.0.10;',
        },
        {
          kind: 'dhcp-dns-not-anycast',
          severity: 'warning',
          count: 2,
          gateway: 'gw1',
          cause: 'dhcp-dns-option',
          clients: [CLIENT.c1],
          fix: 'option domain-name-servers 10.172.0.10;',
        },
      ],
    },
  },
  {
    file: 'dhcp-healthy.pcap',
    does: 'calls a mesh healthy when both DHCP servers offer the anycast IP as router and DNS server (the near miss)',
    want: HEALTHY,
  },
];

describe('analyze on the anycast scenario captures (fixtures/scenarios)', () => {
  test('the scenario captures on disk are exactly what the fixture builder writes', () => {
    const built = buildScenarioFixtures();
    const onDisk = fs
      .readdirSync(path.join(fixturesDir, 'scenarios'))
      .filter((f) => f !== 'README.md')
      .sort();
    assert.deepEqual(onDisk, built.map((f) => f.name).sort(), 'run npm run fixtures');
    for (const f of built) assert.ok(fs.readFileSync(path.join(fixturesDir, 'scenarios', f.name)).equals(f.bytes), `${f.name} is stale: run npm run fixtures`);
    const readme = fs.readFileSync(path.join(fixturesDir, 'scenarios', 'README.md'), 'utf8');
    for (const f of built) assert.ok(readme.includes(`\`${f.name}\``), `README lists ${f.name}`);
  });

  for (const s of SCENARIOS) {
    const file = `fixtures/scenarios/${s.file}`;
    const also = s.alsoFlags ?? [];
    test(`${s.file}: ${s.does} (with --anycast-ip/--anycast-mac/--gateway)`, () => {
      assertOutcome(file, [...(s.configFlags ?? CONFIG_FLAGS), ...also], 'configured', s.want);
      assert.equal(analyze(file, [...(s.configFlags ?? CONFIG_FLAGS), ...also]).doc.anycast.source, 'flags');
    });
    test(`${s.file}: ${s.does} (without configuration)`, () => {
      assertOutcome(file, also, s.ipv6Only === true ? 'inferred-ipv6-only' : 'inferred', s.inferred ?? s.want);
      if (s.inferred === undefined) {
        const { doc } = analyze(file, also);
        assert.equal(doc.anycast.source, 'inferred');
        if (s.ipv6Only === true) assert.deepEqual(doc.anycast.ipv6, ['fd00::10'], 'inferred anycast IPv6 address');
        else assert.deepEqual(doc.anycast.ipv4, [ANYCAST_IP], 'inferred anycast IP');
        assert.deepEqual(doc.anycast.macs, [ANYCAST_MAC], 'inferred anycast MAC');
      }
    });
  }

  test('healthy.pcap: the only findings are notes about the few gw1↔gw2 pings', () => {
    for (const flags of [[], CONFIG_FLAGS]) {
      const { doc } = analyze('fixtures/scenarios/healthy.pcap', flags);
      assert.ok(doc.findings.length > 0);
      for (const f of doc.findings) {
        assert.equal(f.kind, 'inter-gateway-traffic');
        assert.equal(f.severity, 'info');
      }
    }
  });

  test('healthy-forwarded.pcap: learns both gateways from the replies to anycast traffic and names them by their unicast IPs', () => {
    const { doc } = analyze('fixtures/scenarios/healthy-forwarded.pcap', []);
    assert.deepEqual(doc.findings, []);
    assert.deepEqual(doc.gateways.map((g) => [g.name, g.macs]).sort(), [
      ['10.172.0.1', [GW1_MAC]],
      ['10.172.0.2', [GW2_MAC]],
    ]);
  });

  test("dhcp-router-unicast.pcap: the gateway list counts each gateway's answers, DHCP included", () => {
    const { doc } = analyze('fixtures/scenarios/dhcp-router-unicast.pcap', []);
    assert.deepEqual(
      doc.gateways.map((g) => [g.macs[0], g.answers]),
      [
        ['02:00:00:00:01:01', { arp: 1, na: 0, ra: 0, dhcp: 2 }],
        ['02:00:00:00:02:01', { arp: 0, na: 0, ra: 0, dhcp: 2 }],
      ],
    );
  });

  test('dhcp-router-unicast.pcap: the findings say what gw1 offered, under which server identifier, in offers and acks; both DHCP servers are learned as gateways', () => {
    const { doc } = analyze('fixtures/scenarios/dhcp-router-unicast.pcap', []);
    const detail = (kind: string): Record<string, unknown> | undefined => doc.findings.find((f) => f.kind === kind)?.detail;
    assert.deepEqual(detail('dhcp-router-not-anycast'), { serverId: '10.172.0.1', offered: '10.172.0.1', offeredCount: 1, offers: 1, acks: 1 });
    assert.deepEqual(detail('dhcp-dns-not-anycast'), { serverId: '10.172.0.1', offered: '10.172.0.1', offeredCount: 3, offers: 1, acks: 1 });
    assert.deepEqual(
      doc.gateways.map((g) => [g.name, g.macs, g.evidence]),
      [
        ['10.172.0.1', [GW1_MAC], 'learned: a DHCP server (offers and acks)'],
        ['10.172.0.2', [GW2_MAC], 'learned: a DHCP server (offers and acks)'],
      ],
    );
    const text = runCli(['analyze', 'fixtures/scenarios/dhcp-router-unicast.pcap']).stdout;
    assert.match(text, /10\.172\.0\.1 \(server-id 10\.172\.0\.1; offered 10\.172\.0\.1 \+2 more\)/);
  });

  test('inter-gateway.pcap: the gw1 → gw2 share is above the 5 % threshold and the pair carries at least 200 frames', () => {
    const { doc } = analyze('fixtures/scenarios/inter-gateway.pcap', CONFIG_FLAGS);
    const pair = doc.interGateway.find((p) => p.from === 'gw1' && p.to === 'gw2');
    assert.ok(pair !== undefined);
    assert.ok(pair.share > 0.05, `share ${pair.share}`);
    const both = doc.interGateway.filter((p) => (p.from === 'gw1' && p.to === 'gw2') || (p.from === 'gw2' && p.to === 'gw1'));
    assert.ok(both.reduce((n, p) => n + p.packets, 0) >= 200);
  });

  test('ra-inconsistent.pcap: the finding names what differs and both values, in the document and in the report', () => {
    const f = analyze('fixtures/scenarios/ra-inconsistent.pcap', CONFIG_FLAGS).doc.findings.find((x) => x.kind === 'ra-inconsistent');
    assert.ok(f !== undefined);
    assert.equal(f.detail.differences, 'prefix-lifetimes,rdnss');
    assert.deepEqual(
      [f.detail.rdnss, f.detail.referenceRdnss, f.detail.prefixPreferred, f.detail.referencePrefixPreferred],
      ['fd00::2', 'fd00::10', 3600, 14400],
    );
    assert.deepEqual(
      [f.detail.router, f.detail.referenceRouter, f.detail.mac, f.detail.referenceMac],
      ['fe80::ca:feff:fe00:1', 'fe80::ca:feff:fe00:1', ANYCAST_MAC, ANYCAST_MAC],
    );
    const text = runCli(['analyze', 'fixtures/scenarios/ra-inconsistent.pcap', ...CONFIG_FLAGS]).stdout;
    assert.match(text, /RDNSS fd00::2 \(first RA: fd00::10\)/);
    assert.match(text, /preferred 3600 s \(first RA: valid 86400 s, preferred 14400 s\)/);
  });

  test("the neighbor-advert captures: the report shows the NA's flags, and the document says which override flag", () => {
    for (const [file, flags, override] of [
      ['unicast-neighbor-advert.pcap', '[router, solicited, override]', 1],
      ['neighbor-advert-proxy-ndp.pcap', '[router, solicited], override clear', 0],
    ] as const) {
      const text = runCli(['analyze', `fixtures/scenarios/${file}`, ...CONFIG_FLAGS_V6]).stdout;
      assert.ok(text.includes(`gw1 (NA flags: ${flags})`), `${file}: ${text}`);
      const f = analyze(`fixtures/scenarios/${file}`, CONFIG_FLAGS_V6).doc.findings[0]!;
      assert.deepEqual(f.detail, { router: 1, solicited: 1, override }, file);
    }
  });

  test('ra-from-bridge.pcap: the router address clients install and the one every RA should come from', () => {
    const f = analyze('fixtures/scenarios/ra-from-bridge.pcap', CONFIG_FLAGS).doc.findings.find((x) => x.kind === 'ra-not-from-anycast');
    assert.ok(f !== undefined);
    assert.deepEqual(f.detail, { routerAddress: 'fe80::ff:fe00:101', expectedRouterAddress: 'fe80::ca:feff:fe00:1', fromAnycastMac: 0, routerLifetime: 1800 });
  });

  test("arp-filter-off-one-sll2.pcap: every finding count equals the plain capture's (but client-pinned, which needs destination MACs)", () => {
    const plain = analyze('fixtures/scenarios/arp-filter-off-one.pcap', CONFIG_FLAGS).doc;
    const any = analyze('fixtures/scenarios/arp-filter-off-one-sll2.pcap', CONFIG_FLAGS).doc;
    const counts = (d: AnalysisJson): string[] =>
      problemsOf(d)
        .filter((f) => f.kind !== 'client-pinned')
        .map((f) => `${f.kind} ${f.gateway} ${f.count} ${f.clients.join(',')}`)
        .sort();
    assert.deepEqual(counts(any), counts(plain));
    assert.equal(any.stats.frames + any.stats.duplicates, 2 * plain.stats.frames, 'every record is either delivered or dropped as a copy');
  });

  // Known limitation of the -i any de-duplication (src/source/any-dedup.ts), not of the detectors: the two
  // gateways' anycast ARP replies are byte-identical and 4 µs apart (FINDINGS S1), on different mesh ports, so the
  // second gateway's reply is taken for a copy of the first. The findings are unaffected (see the test above).
  test("arp-filter-off-one-sll2.pcap: delivers as many frames as the plain capture holds, keeping two gateways' identical ARP replies apart", () => {
    const plain = analyze('fixtures/scenarios/arp-filter-off-one.pcap', CONFIG_FLAGS).doc;
    const any = analyze('fixtures/scenarios/arp-filter-off-one-sll2.pcap', CONFIG_FLAGS).doc;
    assert.equal(any.stats.frames, plain.stats.frames);
  });
});

// ------------------------------------------------------------------ the real kernel's captures

interface LabCapture {
  file: string;
  does: string;
  want: Expectation;
}

const LAB: readonly LabCapture[] = [
  { file: 'healthy.pcap', does: "calls the real kernel's healthy lab run healthy", want: HEALTHY },
  { file: 'arp-filter-off-one.pcap', does: 'blames arp_filter on gw1 only', want: ARP_FILTER_OFF_ONE },
  { file: 'arp-filter-off-both.pcap', does: 'blames arp_filter on both gateways', want: ARP_FILTER_OFF_BOTH },
  // c1's entry expires three times (flushed): each new resolution is won by gw1's bridge, then re-taught the
  // anycast MAC by the macvlan's own request — the MAC flips back and forth, and c1 sends a ping to gw1 each time.
  {
    file: 'arp-filter-off-expiry.pcap',
    does: 'sees the flip-flop of a client whose entry expires and is re-resolved, gw1 winning each time',
    want: {
      exit: 1,
      verdict: 'problems',
      problems: [
        arpFilterOff('gw1', 4, [CLIENT.c1, CLIENT.c2]),
        pinned('gw1', 4, [CLIENT.c1, CLIENT.c2]),
        {
          kind: 'arp-flip-flop',
          severity: 'warning',
          count: 4,
          gateway: 'gw1',
          cause: 'anycast-and-unicast-answer',
          clients: [CLIENT.c1],
          fix: FIX_ARP_FILTER,
        },
      ],
    },
  },
  { file: 'no-source-route.pcap', does: 'blames the missing source route on gw1', want: NO_SOURCE_ROUTE },
  // With the default detectors strict rp_filter leaves no error or warning: unanswered-anycast, which names it,
  // is off by default (below).
  { file: 'rp-filter-strict.pcap', does: 'raises no error or warning with the default detectors', want: HEALTHY },
  // The capture alone cannot show this: c1's forwarded requests go to the anycast MAC (delivered to gw1) and the
  // replies come from gw2's bridge MAC, which is exactly what healthy looks like with another nearest gateway.
  // Calling it asymmetric needs to know c1's nearest gateway (a probe through each gateway, or batman's gateway
  // data): a later issue's detector. Until then: no error/warning finding.
  {
    file: 'return-via-other.pcap',
    does: 'raises no error or warning for replies returning via the other gateway (needs a nearest-gateway detector)',
    want: HEALTHY,
  },
  // Healthy for clients: forwarded replies from the anycast MAC are what the kernel does when the macvlan's
  // connected route comes first (S6) and must not be an error. The failing gw↔gw pings ("tell 10.172.0.10",
  // never answered) need an unanswered-ARP detector (a later issue).
  { file: 'healthy-anycast-route-first.pcap', does: 'raises no error or warning when forwarded replies come from the anycast MAC', want: HEALTHY },
];

describe("analyze on the real kernel's lab captures (fixtures/lab)", () => {
  for (const l of LAB) {
    const file = `fixtures/lab/${l.file}`;
    test(`lab ${l.file}: ${l.does} (with --anycast-ip/--anycast-mac/--gateway)`, () => {
      assertOutcome(file, CONFIG_FLAGS, 'configured', l.want);
    });
    test(`lab ${l.file}: ${l.does} (without configuration)`, () => {
      assertOutcome(file, [], 'inferred', l.want);
    });
  }
});

// ------------------------------------------------------------------ the human report

describe('the human report', () => {
  test("no-source-route: a PROBLEMS verdict line, the gateway's name and both source-route fix commands", () => {
    const r = runCli(['analyze', 'fixtures/scenarios/no-source-route.pcap', ...CONFIG_FLAGS]);
    assert.equal(r.status, 1);
    const first = r.stdout.split('\n')[0] ?? '';
    assert.match(first, /^PROBLEMS/);
    assert.match(first, /\bgw1\b/);
    assert.ok(r.stdout.includes(FIX_SOURCE_ROUTE), 'ip rule fix');
    assert.ok(r.stdout.includes(FIX_SOURCE_ROUTE_TABLE), 'ip route fix');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for terminal escapes is the point.
    assert.doesNotMatch(r.stdout, /\u001b\[/, 'no colour with FORCE_COLOR=0');
  });

  test('arp-filter-off-both: names both gateways and the arp_filter fix', () => {
    const r = runCli(['analyze', 'fixtures/scenarios/arp-filter-off-both.pcap', ...CONFIG_FLAGS]);
    assert.equal(r.status, 1);
    assert.match(r.stdout.split('\n')[0] ?? '', /^PROBLEMS/);
    assert.match(r.stdout, /\bgw1\b/);
    assert.match(r.stdout, /\bgw2\b/);
    assert.ok(r.stdout.includes(FIX_ARP_FILTER));
  });

  test('healthy: the verdict line starts with HEALTHY and exit code 0', () => {
    const r = runCli(['analyze', 'fixtures/scenarios/healthy.pcap']);
    assert.equal(r.status, 0);
    assert.match(r.stdout.split('\n')[0] ?? '', /^HEALTHY/);
  });
});

// ------------------------------------------------------------------ configuration

describe('configuration', () => {
  test('picks up anycast-probe.json from the working directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-config-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'anycast-probe.json'),
        JSON.stringify({
          anycast: { ipv4: [ANYCAST_IP], mac: [ANYCAST_MAC] },
          gateways: { alpha: { mac: [GW1_MAC], ipv4: ['10.172.0.1'] }, beta: { mac: [GW2_MAC], ipv4: ['10.172.0.2'] } },
        }),
      );
      const r = runCli(['analyze', path.join(fixturesDir, 'scenarios', 'no-source-route.pcap'), '--json'], undefined, { cwd: dir });
      assert.equal(r.status, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as AnalysisJson;
      assert.equal(doc.anycast.source, 'config-file');
      assert.deepEqual(doc.anycast.ipv4, [ANYCAST_IP]);
      assert.deepEqual(
        doc.gateways.filter((g) => !g.learned).map((g) => g.name),
        ['alpha', 'beta'],
      );
      const arpFinding = doc.findings.find((f) => f.kind === 'unicast-arp-reply');
      assert.equal(arpFinding?.gateway, 'alpha');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--config with a missing file exits 2 with one line naming the file', () => {
    const r = runCli(['analyze', 'fixtures/scenarios/healthy.pcap', '--config', 'missing.json']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /missing\.json/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('--anycast-ip 999.1.1.1 exits 2 naming the flag', () => {
    const r = runCli(['analyze', 'fixtures/scenarios/healthy.pcap', '--anycast-ip', '999.1.1.1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--anycast-ip/);
    assert.match(r.stderr, /999\.1\.1\.1/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('--gateway without NAME=MAC exits 2 naming the flag', () => {
    const r = runCli(['analyze', 'fixtures/scenarios/healthy.pcap', '--gateway', 'gw1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--gateway/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

// The only trace of strict rp_filter: c1's two forwarded echo requests to the anycast MAC that nobody answers,
// while its pings to the anycast IP itself are answered (test/lab/FINDINGS.md). unanswered-anycast names it.
for (const flags of [[], ['--anycast-ip', ANYCAST_IP, '--anycast-mac', ANYCAST_MAC]]) {
  test(`lab rp-filter-strict.pcap: c1's forwarded pings go unanswered while its pings to the anycast IP are answered: forwarded dropped (${flags.length > 0 ? 'configured' : 'without configuration'})`, () => {
    // Off by default (its cost, README): asked for here.
    const r = runCli(['analyze', '--json', 'fixtures/lab/rp-filter-strict.pcap', '--detectors', '+unanswered-anycast', ...flags]);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as AnalysisJson;
    const problems = doc.findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(
      problems.map((f) => [f.kind, f.cause, f.count, f.frames]),
      [['unanswered-anycast', 'forwarded-dropped', 2, [17, 18]]],
    );
    assert.deepEqual(problems[0]!.detail, {
      client: CLIENT.c1,
      clientIp: '10.172.1.1',
      toAnycastSent: 2,
      toAnycastLost: 0,
      forwardedSent: 2,
      forwardedLost: 2,
      // c1's who-has for the anycast IP was answered.
      arpSent: 1,
      arpLost: 0,
      nsSent: 0,
      nsLost: 0,
    });
    assert.ok(problems[0]!.fix.some((cmd) => cmd.includes('rp_filter=0')));
  });
}
