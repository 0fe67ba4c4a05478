/**
 * Zero-config discovery for `watch BRIDGE`: which interfaces exist, what the
 * bridge is, and which macvlan interfaces (the L2-anycast gateway addresses)
 * are stacked on it.
 *
 * Facts come from two places, each used for what it is good at:
 *  - /sys/class/net: existence, MAC, ARPHRD link type. Cheap file reads, no
 *    process spawned, works without iproute2.
 *  - `ip -j -d link` / `ip -j addr` (iproute2 JSON): the macvlan relation
 *    (`linkinfo.info_kind == "macvlan"`, `link == BRIDGE`) and the addresses.
 *
 * MACs and addresses stay strings here; the config layer converts them.
 */
import { execFileSync } from 'node:child_process';
import { parseIproute2Json } from '../core/ip-json.js';
import { readdirSync, readFileSync } from 'node:fs';
import { EnvironmentError } from '../core/errors.js';

const SYS_CLASS_NET = '/sys/class/net';

/** ARPHRD_* values from linux/if_arp.h that matter here. */
export const Arphrd = {
  ether: 1,
  loopback: 772,
  none: 65534,
} as const;

export interface InterfaceAddresses {
  name: string;
  /** Lower-case colon form, "aa:bb:cc:dd:ee:ff"; "" when the interface has none. */
  mac: string;
  ipv4: string[];
  ipv6: string[];
}

export interface AnycastSetup {
  bridge: InterfaceAddresses & { arphrd: number; kind: string | undefined };
  /** macvlan interfaces whose lower device is the bridge, sorted by name. */
  anycast: InterfaceAddresses[];
}

/** Names of the interfaces of this network namespace, sorted. */
export function listInterfaces(): string[] {
  try {
    return readdirSync(SYS_CLASS_NET).sort();
  } catch {
    return [];
  }
}

export function interfaceExists(name: string): boolean {
  // An interface name never contains '/' (and "." / ".." are not interfaces).
  if (name === '' || name.includes('/') || name === '.' || name === '..') return false;
  try {
    readFileSync(`${SYS_CLASS_NET}/${name}/ifindex`);
    return true;
  } catch {
    return false;
  }
}

/** The one-line error for a missing interface, naming the ones that do exist. */
export function noSuchInterfaceError(name: string): EnvironmentError {
  const names = listInterfaces();
  const list = names.length > 0 ? names.join(', ') : 'none found in /sys/class/net';
  return new EnvironmentError(`interface "${name}" does not exist (interfaces here: ${list})`);
}

/** Throws the one-line error unless the interface exists. */
export function requireInterface(name: string): void {
  if (!interfaceExists(name)) throw noSuchInterfaceError(name);
}

export function notEthernetError(iface: string, name: string): EnvironmentError {
  return new EnvironmentError(`interface ${iface} has link type ${name}, not Ethernet: capture on the bridge (e.g. br-fftr) or another Ethernet interface`);
}

/** Names of the ARPHRD types an operator may point watch at by mistake (linux/if_arp.h). */
const ARPHRD_NAMES: Readonly<Record<number, string>> = {
  512: 'PPP',
  768: 'IP-in-IP tunnel',
  772: 'loopback',
  776: 'IPv6-in-IPv4 tunnel (sit)',
  778: 'GRE tunnel',
  823: 'IPv6 GRE tunnel',
  65534: 'raw IP (no link layer: a tun or WireGuard device)',
};

/**
 * Refuses an interface that is not Ethernet before a capture filter is
 * built for it: libpcap would otherwise fail on the default filter's
 * "vlan" with "no VLAN support for Raw IP", which names neither the
 * interface nor what to do.
 */
export function requireEthernet(name: string): void {
  const arphrd = interfaceArphrd(name);
  if (arphrd === undefined || arphrd === 1) return;
  throw notEthernetError(name, ARPHRD_NAMES[arphrd] ?? `ARPHRD ${arphrd}`);
}

/** ARPHRD type of the interface (1 = Ethernet), or undefined if unreadable. */
export function interfaceArphrd(name: string): number | undefined {
  const text = readSys(name, 'type');
  if (text === undefined) return undefined;
  const n = Number.parseInt(text, 10);
  return Number.isNaN(n) ? undefined : n;
}

export function interfaceMac(name: string): string {
  return (readSys(name, 'address') ?? '').toLowerCase();
}

