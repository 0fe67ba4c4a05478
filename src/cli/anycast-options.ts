import * as fs from 'node:fs';
import type { Argv } from 'yargs';
import { parseIpv4, parseIpv6, parseMac } from '../core/address.js';
import { Defaults, emptyConfig, type AnycastConfig, type GatewayConfig } from '../detect/config.js';
import { UsageError } from '../core/errors.js';
import { EXIT_CODES_TEXT } from './exit-code.js';
import type { DetectorDefinition } from '../detect/detector.js';
import { DETECTORS, selectDetectors, unknownDetectorIds } from '../detect/registry.js';

/** The anycast flags shared by analyze, watch and replay. */
export interface AnycastFlags {
  /** One value, or several when the flag is repeated. */
  anycastIp?: string[] | string;
  anycastMac?: string[] | string;
  gateway?: string[] | string;
  config?: string;
  interGatewayThreshold?: number;
  maxFlows?: number;
  flipFlopWindow?: number;
  /** Tell this one client's story (IPv4 or MAC). */
  client?: string;
  /** Only these detectors (ids, comma-separated or repeated). */
  detectors?: string[] | string;
  /** All but these detectors. */
  skipDetectors?: string[] | string;
}

export const DEFAULT_CONFIG_FILE = 'anycast-probe.json';

/** JSON config file shape (see README "Configuration"). */
interface ConfigFile {
  anycast?: { ipv4?: string[]; ipv6?: string[]; mac?: string[] };
  gateways?: Record<string, { mac?: string[]; ipv4?: string[] }>;
  interGatewayThreshold?: number;
  maxFlows?: number;
  flipFlopWindow?: number;
}

function mac(text: string, where: string): number {
  const value = parseMac(text);
  if (Number.isNaN(value)) throw new UsageError(`${where}: "${text}" is not a MAC address (expected aa:bb:cc:dd:ee:ff)`);
  return value;
}

function addIp(config: AnycastConfig, text: string, where: string): void {
  const v4 = parseIpv4(text);
  if (!Number.isNaN(v4)) {
    if (!config.anycastIpv4.includes(v4)) config.anycastIpv4.push(v4);
    return;
  }
  const v6 = new Uint32Array(4);
  if (parseIpv6(text, v6)) {
    config.anycastIpv6.push(v6);
    return;
  }
  throw new UsageError(`${where}: "${text}" is not an IPv4 or IPv6 address`);
}

function readConfigFile(path: string, explicit: boolean): ConfigFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${path}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  checkKeys(parsed, CONFIG_KEYS.top, path, '');
  const file = parsed as Record<string, unknown>;
  if (file['anycast'] !== undefined) checkKeys(file['anycast'], CONFIG_KEYS.anycast, path, 'anycast.');
  if (file['gateways'] !== undefined) {
    checkKeys(file['gateways'], undefined, path, 'gateways.');
    for (const [name, g] of Object.entries(file['gateways'] as Record<string, unknown>)) checkKeys(g, CONFIG_KEYS.gateway, path, `gateways.${name}.`);
  }
  return parsed as ConfigFile;
}

/**
 * The keys a config file may have (schema/config.schema.json describes the
 * same; a test checks the two agree). A key not listed — a typo such as
 * "anycst" — is an error naming it, not a silent fallback to inference.
 */
export const CONFIG_KEYS = {
  top: ['$schema', 'anycast', 'gateways', 'interGatewayThreshold', 'maxFlows', 'flipFlopWindow'],
  anycast: ['ipv4', 'ipv6', 'mac'],
  gateway: ['mac', 'ipv4'],
} as const;

/** `value` must be an object whose keys are all in `known` (any key when undefined). */
function checkKeys(value: unknown, known: readonly string[] | undefined, path: string, at: string): void {
  const where = at === '' ? 'the top level' : at.slice(0, -1);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`${path}: ${where} must be an object (see schema/config.schema.json)`);
  if (known === undefined) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new UsageError(
        `${path}: unknown key "${at}${key}" (known here: ${known.filter((k) => k !== '$schema').join(', ')}; see schema/config.schema.json)`,
      );
    }
  }
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UsageError(`${where} must be a list of strings`);
  return value as string[];
}

