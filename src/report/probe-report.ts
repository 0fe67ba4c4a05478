import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import type { Gateway } from '../detect/gateways.js';
import type { ProbeAnswer, ProbeAnswerKind, ProbeResult } from '../core/probe.js';
import type { AnalysisJson } from './analysis-json.js';
import { analysisText } from './analysis-text.js';
import { escapeText } from './escape.js';
import { gatewayName } from './names.js';

export const PROBE_SCHEMA = 'anycast-probe/probe/v1';

/** What the answers say is wrong, as codes; words below. */
export type ProbeProblem = 'unicast-arp-answer' | 'unicast-echo-answer' | 'no-arp-answer' | 'echo-unanswered';

export interface ProbeJson {
  schema: string;
  interface: string;
  source: { mac: string; ip: string; ipv6: string | null };
  anycast: { ipv4: string[]; ipv6: string[]; mac: string | null; macSource: string };
  sent: { arp: number; echo: number; ns: number; echo6: number };
  echo: { anycastIp: string; sent: number; answered: number; lossPercent: number }[];
  answers: {
    anycastIp: string;
    kind: ProbeAnswerKind;
    mac: string;
    gateway: string | null;
    anycastMac: boolean;
    ethernetSource: string | null;
    replies: number;
    rttMs: { min: number; avg: number; max: number } | null;
  }[];
  problems: ProbeProblem[];
  verdict: 'healthy' | 'problems';
  /** The same detectors as analyze, on every frame captured during the probe. */
  analysis: AnalysisJson;
}

const ms = (s: number): number => Math.round(s * 1e6) / 1e3;

/** The problems the answers show: a unicast MAC answering for the anycast IP, no answer, echo requests all lost. */
export function probeProblems(r: ProbeResult): ProbeProblem[] {
  const problems: ProbeProblem[] = [];
  const unicast = (kinds: readonly ProbeAnswerKind[]): boolean => r.anycastMac >= 0 && r.answers.some((a) => kinds.includes(a.kind) && a.mac !== r.anycastMac);
  if (unicast(['arp', 'na'])) problems.push('unicast-arp-answer');
  if (unicast(['echo', 'echo6'])) problems.push('unicast-echo-answer');
  if (!r.answers.some((a) => a.kind === 'arp' || a.kind === 'na')) problems.push('no-arp-answer');
  if (r.echoSent + r.echo6Sent > 0 && r.echoAnswered.every((n) => n === 0)) problems.push('echo-unanswered');
  return problems;
}

function problemText(p: ProbeProblem): string {
  switch (p) {
    case 'unicast-arp-answer':
      return 'a unicast MAC answered ARP (or NS) for the anycast IP: arp_filter off or the source route missing (IPv6: the address on br-fftr, or proxy NDP) on that gateway pins whoever believes it';
    case 'unicast-echo-answer':
      return 'echo replies from the anycast IP came from a unicast MAC: the source route is missing on that gateway';
    case 'no-arp-answer':
      return 'nothing answered ARP or NS for the anycast IP: no anycast gateway reachable from here';
    case 'echo-unanswered':
      return 'no echo request to the anycast IP was answered';
  }
}

function gatewayOf(gateways: readonly Gateway[], mac: number): Gateway | undefined {
  return gateways.find((g) => g.macs.includes(mac));
}

