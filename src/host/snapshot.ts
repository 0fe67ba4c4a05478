/**
 * Everything doctor judges, read once from the host into plain data:
 * interfaces, addresses, rules and routes (iproute2 JSON), the sysctls
 * (/proc/sys), bridge ports and batman-adv's bridge loop avoidance (/sys),
 * the firewall (iptables-save, ip6tables-save, nft) and the DHCP and RA
 * daemons' config files. Reading changes nothing on the host.
 */
import { EnvironmentError } from '../core/errors.js';
import type { HostAccess } from './access.js';
import { parseDhcpdConf, parseDnsmasqConf, type DhcpServerConfig } from './dhcp-config.js';
import type { FirewallRule } from './firewall-rule.js';
import { parseIptablesSave } from './iptables.js';
import { addressesFrom, linksFrom, routesFrom, rulesFrom, type HostAddress, type HostLink, type HostRoute, type HostRule } from './ip.js';
import { nftRuleTexts, parseNftJson } from './nft.js';
import { parseBirdRadv, parseRadvdConf, type RadvConfig } from './radv-config.js';
import { readSysctls, type SysctlValues } from './sysctl.js';

/** Something read, or why not: not there (nothing to check) or there but unreadable (could not check). */
export type Readout<T> = { kind: 'read'; value: T } | { kind: 'absent'; why: string } | { kind: 'unreadable'; why: string };

export interface ConfigPaths {
  dhcpdConf: string;
  dnsmasqConf: string;
  dnsmasqDir: string;
  radvdConf: string;
  /** Tried in order; the first with a `protocol radv` counts. */
  birdConf: readonly string[];
}

export const DEFAULT_CONFIG_PATHS: ConfigPaths = {
  dhcpdConf: '/etc/dhcp/dhcpd.conf',
  dnsmasqConf: '/etc/dnsmasq.conf',
  dnsmasqDir: '/etc/dnsmasq.d',
  radvdConf: '/etc/radvd.conf',
  birdConf: ['/etc/bird/bird6.conf', '/etc/bird/bird.conf', '/etc/bird6.conf', '/etc/bird.conf'],
};

export interface FirewallSnapshot {
  rules: FirewallRule[];
  /** The tools whose output was read, e.g. ["iptables-save", "nft"]. */
  sources: string[];
}

export interface HostSnapshot {
  links: HostLink[];
  addresses: ReadonlyMap<string, HostAddress[]>;
  rules4: HostRule[];
  rules6: HostRule[];
  routes4: HostRoute[];
  routes6: HostRoute[];
  sysctl: SysctlValues;
  /** Ports of each bridge (/sys/class/net/BRIDGE/brif). */
  bridgePorts: ReadonlyMap<string, string[]>;
  /** batman-adv's bridge_loop_avoidance per batman interface that has the file. */
  bridgeLoopAvoidance: ReadonlyMap<string, number>;
  firewall: Readout<FirewallSnapshot>;
  dhcp: Readout<DhcpServerConfig>[];
  radv: Readout<RadvConfig>[];
}

function ipJson(host: HostAccess, args: string[]): string {
  const r = host.run('ip', ['-j', ...args]);
  if (r.kind === 'missing') throw new EnvironmentError('ip (iproute2) not found: apt-get install iproute2');
  if (r.kind === 'failed') throw new EnvironmentError(`ip -j ${args.join(' ')} failed: ${r.message}`);
  return r.stdout;
}

/** IPv6 rules and routes may be unavailable (IPv6 disabled): then there are none. */
function ipJsonOrEmpty(host: HostAccess, args: string[]): string {
  const r = host.run('ip', ['-j', ...args]);
  return r.kind === 'ok' ? r.stdout : '[]';
}

function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new EnvironmentError(`${what}: output not understood (${(err as Error).message}); iproute2 4.14 or later is needed for -j`);
  }
}

const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);

