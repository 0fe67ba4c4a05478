/**
 * Which bridge, anycast interface, addresses and mesh prefix doctor judges:
 * what flags and the config file say, the rest found on the host the way
 * `watch` finds it — the macvlan stacked on the mesh bridge carries the
 * anycast MAC and addresses.
 */
import { parseIpv4, parseIpv6, parseMac } from '../core/address.js';
import { EnvironmentError, UsageError } from '../core/errors.js';
import type { HostLink } from '../host/ip.js';
import type { HostSnapshot } from '../host/snapshot.js';
import { isBridge, isMacvlanOnBridge } from '../source/interface-info.js';
import { ipv4Prefix, ipv6Prefix, type Prefix } from './prefix.js';

export interface DoctorConfig {
  bridge: string | undefined;
  anycastInterface: string | undefined;
  anycastIpv4: readonly number[];
  anycastIpv6: readonly Uint32Array[];
  anycastMacs: readonly number[];
  meshPrefix: Prefix | undefined;
  batmanInterface: string | undefined;
}

export interface AnycastHost {
  bridge: string;
  anycastInterface: string;
  /** The anycast interface exists (else only the checks that create it run). */
  anycastLink: HostLink | undefined;
  anycastIpv4: number[];
  anycastIpv6: Uint32Array[];
  anycastMac: number | undefined;
  /** Where the addresses came from: the flags/config file, or the interface. */
  addressesFrom: 'configured' | 'interface';
  meshPrefix: Prefix | undefined;
  /** The mesh's IPv6 prefixes (the bridge's global ones). */
  meshPrefixes6: Prefix[];
  /** batman-adv interfaces (kind batadv, or named with --batman-interface). */
  batman: string[];
}

const PREFERRED_BRIDGE = 'br-fftr';
const PREFERRED_ANYCAST = 'fftr-gw-anycast';

function macvlansOn(host: HostSnapshot, bridge: HostLink): HostLink[] {
  return host.links.filter((l) => isMacvlanOnBridge(l, bridge.name, bridge.index));
}

function noSuch(what: string, name: string, host: HostSnapshot): EnvironmentError {
  return new EnvironmentError(`${what} "${name}" does not exist (interfaces here: ${host.links.map((l) => l.name).join(', ')})`);
}

/**
 * The one line for a mesh bridge named (`--bridge`, or the lower device of
 * `--anycast-interface`) that is not a bridge: checking a NIC as one would
 * print fixes that add a macvlan to it. Names what to pass instead.
 */
function notABridge(link: HostLink, host: HostSnapshot, anycastInterface?: string): UsageError {
  const kind = `(${link.kind === undefined ? 'a plain network device' : `kind ${link.kind}`})`;
  const head =
    anycastInterface === undefined
      ? `--bridge ${link.name}: ${link.name} is not a bridge ${kind}`
      : `--anycast-interface ${anycastInterface}: it sits on ${link.name}, which is not a bridge ${kind}`;
  const master = host.links.find((l) => l.name === link.master && isBridge(l));
  if (master !== undefined) return new UsageError(`${head}: it is a port of ${master.name}, pass --bridge ${master.name}`);
  const bridges = host.links.filter(isBridge).map((l) => l.name);
  if (bridges.length > 0) return new UsageError(`${head}: pass the mesh bridge (bridges here: ${bridges.join(', ')})`);
  return new UsageError(`${head}, and this host has none: run doctor on a gateway and pass its mesh bridge (--bridge ${PREFERRED_BRIDGE})`);
}

