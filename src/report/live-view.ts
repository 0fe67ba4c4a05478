import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { FindingJson } from './analysis-json.js';
import type { AnycastConfig } from '../detect/config.js';
import { FINDING_KINDS } from '../detect/registry.js';
import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import { escapeText } from './escape.js';

/** What the live view shows; built by the CLI from the pipeline, formatted here. */
export interface LiveSnapshot {
  title: string;
  anycastLine: string;
  frames: number;
  received: number;
  dropped: number | undefined;
  elapsedSeconds: number;
  /** Offending frames per finding kind. */
  perKind: Record<string, number>;
  matrix: { from: string; to: string; packets: number; bytes: number }[];
  latest: FindingJson[];
}

/** One line for a finding the moment it is first seen (also the plain, non-TTY output). */
export function findingLine(f: FindingJson, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const sev = f.severity === 'error' ? c.red.bold('ERROR') : f.severity === 'warning' ? c.yellow.bold('WARN ') : c.dim('INFO ');
  const parts = [`${f.first.replace('T', ' ').replace('Z', '')} ${sev} ${f.kind}`];
  if (f.gateway !== null) parts.push(`gateway ${f.gateway}${f.otherGateway !== null ? ` (other: ${f.otherGateway})` : ''}`);
  if (f.mac !== null) parts.push(`mac ${f.mac}`);
  if (f.anycastIp !== null) parts.push(`anycast ${f.anycastIp}`);
  if (f.clients.length > 0) parts.push(`client ${f.clients[0]}`);
  parts.push(`frame ${f.frames[0] ?? '?'}`);
  const line = parts.join(', ').replace(`${f.kind}, `, `${f.kind}: `);
  // The ARP cause needs the whole capture (did the anycast MAC answer too?): the final report settles it.
  return f.kind === 'unicast-arp-reply' ? line : `${line} — ${f.cause.replace(/-/g, ' ')}`;
}

/** A gateway the stream named by its MAC has a name now (its IP was seen): said once, so the lines before and the report agree. */
export function gatewayRenameLine(mac: string, was: string, name: string, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  return `${c.dim('gateway')} ${was === mac ? mac : `${was} [${mac}]`} ${c.dim('is named')} ${name} ${c.dim('from here on (its own address was seen)')}`;
}

/** The whole screen, redrawn at most once a second on a terminal. */
export function liveScreen(s: LiveSnapshot, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const out: string[] = [];
  const rate = s.elapsedSeconds > 0 ? (s.frames / s.elapsedSeconds).toFixed(0) : '0';
  out.push(
    c.bold(escapeText(s.title)) +
      c.dim(
        `  ${s.elapsedSeconds.toFixed(0)} s, ${s.frames} frames (${rate}/s), ${s.dropped === undefined ? 'drops unknown' : `${s.dropped} dropped by the kernel`}`,
      ),
  );
  out.push(s.anycastLine);
  out.push('');
  out.push(
    FINDING_KINDS.map((k) => `${k} ${(s.perKind[k] ?? 0) > 0 && k !== 'inter-gateway-traffic' ? c.red(String(s.perKind[k])) : String(s.perKind[k] ?? 0)}`).join(
      '  |  ',
    ),
  );
  out.push('');
  if (s.matrix.length > 0) {
    const t = new Table({ head: ['from', 'to', 'packets', 'bytes'], style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] } });
    for (const m of s.matrix) t.push([m.from, m.to, m.packets, m.bytes]);
    out.push('Traffic between gateways:');
    out.push(t.toString());
  } else {
    out.push(c.dim('No traffic between gateways yet.'));
  }
  out.push('');
  out.push(s.latest.length === 0 ? c.green('No findings yet.') : 'Latest findings:');
  for (const f of s.latest) out.push(`  ${findingLine(f, color)}`);
  out.push('');
  out.push(c.dim('Ctrl-C ends with the full report.'));
  return out.join('\n');
}

/** The anycast line of the live view: what is being checked, and where it came from. */
export function anycastSummaryLine(config: AnycastConfig): string {
  const ips = [...config.anycastIpv4.map(formatIpv4), ...config.anycastIpv6.map(formatIpv6)];
  if (ips.length === 0 && config.anycastMacs.length === 0) return 'Anycast: not configured — inferring from ARP as frames arrive';
  return `Anycast: ${ips.join(', ') || '(no IP)'} via ${config.anycastMacs.map(formatMac).join(', ') || '(no MAC)'} (${config.source})`;
}