export function readFirewall(host: HostAccess): Readout<FirewallSnapshot> {
  const rules: FirewallRule[] = [];
  const sources: string[] = [];
  const failures: string[] = [];
  /** iptables tables iptables-save printed: iptables-nft keeps them in nftables too, read once. */
  const iptablesTables = new Set<string>();
  for (const [program, legacyProgram, family, tool, legacyTool] of [
    ['iptables-save', 'iptables-legacy-save', 'ip', 'iptables', 'iptables-legacy'],
    ['ip6tables-save', 'ip6tables-legacy-save', 'ip6', 'ip6tables', 'ip6tables-legacy'],
  ] as const) {
    const r = host.run(program, []);
    if (r.kind === 'failed') failures.push(`${program}: ${r.message}`);
    if (r.kind !== 'ok') continue;
    sources.push(program);
    for (const m of r.stdout.matchAll(/^\*(\S+)/gm)) iptablesTables.add(`${family} ${m[1]}`);
    rules.push(...parseIptablesSave(r.stdout, tool));
    // The nf_tables iptables-save only warns on stderr about rules loaded with iptables-legacy (a gateway
    // set up before Debian switched backends): read those too, unless iptables-save is itself legacy.
    if (r.stdout.trim() !== '' && !r.stdout.includes('(nf_tables)')) continue;
    const legacy = host.run(legacyProgram, []);
    if (legacy.kind === 'failed') failures.push(`${legacyProgram}: ${legacy.message}`);
    if (legacy.kind !== 'ok' || legacy.stdout.trim() === '') continue;
    sources.push(legacyProgram);
    rules.push(...parseIptablesSave(legacy.stdout, legacyTool));
  }
  const json = host.run('nft', ['-j', 'list', 'ruleset']);
  if (json.kind === 'failed') failures.push(`nft -j list ruleset: ${json.message}`);
  if (json.kind === 'ok') {
    const text = host.run('nft', ['-a', 'list', 'ruleset']);
    try {
      const nft = parseNftJson(json.stdout, nftRuleTexts(text.kind === 'ok' ? text.stdout : ''));
      rules.push(...nft.filter((r) => !(iptablesTables.has(r.table) && IPTABLES_TABLES.has(r.table.split(' ')[1]!))));
      sources.push('nft');
    } catch (err) {
      failures.push(`nft -j list ruleset: output not understood (${(err as Error).message})`);
    }
  }
  // Without root every tool says so at length; once is enough.
  if (failures.length > 0 && failures.every((f) => /you must be root|Permission denied|Operation not permitted/.test(f)))
    return { kind: 'unreadable', why: `${failures.map((f) => f.split(':')[0]).join(', ')}: permission denied (run doctor as root)` };
  if (failures.length > 0) return { kind: 'unreadable', why: failures.join('; ') };
  if (sources.length === 0) return { kind: 'absent', why: 'neither iptables-save nor nft is installed' };
  return { kind: 'read', value: { rules, sources } };
}

/** A config file's text: absent when it is not there, unreadable when its directory lists it but it cannot be read (permissions). */
function readConfigFile(host: HostAccess, path: string): Readout<string> {
  const text = host.readFile(path);
  if (text !== undefined) return { kind: 'read', value: text };
  const slash = path.lastIndexOf('/');
  const listed = host.listDir(slash <= 0 ? '/' : path.slice(0, slash))?.includes(path.slice(slash + 1)) ?? false;
  return listed ? { kind: 'unreadable', why: `${path}: cannot read it (run doctor as root)` } : { kind: 'absent', why: `${path} not found` };
}

function parsedFile<T>(file: Readout<string>, parse: (text: string) => T): Readout<T> {
  return file.kind === 'read' ? { kind: 'read', value: parse(file.value) } : file;
}