export function probeJson(r: ProbeResult, iface: string, gateways: readonly Gateway[], analysis: AnalysisJson): ProbeJson {
  const problems = probeProblems(r);
  const answer = (a: ProbeAnswer): ProbeJson['answers'][number] => {
    const gw = a.mac === r.anycastMac ? undefined : gatewayOf(gateways, a.mac);
    return {
      anycastIp: a.anycastIpv6Index >= 0 ? formatIpv6(r.plan.anycastIpv6[a.anycastIpv6Index]!) : formatIpv4(a.anycastIp),
      kind: a.kind,
      mac: formatMac(a.mac),
      gateway: gw === undefined ? null : gatewayName(gw),
      anycastMac: a.mac === r.anycastMac,
      ethernetSource: a.ethernetSource >= 0 ? formatMac(a.ethernetSource) : null,
      replies: a.replies,
      rttMs: a.rttCount > 0 ? { min: ms(a.rttMin), avg: ms(a.rttSum / a.rttCount), max: ms(a.rttMax) } : null,
    };
  };
  const perIp = r.plan.count;
  const v4 = r.plan.anycastIpv4.length;
  const loss = (name: string, sent: number, answered: number): ProbeJson['echo'][number] => ({
    anycastIp: name,
    sent,
    answered,
    lossPercent: sent > 0 ? Math.round((100 * (sent - answered)) / sent) : 0,
  });
  return {
    schema: PROBE_SCHEMA,
    interface: iface,
    source: { mac: formatMac(r.plan.sourceMac), ip: formatIpv4(r.plan.sourceIp), ipv6: r.plan.sourceIpv6 === null ? null : formatIpv6(r.plan.sourceIpv6) },
    anycast: {
      ipv4: r.plan.anycastIpv4.map(formatIpv4),
      ipv6: r.plan.anycastIpv6.map(formatIpv6),
      mac: r.anycastMac >= 0 ? formatMac(r.anycastMac) : null,
      macSource: r.anycastMacSource,
    },
    sent: { arp: r.arpSent, echo: r.echoSent, ns: r.nsSent, echo6: r.echo6Sent },
    echo: [
      ...(r.echoSent === 0 ? [] : r.plan.anycastIpv4.map((ip, i) => loss(formatIpv4(ip), Math.min(perIp, Math.ceil(r.echoSent / v4)), r.echoAnswered[i] ?? 0))),
      ...(r.echo6Sent === 0
        ? []
        : r.plan.anycastIpv6.map((ip, i) =>
            loss(formatIpv6(ip), Math.min(perIp, Math.ceil(r.echo6Sent / r.plan.anycastIpv6.length)), r.echoAnswered[v4 + i] ?? 0),
          )),
    ],
    answers: r.answers.map(answer),
    problems,
    verdict: problems.length > 0 || analysis.verdict === 'problems' ? 'problems' : 'healthy',
    analysis,
  };
}

export function probeText(doc: ProbeJson, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const known = doc.anycast.mac !== null;
  const unicast = doc.answers.filter((a) => known && !a.anycastMac);
  const named = (a: ProbeJson['answers'][number]): string => `${a.mac}${a.gateway !== null && a.gateway !== a.mac ? ` (${a.gateway})` : ''}`;
  if (doc.verdict === 'healthy')
    out.push(`${c.green.bold('HEALTHY:')} only the anycast MAC answered for ${[...doc.anycast.ipv4, ...doc.anycast.ipv6].join(', ')}.`);
  else {
    const first =
      unicast.length > 0
        ? `${[...doc.anycast.ipv4, ...doc.anycast.ipv6].join(', ')} answered with a unicast MAC by ${[...new Set(unicast.map(named))].join(', ')}.`
        : doc.problems.length > 0
          ? `${problemText(doc.problems[0]!)}.`
          : 'the detectors found problems in the frames captured (below).';
    out.push(`${c.red.bold('PROBLEMS:')} ${first}`);
  }
  out.push('');
  const echo =
    doc.sent.echo + doc.sent.echo6 > 0
      ? `${doc.sent.echo + doc.sent.echo6} echo requests to ${doc.anycast.mac} (the anycast MAC, ${doc.anycast.macSource === 'given' ? 'given' : 'the MAC that answered ARP once per gateway'})`
      : 'no echo request (no anycast MAC known: give --anycast-mac)';
  const asked = [...doc.anycast.ipv4, ...doc.anycast.ipv6].join(', ');
  const ns = doc.sent.ns > 0 ? `, ${doc.sent.ns} neighbor solicitations (from ${doc.source.ipv6})` : '';
  out.push(`Probed ${asked} on ${escapeText(doc.interface)} from ${doc.source.mac} / ${doc.source.ip}: ${doc.sent.arp} ARP requests${ns}, ${echo}.`);
  if (doc.answers.length === 0) out.push('  (no answer)');
  else {
    const t = new Table({
      head: ['anycast IP', 'answered by', 'what', 'replies', 'RTT min/avg/max'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    });
    for (const a of doc.answers) {
      const kind = a.kind === 'arp' ? 'ARP' : a.kind === 'na' ? 'NA' : 'echo reply';
      const what = !known ? kind : a.anycastMac ? `${kind}: the anycast MAC` : c.red(`${kind}: a UNICAST MAC`);
      const rtt = a.rttMs === null ? '-' : `${a.rttMs.min}/${a.rttMs.avg}/${a.rttMs.max} ms`;
      t.push([a.anycastIp, named(a) + (a.ethernetSource !== null ? ` (Ethernet source ${a.ethernetSource})` : ''), what, a.replies, rtt]);
    }
    out.push(t.toString());
  }
  for (const e of doc.echo) out.push(`Echo ${e.anycastIp}: ${e.sent} sent, ${e.answered} answered, ${e.lossPercent} % loss`);
  for (const p of doc.problems) out.push(`  ${c.bold('Problem')}: ${problemText(p)}`);
  out.push('');
  out.push(c.bold('What the detectors made of the frames captured meanwhile:'));
  out.push(analysisText(doc.analysis, opts));
  return out.join('\n');
}