/**
 * Builds the analysis configuration: the config file (--config, else
 * ./anycast-probe.json when present) first, flags on top. Every bad value is
 * a UsageError naming the flag or file and what was expected.
 */
export function anycastConfigFrom(flags: AnycastFlags): AnycastConfig {
  const config = emptyConfig();
  const file = readConfigFile(flags.config ?? DEFAULT_CONFIG_FILE, flags.config !== undefined);
  if (file !== undefined) {
    const where = flags.config ?? DEFAULT_CONFIG_FILE;
    for (const ip of stringList(file.anycast?.ipv4, `${where}: anycast.ipv4`)) addIp(config, ip, `${where}: anycast.ipv4`);
    for (const ip of stringList(file.anycast?.ipv6, `${where}: anycast.ipv6`)) addIp(config, ip, `${where}: anycast.ipv6`);
    for (const m of stringList(file.anycast?.mac, `${where}: anycast.mac`)) config.anycastMacs.push(mac(m, `${where}: anycast.mac`));
    for (const [name, g] of Object.entries(file.gateways ?? {})) {
      const gw: GatewayConfig = { name, macs: [], ipv4: [] };
      for (const m of stringList(g.mac, `${where}: gateways.${name}.mac`)) gw.macs.push(mac(m, `${where}: gateways.${name}.mac`));
      for (const ip of stringList(g.ipv4, `${where}: gateways.${name}.ipv4`)) {
        const v = parseIpv4(ip);
        if (Number.isNaN(v)) throw new UsageError(`${where}: gateways.${name}.ipv4: "${ip}" is not an IPv4 address`);
        gw.ipv4.push(v);
      }
      config.gateways.push(gw);
    }
    if (file.interGatewayThreshold !== undefined) config.interGatewayWarnShare = threshold(file.interGatewayThreshold, `${where}: interGatewayThreshold`);
    if (file.maxFlows !== undefined) config.maxFlows = maxFlows(file.maxFlows, `${where}: maxFlows`);
    if (file.flipFlopWindow !== undefined) config.flipFlopWindow = seconds(file.flipFlopWindow, `${where}: flipFlopWindow`);
    config.source = 'config-file';
  }
  let fromFlags = false;
  for (const ip of listOf(flags.anycastIp)) {
    for (const part of ip.split(',')) addIp(config, part, '--anycast-ip');
    fromFlags = true;
  }
  for (const m of listOf(flags.anycastMac)) {
    for (const part of m.split(',')) config.anycastMacs.push(mac(part, '--anycast-mac'));
    fromFlags = true;
  }
  for (const spec of listOf(flags.gateway)) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--gateway "${spec}": expected NAME=MAC[,MAC...]`);
    const name = spec.slice(0, eq);
    const gw: GatewayConfig = {
      name,
      macs: spec
        .slice(eq + 1)
        .split(',')
        .map((m) => mac(m, `--gateway ${name}`)),
      ipv4: [],
    };
    const existing = config.gateways.find((g) => g.name === name);
    if (existing !== undefined) existing.macs.push(...gw.macs);
    else config.gateways.push(gw);
    fromFlags = true;
  }
  if (flags.interGatewayThreshold !== undefined) config.interGatewayWarnShare = threshold(flags.interGatewayThreshold, '--inter-gateway-threshold');
  if (flags.maxFlows !== undefined) config.maxFlows = maxFlows(flags.maxFlows, '--max-flows');
  if (flags.flipFlopWindow !== undefined) config.flipFlopWindow = seconds(flags.flipFlopWindow, '--flip-flop-window');
  if (flags.client !== undefined) config.client = clientOf(flags.client);
  if (fromFlags) config.source = 'flags';
  if (!Number.isFinite(config.interGatewayWarnShare)) config.interGatewayWarnShare = Defaults.interGatewayWarnShare;
  return config;
}

/** --client: an IPv4 address or a MAC. */
function clientOf(text: string): { mac: number; ipv4: number } {
  const ipv4 = parseIpv4(text);
  if (!Number.isNaN(ipv4)) return { mac: -1, ipv4 };
  const m = parseMac(text);
  if (!Number.isNaN(m)) return { mac: m, ipv4: -1 };
  throw new UsageError(`--client "${text}": expected the client's IPv4 address or MAC (e.g. 10.172.1.1 or 02:00:00:00:0c:01)`);
}