function readDhcp(host: HostAccess, paths: ConfigPaths): Readout<DhcpServerConfig>[] {
  const out: Readout<DhcpServerConfig>[] = [];
  out.push(parsedFile(readConfigFile(host, paths.dhcpdConf), (text) => parseDhcpdConf(text, paths.dhcpdConf)));
  const files: { file: string; text: string }[] = [];
  const main = readConfigFile(host, paths.dnsmasqConf);
  if (main.kind === 'unreadable') {
    out.push(main);
    return out;
  }
  if (main.kind === 'read') files.push({ file: paths.dnsmasqConf, text: main.value });
  for (const name of host.listDir(paths.dnsmasqDir) ?? []) {
    // dnsmasq's conf-dir skips editor backups and dotfiles.
    if (name.startsWith('.') || name.endsWith('~') || name.endsWith('.dpkg-old') || name.endsWith('.dpkg-dist')) continue;
    const text = host.readFile(`${paths.dnsmasqDir}/${name}`);
    if (text !== undefined) files.push({ file: `${paths.dnsmasqDir}/${name}`, text });
  }
  if (files.length === 0) out.push({ kind: 'absent', why: `${paths.dnsmasqConf} and ${paths.dnsmasqDir}/ not found` });
  else {
    const config = parseDnsmasqConf(files);
    out.push(config.servesDhcp ? { kind: 'read', value: config } : { kind: 'absent', why: `dnsmasq (${files[0]!.file}) has no dhcp-range: it serves no DHCP` });
  }
  return out;
}

function readRadv(host: HostAccess, paths: ConfigPaths): Readout<RadvConfig>[] {
  const out: Readout<RadvConfig>[] = [];
  out.push(parsedFile(readConfigFile(host, paths.radvdConf), (text) => parseRadvdConf(text, paths.radvdConf)));
  let bird: Readout<RadvConfig> = { kind: 'absent', why: `no protocol radv in ${paths.birdConf.join(', ')}` };
  for (const path of paths.birdConf) {
    const file = readConfigFile(host, path);
    if (file.kind === 'unreadable' && bird.kind === 'absent') bird = file;
    const config = file.kind === 'read' ? parseBirdRadv(file.value, path) : undefined;
    if (config !== undefined) {
      bird = { kind: 'read', value: config };
      break;
    }
  }
  out.push(bird);
  return out;
}

export function readHostSnapshot(host: HostAccess, paths: ConfigPaths = DEFAULT_CONFIG_PATHS): HostSnapshot {
  const links = parsed('ip -j -d link show', () => linksFrom(ipJson(host, ['-d', 'link', 'show'])));
  const addresses = parsed('ip -j addr show', () => addressesFrom(ipJson(host, ['addr', 'show'])));
  const rules4 = parsed('ip -j rule show', () => rulesFrom(ipJson(host, ['-4', 'rule', 'show']), 4));
  const routes4 = parsed('ip -j route show table all', () => routesFrom(ipJson(host, ['-4', 'route', 'show', 'table', 'all']), 4));
  const rules6 = parsed('ip -6 -j rule show', () => rulesFrom(ipJsonOrEmpty(host, ['-6', 'rule', 'show']), 6));
  const routes6 = parsed('ip -6 -j route show table all', () => routesFrom(ipJsonOrEmpty(host, ['-6', 'route', 'show', 'table', 'all']), 6));
  const names = links.map((l) => l.name);
  const bridgePorts = new Map<string, string[]>();
  const bridgeLoopAvoidance = new Map<string, number>();
  for (const l of links) {
    if (l.kind === 'bridge') bridgePorts.set(l.name, host.listDir(`/sys/class/net/${l.name}/brif`) ?? []);
    const bla = host.readFile(`/sys/class/net/${l.name}/mesh/bridge_loop_avoidance`);
    if (bla !== undefined) bridgeLoopAvoidance.set(l.name, Number.parseInt(bla.trim(), 10));
  }
  return {
    links,
    addresses,
    rules4,
    rules6,
    routes4,
    routes6,
    sysctl: readSysctls(host, names),
    bridgePorts,
    bridgeLoopAvoidance,
    firewall: readFirewall(host),
    dhcp: readDhcp(host, paths),
    radv: readRadv(host, paths),
  };
}
