/**
 * doctor's words: one line per check — ✔/✘/!/– , what it checks, what was
 * found, what was expected, the command that fixes it — a header naming
 * what was judged and a closing verdict. Strings from the host (interface
 * names, file contents, rule texts) are escaped before they reach a terminal.
 */
import { Chalk } from 'chalk';
import type { CheckId, CheckResult, CheckStatus } from '../doctor/check.js';
import type { DoctorResult } from '../doctor/checks.js';
import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import type { AnycastHost } from '../doctor/setup.js';

const TITLES: Readonly<Record<CheckId, string>> = {
  'anycast-interface': 'anycast interface is a macvlan on the mesh bridge',
  'anycast-mac': 'anycast interface carries the anycast MAC',
  'anycast-addresses': 'anycast interface carries the anycast addresses',
  'anycast-up': 'anycast interface is up',
  forwarding: 'IP forwarding on',
  'arp-filter': 'arp_filter on',
  'arp-ignore-announce': 'arp_ignore / arp_announce',
  'rp-filter': 'rp_filter off on the anycast interface and the bridge',
  'source-rule': 'ip rule from the anycast IP',
  'source-route': 'route to the mesh via the anycast interface',
  'uplink-rules': 'uplink rule also matches the anycast interface',
  dad: 'duplicate address detection off',
  'batman-bridge-port': 'batman-adv interface is a port of the bridge',
  'bridge-loop-avoidance': 'batman-adv bridge loop avoidance on',
  'firewall-anycast': 'firewall rule for the bridge also for the anycast interface',
  'firewall-return-path': 'firewall return path not limited to ESTABLISHED,RELATED',
  'firewall-invalid-drop': 'firewall does not drop conntrack INVALID',
  'dhcp-options': 'DHCP router/DNS options are the anycast IP',
  radv: 'router advertisements from the anycast interface',
};

export function checkTitle(id: CheckId): string {
  return TITLES[id];
}

const SYMBOLS: Readonly<Record<CheckStatus, string>> = { ok: '✔', fail: '✘', warn: '!', 'not-checked': '–' };

/** Control characters (C0, DEL, C1 — ANSI escapes start with one) as \xNN. */
export function escapeTerminal(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function line(r: CheckResult, c: InstanceType<typeof Chalk>): string {
  const colour = r.status === 'ok' ? c.green : r.status === 'fail' ? c.red : r.status === 'warn' ? c.yellow : c.dim;
  const title = `${TITLES[r.id]}${r.subject !== '' ? ` [${escapeTerminal(r.subject)}]` : ''}`;
  if (r.status === 'not-checked') return colour(`${SYMBOLS[r.status]} ${title}: not checked: ${escapeTerminal(r.found)}`);
  const head = `${colour(SYMBOLS[r.status])} ${title}: ${escapeTerminal(r.found)}`;
  if (r.status === 'ok') return head;
  const fix = r.fix.length > 0 ? ` — fix: ${r.fix.map(escapeTerminal).join('; ')}` : '';
  return `${head} — expected ${escapeTerminal(r.expected)}${fix}`;
}

function count(checks: readonly CheckResult[], status: CheckStatus): number {
  return checks.filter((c) => c.status === status).length;
}

export function doctorText(setup: AnycastHost, result: DoctorResult, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const s = describeSetup(setup);
  const addresses = [...(s.anycastIpv4 as string[]), ...(s.anycastIpv6 as string[])].join(' ') || 'no anycast address';
  const lines = [
    escapeTerminal(
      `doctor: bridge ${s.bridge}, anycast interface ${s.anycastInterface} ${s.anycastMac || '(no MAC)'} ${addresses} (${s.addressesFrom === 'configured' ? 'configured' : 'from the interface'}), mesh ${s.meshPrefix || 'unknown'}`,
    ),
    '',
    ...result.checks.map((r) => line(r, c)),
    '',
  ];
  const fails = count(result.checks, 'fail');
  const warns = count(result.checks, 'warn');
  const oks = count(result.checks, 'ok');
  const skipped = count(result.checks, 'not-checked');
  const unreadable = result.checks.filter((r) => r.unreadable).length;
  if (result.verdict === 'problems') lines.push(c.bold.red(`PROBLEMS: ${fails} failed, ${warns} warning(s), ${oks} passed, ${skipped} not checked.`));
  else if (result.verdict === 'could-not-check')
    lines.push(c.bold.yellow(`COULD NOT CHECK: ${unreadable} check(s) could not read what they need (run as root?); ${oks} passed.`));
  else lines.push(c.bold.green(`HEALTHY: ${oks} passed, ${skipped} not checked.`));
  return lines.join('\n');
}

/** The setup in words of the host's own notation, for the report's header and JSON. */
export function describeSetup(setup: AnycastHost): Record<string, string | string[]> {
  return {
    bridge: setup.bridge,
    anycastInterface: setup.anycastInterface,
    anycastMac: setup.anycastMac === undefined ? '' : formatMac(setup.anycastMac),
    anycastIpv4: setup.anycastIpv4.map(formatIpv4),
    anycastIpv6: setup.anycastIpv6.map(formatIpv6),
    addressesFrom: setup.addressesFrom,
    meshPrefix: setup.meshPrefix === undefined ? '' : `${formatIpv4(setup.meshPrefix.words[3]!)}/${setup.meshPrefix.length}`,
    batman: setup.batman,
  };
}