/** A bad value as the message shows it: yargs turns a word given to a number flag into NaN. */
export function given(value: unknown): string {
  return typeof value === 'number' && Number.isNaN(value) ? '(not a number)' : (JSON.stringify(value) ?? String(value));
}

function seconds(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 86400)
    throw new UsageError(`${where} ${given(value)}: expected seconds, more than 0 and at most 86400`);
  return value;
}

function threshold(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`${where} ${given(value)}: expected a share between 0 and 1 (e.g. 0.05 for 5 %)`);
  return value;
}

function maxFlows(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 16 || value > 1 << 24)
    throw new UsageError(`${where} ${given(value)}: expected an integer between 16 and 16777216`);
  return value;
}

function listOf(value: string[] | string | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function detectorIds(value: string[] | string | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = listOf(value)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const unknown = unknownDetectorIds(ids);
  if (unknown.length > 0) {
    throw new UsageError(
      `${flag}: no detector ${unknown.map((id) => `"${id}"`).join(', ')}; known: ${DETECTORS.map((d) => d.id).join(', ')} (anycast-probe detectors describes them)`,
    );
  }
  return ids;
}

/** The detectors a run uses: --detectors (only these) minus --skip-detectors, in registry order. */
export function detectorsFrom(flags: AnycastFlags): readonly DetectorDefinition[] {
  let only = detectorIds(flags.detectors, '--detectors');
  // --client adds the story to whatever else runs.
  if (flags.client !== undefined) only = [...(only ?? []), '+client-story'];
  const skip = detectorIds(flags.skipDetectors, '--skip-detectors') ?? [];
  const selected = selectDetectors(only, skip);
  if (selected.length === 0) throw new UsageError('--detectors/--skip-detectors leave no detector to run');
  return selected;
}

/** The anycast address flags and the config file (analyze, watch, replay, probe, doctor). */
export function anycastAddressFlagsBuilder<T>(y: Argv<T>): Argv<T> {
  return (
    y
      // Plain strings, not yargs arrays: an array option swallows the capture path that follows it.
      // Repeating a flag still collects every value.
      .option('anycast-ip', { type: 'string', describe: 'anycast IPv4/IPv6 address (repeat or comma-separate)' })
      .option('anycast-mac', { type: 'string', describe: 'the shared anycast MAC (repeat or comma-separate)' })
      .option('config', { type: 'string', describe: 'JSON config file (default ./anycast-probe.json when present)' }) as Argv<T>
  );
}

/** The anycast flags on a yargs command (analyze, watch, replay, probe). */
export function anycastFlagsBuilder<T>(y: Argv<T>): Argv<T> {
  return anycastAddressFlagsBuilder(y)
    .option('gateway', { type: 'string', describe: 'a gateway and its unicast MACs: NAME=MAC[,MAC...] (repeatable)' })
    .option('inter-gateway-threshold', { type: 'number', describe: 'share of all bytes between gateways that is a warning (default 0.05)' })
    .option('max-flows', { type: 'number', describe: 'bound on each flow/request table, 16 to 16777216 (default 65536); evictions are reported' })
    .option('flip-flop-window', {
      type: 'number',
      describe: 'seconds within which a MAC for the anycast IP changing back is a flip-flop, up to 86400 (default 60)',
    })
    .option('client', { type: 'string', describe: "one client's story: what it learned for the anycast IP, its pings, its gateways (IPv4 or MAC)" })
    .option('detectors', {
      type: 'string',
      describe: 'run only these detectors (ids, comma-separated; +ID adds one to the default set; see anycast-probe detectors)',
    })
    .option('skip-detectors', { type: 'string', describe: 'run every detector but these (ids, comma-separated)' })
    .epilogue(EXIT_CODES_TEXT) as Argv<T>;
}
