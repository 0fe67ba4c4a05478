import Table from 'cli-table3';
import { Chalk } from 'chalk';
import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import type { Gateway } from '../detect/gateways.js';
import type { ProbeAnswer, ProbeAnswerKind, ProbeResult } from '../core/probe.js';
import type { AnalysisJson } from './analysis-json.js';
import { analysisText, findingsSummary } from './analysis-text.js';
import { escapeText } from './escape.js';
import { gatewayName } from './names.js';

export const PROBE_SCHEMA = 'anycast-probe/probe/v1';

/** What the answers say is wrong, as codes; words below. */
export type ProbeProblem = 'unicast-arp-answer' | 'unicast-echo-answer' | 'no-arp-answer' | 'echo-unanswered';

/** healthy / problems, or unsure: the answers do not tell which MAC is the anycast one (no --anycast-mac), and nothing else is wrong. */
export type ProbeVerdict = 'healthy' | 'problems' | 'unsure';

export interface ProbeJson {
  schema: string;
  interface: string;
  source: { mac: string; ip: string; ipv6: string | null };
  /** mac: the anycast MAC, null while not known; echoTo: where the echo requests went (the anycast MAC, or the MAC that answered ARP most). */
  anycast: { ipv4: string[]; ipv6: string[]; mac: string | null; macSource: string; echoTo: string | null };
  sent: { arp: number; echo: number; ns: number; echo6: number };
  echo: { anycastIp: string; sent: number; answered: number; lossPercent: number }[];
  answers: {
    anycastIp: string;
    kind: ProbeAnswerKind;
    mac: string;
    gateway: string | null;
    /** Whether this MAC is the anycast MAC; null while the anycast MAC is not known. */
    anycastMac: boolean | null;
    ethernetSource: string | null;
    replies: number;
    rttMs: { min: number; avg: number; max: number } | null;
  }[];
  problems: ProbeProblem[];
  verdict: ProbeVerdict;
  /** Frames captured during the probe (the detectors' input). */
  framesCaptured: number;
  /**
   * The same detectors as analyze, on every frame captured during the
   * probe; null when the anycast MAC is not known: what they would find
   * (which MAC answers wrongly) depends on it.
   */
  analysis: AnalysisJson | null;
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

/**
 * One verdict from the answers and the detectors: problems when the answers
 * or the detectors show one; else unsure while the anycast MAC is not known
 * (a single MAC answering once per request may be a bridge's); else healthy.
 */
function probeVerdict(r: ProbeResult, problems: readonly ProbeProblem[], analysis: AnalysisJson): ProbeVerdict {
  if (problems.length > 0) return 'problems';
  if (r.anycastMac < 0) return 'unsure';
  return analysis.verdict === 'problems' ? 'problems' : 'healthy';
}

export function probeJson(r: ProbeResult, iface: string, gateways: readonly Gateway[], analysis: AnalysisJson): ProbeJson {
  const problems = probeProblems(r);
  const known = r.anycastMac >= 0;
  const answer = (a: ProbeAnswer): ProbeJson['answers'][number] => {
    // While the anycast MAC is unknown, a learned gateway is a guess of the detectors' (a MAC that claimed the anycast IP): not named.
    const found = a.mac === r.anycastMac ? undefined : gatewayOf(gateways, a.mac);
    const gw = !known && found?.learned === true ? undefined : found;
    return {
      anycastIp: a.anycastIpv6Index >= 0 ? formatIpv6(r.plan.anycastIpv6[a.anycastIpv6Index]!) : formatIpv4(a.anycastIp),
      kind: a.kind,
      mac: formatMac(a.mac),
      gateway: gw === undefined ? null : gatewayName(gw),
      anycastMac: known ? a.mac === r.anycastMac : null,
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
      mac: known ? formatMac(r.anycastMac) : null,
      macSource: r.anycastMacSource,
      echoTo: r.echoMac >= 0 ? formatMac(r.echoMac) : null,
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
    verdict: probeVerdict(r, problems, analysis),
    framesCaptured: analysis.stats.frames,
    analysis: known ? analysis : null,
  };
}

/** The no-verdict line's reason: which MAC(s) answered, why that does not tell the anycast MAC, and what would. */
function unsureText(doc: ProbeJson): string {
  const asked = doc.answers.filter((a) => a.kind === 'arp' || a.kind === 'na');
  const macs = [...new Set(asked.map((a) => a.mac))];
  const ips = [...new Set(asked.map((a) => a.anycastIp))].join(', ');
  const what = asked.every((a) => a.kind === 'na') ? 'NS' : asked.some((a) => a.kind === 'na') ? 'ARP and NS' : 'ARP';
  const settle = 'give --anycast-mac MAC to settle it';
  const requests = doc.sent.arp + doc.sent.ns;
  if (macs.length === 1) {
    const replies = asked.reduce((n, a) => n + a.replies, 0);
    return `cannot tell whether ${macs[0]}, the only MAC that answered ${what} for ${ips} (${replies} replies to ${requests} requests), is the anycast MAC: a single gateway's anycast MAC answers once per request, and so does a gateway's bridge (arp_filter off, or the source route missing); ${settle}.`;
  }
  const each = macs.map((m) => `${m} (${asked.filter((a) => a.mac === m).reduce((n, a) => n + a.replies, 0)} replies)`);
  const list = `${each.slice(0, -1).join(', ')} and ${each.at(-1)!}`;
  return `cannot tell which MAC is the anycast one: ${list} answered ${what} for ${ips} (${requests} requests), and none stands out as the anycast MAC does, answering each request once per gateway; ${settle}.`;
}

/** Where the echo requests went, and what that MAC is known to be. */
function echoText(doc: ProbeJson): string {
  const { echoTo, mac, macSource } = doc.anycast;
  if (doc.sent.echo + doc.sent.echo6 === 0 || echoTo === null) return 'no echo request (nothing answered ARP in the first round, and no --anycast-mac given)';
  const which =
    echoTo !== mac
      ? `the MAC that answered ARP most in the first round${mac === null ? ', not known to be the anycast MAC' : ''}`
      : macSource === 'given'
        ? 'the anycast MAC, given'
        : 'the anycast MAC, the MAC that answered ARP once per gateway';
  return `${doc.sent.echo + doc.sent.echo6} echo requests to ${echoTo} (${which})`;
}

export function probeText(doc: ProbeJson, opts: { color: boolean }): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  const known = doc.anycast.mac !== null;
  const unicast = doc.answers.filter((a) => a.anycastMac === false);
  const named = (a: ProbeJson['answers'][number]): string => `${a.mac}${a.gateway !== null && a.gateway !== a.mac ? ` (${a.gateway})` : ''}`;
  const asked = [...doc.anycast.ipv4, ...doc.anycast.ipv6].join(', ');
  // One verdict: the detectors' is folded into it, and their section below opens with no verdict of its own.
  if (doc.verdict === 'healthy') out.push(`${c.green.bold('HEALTHY:')} only the anycast MAC answered for ${asked}.`);
  else if (doc.verdict === 'unsure') out.push(`${c.yellow.bold('NO VERDICT:')} ${unsureText(doc)}`);
  else {
    const first =
      unicast.length > 0
        ? `${asked} answered with a unicast MAC by ${[...new Set(unicast.map(named))].join(', ')}.`
        : doc.problems.length > 0
          ? `${problemText(doc.problems[0]!)}.`
          : `the detectors found ${doc.analysis === null ? 'problems' : findingsSummary(doc.analysis)} in the frames captured (below).`;
    out.push(`${c.red.bold('PROBLEMS:')} ${first}`);
  }
  out.push('');
  const ns = doc.sent.ns > 0 ? `, ${doc.sent.ns} neighbor solicitations (from ${doc.source.ipv6})` : '';
  out.push(`Probed ${asked} on ${escapeText(doc.interface)} from ${doc.source.mac} / ${doc.source.ip}: ${doc.sent.arp} ARP requests${ns}, ${echoText(doc)}.`);
  if (doc.answers.length === 0) out.push('  (no answer)');
  else {
    const t = new Table({
      head: ['anycast IP', 'answered by', 'what', 'replies', 'RTT min/avg/max'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    });
    for (const a of doc.answers) {
      const kind = a.kind === 'arp' ? 'ARP' : a.kind === 'na' ? 'NA' : 'echo reply';
      const what = !known ? kind : a.anycastMac === true ? `${kind}: the anycast MAC` : c.red(`${kind}: a UNICAST MAC`);
      const rtt = a.rttMs === null ? '-' : `${a.rttMs.min}/${a.rttMs.avg}/${a.rttMs.max} ms`;
      t.push([a.anycastIp, named(a) + (a.ethernetSource !== null ? ` (Ethernet source ${a.ethernetSource})` : ''), what, a.replies, rtt]);
    }
    out.push(t.toString());
  }
  for (const e of doc.echo) out.push(`Echo ${e.anycastIp}: ${e.sent} sent, ${e.answered} answered, ${e.lossPercent} % loss`);
  for (const p of doc.problems) out.push(`  ${c.bold('Problem')}: ${problemText(p)}`);
  out.push('');
  if (doc.analysis === null) {
    out.push(
      `The detectors did not judge the ${doc.framesCaptured} frames captured meanwhile: they need the anycast MAC, which is not known (give --anycast-mac).`,
    );
    return out.join('\n');
  }
  out.push(`${c.bold(`What the detectors made of the ${doc.framesCaptured} frames captured meanwhile:`)} ${findingsSummary(doc.analysis)}.`, '');
  out.push(analysisText(doc.analysis, { ...opts, verdict: false }));
  return out.join('\n');
}