function readSys(name: string, attr: string): string | undefined {
  try {
    return readFileSync(`${SYS_CLASS_NET}/${name}/${attr}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The parts of iproute2's JSON this module reads. */
interface IpLink {
  ifname: string;
  ifindex: number;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  address?: string;
  linkinfo?: { info_kind?: string };
}

interface IpAddr {
  ifname: string;
  address?: string;
  addr_info?: { family?: string; local?: string }[];
}

function runIpJson(args: string[]): unknown {
  let out: string;
  try {
    out = execFileSync('ip', ['-j', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new EnvironmentError('ip (iproute2) not found: apt-get install iproute2');
    const why = (e.stderr ?? e.message).trim().split('\n')[0];
    throw new EnvironmentError(`ip ${args.join(' ')} failed: ${why}`);
  }
  try {
    return parseIproute2Json(out);
  } catch {
    throw new EnvironmentError(`ip ${args.join(' ')}: output is not JSON (iproute2 too old for -j? need 4.14 or later)`);
  }
}

/** What iproute2 says about an interface's lower device. */
export interface StackedLink {
  kind: string | undefined;
  lowerName: string | undefined;
  lowerIndex: number | undefined;
  lowerElsewhere: boolean;
}

/**
 * A macvlan stacked on the bridge: `link` names the lower device when it is
 * in this namespace; a macvlan whose lower device lives elsewhere carries
 * link_netnsid and does not count. (`watch` and `doctor` both find the
 * anycast interface this way.)
 */
export function isMacvlanOnBridge(link: StackedLink, bridgeName: string, bridgeIndex: number | undefined): boolean {
  if (link.kind !== 'macvlan' || link.lowerElsewhere) return false;
  return link.lowerName === bridgeName || (bridgeIndex !== undefined && link.lowerIndex === bridgeIndex);
}

/**
 * Whether iproute2 calls the interface a Linux bridge (`ip -d -j link`:
 * linkinfo.info_kind "bridge", the kernel's /sys/class/net/IF/bridge/):
 * the only kind of interface that carries a gateway's mesh (batman-adv and
 * the anycast macvlan hang off it). A plain veth or NIC with an address is
 * a client's, or a host's on the mesh, and makes this host no gateway.
 * (`watch` and `doctor` both ask.)
 */
export function isBridge(link: { kind: string | undefined }): boolean {
  return link.kind === 'bridge';
}

/**
 * Finds the bridge and the macvlan interfaces stacked on it. Throws a
 * one-line EnvironmentError when the bridge does not exist (listing the
 * interfaces that do) or iproute2 is missing.
 */
export function discoverAnycastSetup(bridgeName: string): AnycastSetup {
  requireInterface(bridgeName);
  const links = runIpJson(['-d', 'link', 'show']) as IpLink[];
  const addrs = runIpJson(['addr', 'show']) as IpAddr[];
  const byName = new Map<string, IpAddr>();
  for (const a of addrs) byName.set(a.ifname, a);

  const bridgeLink = links.find((l) => l.ifname === bridgeName);
  const addresses = (name: string, fallbackMac: string | undefined): InterfaceAddresses => {
    const a = byName.get(name);
    const ipv4: string[] = [];
    const ipv6: string[] = [];
    for (const info of a?.addr_info ?? []) {
      if (info.local === undefined) continue;
      if (info.family === 'inet') ipv4.push(info.local);
      else if (info.family === 'inet6') ipv6.push(info.local);
    }
    const mac = (fallbackMac ?? a?.address ?? interfaceMac(name)).toLowerCase();
    return { name, mac, ipv4, ipv6 };
  };

  const anycast: InterfaceAddresses[] = [];
  for (const l of links) {
    const stacked = { kind: l.linkinfo?.info_kind, lowerName: l.link, lowerIndex: l.link_index, lowerElsewhere: l.link_netnsid !== undefined };
    if (isMacvlanOnBridge(stacked, bridgeName, bridgeLink?.ifindex)) anycast.push(addresses(l.ifname, l.address));
  }
  anycast.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

  return {
    bridge: {
      ...addresses(bridgeName, bridgeLink?.address ?? interfaceMac(bridgeName)),
      arphrd: interfaceArphrd(bridgeName) ?? -1,
      kind: bridgeLink?.linkinfo?.info_kind,
    },
    anycast,
  };
}
