import { parseIproute2Json } from '../core/ip-json.js';
/**
 * iproute2's JSON (`ip -j -d link show`, `ip -j addr show`, `ip -j rule show`,
 * `ip -j route show table all`) read into the few typed fields doctor uses.
 * Addresses stay text here, as iproute2 prints them; doctor/ parses them.
 */

export interface HostLink {
  name: string;
  index: number;
  /** Lower device (a macvlan's bridge), when it is in this namespace. */
  lowerName: string | undefined;
  lowerIndex: number | undefined;
  /** The lower device lives in another namespace. */
  lowerElsewhere: boolean;
  /** Bridge this interface is a port of. */
  master: string | undefined;
  kind: string | undefined;
  /** macvlan mode (bridge, vepa, private, passthru). */
  macvlanMode: string | undefined;
  mac: string;
  flags: readonly string[];
  operstate: string;
}

export interface HostAddress {
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number;
  /** iproute2's address flags that matter: nodad, tentative, dadfailed. */
  nodad: boolean;
  tentative: boolean;
  dadfailed: boolean;
}

export interface HostRule {
  priority: number;
  /** "all" or an address; with srcLength. */
  src: string;
  srcLength: number;
  dst: string;
  dstLength: number;
  iif: string | undefined;
  oif: string | undefined;
  /** The rule has a selector doctor does not model (fwmark, tos, uid range, ports…): it never matches in doctor's route walk. */
  otherSelectors: readonly string[];
  /** Table looked up (name or number as ip prints it), or undefined for other actions. */
  table: string | undefined;
  /** lookup (to a table), or the action: blackhole, unreachable, prohibit, goto, nop. */
  action: string;
  not: boolean;
}

export interface HostRoute {
  /** "default" or an address with dstLength. */
  dst: string;
  dstLength: number;
  dev: string | undefined;
  gateway: string | undefined;
  /** ip's name for the table; "main" when ip leaves it out. */
  table: string;
  /** unicast unless ip says otherwise (local, broadcast, blackhole, unreachable…). */
  type: string;
}

type Json = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function objects(value: unknown, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a JSON array`);
  return value.filter((v): v is Json => v !== null && typeof v === 'object');
}

/** Parses ip's JSON (names with control characters in them too); an empty output (no entries) is an empty list. */
export function parseIpJson(text: string, what: string): Json[] {
  return objects(parseIproute2Json(text), what);
}

export function linksFrom(text: string): HostLink[] {
  return parseIpJson(text, 'ip -j -d link show').map((l) => {
    const info = (l.linkinfo ?? {}) as Json;
    const data = (info.info_data ?? {}) as Json;
    return {
      name: str(l.ifname) ?? '',
      index: num(l.ifindex) ?? -1,
      lowerName: str(l.link),
      lowerIndex: num(l.link_index),
      lowerElsewhere: l.link_netnsid !== undefined,
      master: str(l.master),
      kind: str(info.info_kind),
      macvlanMode: str(data.mode),
      mac: (str(l.address) ?? '').toLowerCase(),
      flags: Array.isArray(l.flags) ? l.flags.filter((f): f is string => typeof f === 'string') : [],
      operstate: str(l.operstate) ?? 'UNKNOWN',
    };
  });
}

/** Addresses per interface name. */
export function addressesFrom(text: string): Map<string, HostAddress[]> {
  const byName = new Map<string, HostAddress[]>();
  for (const a of parseIpJson(text, 'ip -j addr show')) {
    const list: HostAddress[] = [];
    for (const info of objects(a.addr_info ?? [], 'addr_info')) {
      const family = info.family;
      const local = str(info.local);
      if ((family !== 'inet' && family !== 'inet6') || local === undefined) continue;
      list.push({
        family,
        address: local,
        prefixLength: num(info.prefixlen) ?? (family === 'inet' ? 32 : 128),
        nodad: info.nodad === true,
        tentative: info.tentative === true,
        dadfailed: info.dadfailed === true,
      });
    }
    byName.set(str(a.ifname) ?? '', list);
  }
  return byName;
}

const MODELLED_RULE_KEYS = new Set(['priority', 'src', 'srclen', 'dst', 'dstlen', 'iif', 'oif', 'table', 'action', 'not', 'flags', 'protocol']);

/** `ip -j rule show` (either family); a "src" without "srclen" is a host address (/32 or /128). */
export function rulesFrom(text: string, family: 4 | 6): HostRule[] {
  const full = family === 4 ? 32 : 128;
  return parseIpJson(text, `ip -${family} -j rule show`).map((r) => {
    const src = str(r.src) ?? 'all';
    const dst = str(r.dst) ?? 'all';
    const table = str(r.table);
    return {
      priority: num(r.priority) ?? 0,
      src,
      srcLength: src === 'all' ? 0 : (num(r.srclen) ?? full),
      dst,
      dstLength: dst === 'all' ? 0 : (num(r.dstlen) ?? full),
      iif: str(r.iif),
      oif: str(r.oif),
      otherSelectors: Object.keys(r).filter((k) => !MODELLED_RULE_KEYS.has(k)),
      table,
      action: table !== undefined ? 'lookup' : (str(r.action) ?? 'lookup'),
      // ip prints "not": null for a negated rule.
      not: 'not' in r,
    };
  });
}

/** `ip -j route show table all` (either family). */
export function routesFrom(text: string, family: 4 | 6): HostRoute[] {
  return parseIpJson(text, `ip -${family} -j route show table all`).map((r) => {
    const dstText = str(r.dst) ?? 'default';
    const slash = dstText.indexOf('/');
    const dst = slash < 0 ? dstText : dstText.slice(0, slash);
    const full = family === 4 ? 32 : 128;
    return {
      dst,
      dstLength: dst === 'default' ? 0 : slash < 0 ? full : Number(dstText.slice(slash + 1)),
      dev: str(r.dev),
      gateway: str(r.gateway),
      table: str(r.table) ?? 'main',
      type: str(r.type) ?? 'unicast',
    };
  });
}