function findBridge(host: HostSnapshot, config: DoctorConfig): HostLink {
  if (config.bridge !== undefined) {
    const named = host.links.find((l) => l.name === config.bridge);
    if (named === undefined) throw noSuch('--bridge: bridge', config.bridge, host);
    if (!isBridge(named)) throw notABridge(named, host);
    return named;
  }
  if (config.anycastInterface !== undefined) {
    const anycast = host.links.find((l) => l.name === config.anycastInterface);
    const lower = host.links.find((l) => anycast !== undefined && l.name === anycast.lowerName);
    if (lower !== undefined && !isBridge(lower)) throw notABridge(lower, host, config.anycastInterface);
    if (lower !== undefined) return lower;
  }
  const bridges = host.links.filter(isBridge);
  const withMacvlan = bridges.filter((b) => macvlansOn(host, b).length > 0);
  // Zero-config only where the mesh bridge is recognisable: a bridge carrying a macvlan, or one named br-fftr.
  // Any other bridge (docker0, virbr0) is not taken for it.
  const pick = withMacvlan.find((b) => b.name === PREFERRED_BRIDGE) ?? withMacvlan[0] ?? bridges.find((b) => b.name === PREFERRED_BRIDGE);
  if (pick === undefined) {
    throw new EnvironmentError(
      bridges.length === 0
        ? 'no bridge here, so no mesh bridge to check: run doctor on a gateway, or name it with --bridge (and --anycast-interface)'
        : `no macvlan on any bridge (${bridges.map((b) => b.name).join(', ')}): name the mesh bridge with --bridge`,
    );
  }
  return pick;
}

function ipv4Of(host: HostSnapshot, name: string): { address: number; length: number }[] {
  return (host.addresses.get(name) ?? []).filter((a) => a.family === 'inet').map((a) => ({ address: parseIpv4(a.address), length: a.prefixLength }));
}

function globalIpv6Of(host: HostSnapshot, name: string): { words: Uint32Array; length: number }[] {
  const out: { words: Uint32Array; length: number }[] = [];
  for (const a of host.addresses.get(name) ?? []) {
    const words = new Uint32Array(4);
    if (a.family !== 'inet6' || !parseIpv6(a.address, words) || words[0]! >>> 22 === 0x3fa) continue; // fe80::/10
    out.push({ words, length: a.prefixLength });
  }
  return out;
}

export function resolveSetup(host: HostSnapshot, config: DoctorConfig): AnycastHost {
  const bridge = findBridge(host, config);
  const stacked = macvlansOn(host, bridge);
  const carries = (l: HostLink): boolean =>
    config.anycastMacs.includes(parseMac(l.mac)) || ipv4Of(host, l.name).some((a) => config.anycastIpv4.includes(a.address));
  const anycastName =
    config.anycastInterface ?? (stacked.find(carries) ?? stacked.find((l) => l.name === PREFERRED_ANYCAST) ?? stacked[0])?.name ?? PREFERRED_ANYCAST;
  const anycastLink = host.links.find((l) => l.name === anycastName);

  const configured = config.anycastIpv4.length > 0 || config.anycastIpv6.length > 0;
  const anycastIpv4 = configured ? [...config.anycastIpv4] : ipv4Of(host, anycastName).map((a) => a.address);
  const anycastIpv6 = configured ? [...config.anycastIpv6] : globalIpv6Of(host, anycastName).map((a) => a.words);
  const ifaceMac = anycastLink === undefined ? Number.NaN : parseMac(anycastLink.mac);
  const anycastMac = config.anycastMacs[0] ?? (Number.isNaN(ifaceMac) ? undefined : ifaceMac);

  // The mesh prefix: given, else the anycast address's own prefix, else the bridge's.
  const own = [...ipv4Of(host, anycastName), ...ipv4Of(host, bridge.name)].find((a) => a.length < 32);
  const meshPrefix = config.meshPrefix ?? (own === undefined ? undefined : ipv4Prefix(own.address, own.length));
  const meshPrefixes6 = globalIpv6Of(host, bridge.name)
    .filter((a) => a.length < 128)
    .map((a) => ipv6Prefix(a.words, a.length));

  const batman =
    config.batmanInterface !== undefined
      ? [config.batmanInterface]
      : host.links.filter((l) => l.kind === 'batadv' || host.bridgeLoopAvoidance.has(l.name)).map((l) => l.name);

  return {
    bridge: bridge.name,
    anycastInterface: anycastName,
    anycastLink,
    anycastIpv4,
    anycastIpv6,
    anycastMac,
    addressesFrom: configured ? 'configured' : 'interface',
    meshPrefix,
    meshPrefixes6,
    batman,
  };
}
