import { clientStoryText } from './client-story.js';
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { AnalysisJson, DetailValue } from './analysis-json.js';
import { kindTitle } from './causes.js';
import { escapeText } from './escape.js';
import { type InferredJson, MACS_SHOWN, missingText, signalText } from './inference-json.js';
import { listed } from './listed.js';

type Finding = AnalysisJson['findings'][number];

/** Rows per finding kind (and of the who-claimed table) in the human report. */
const MAX_ROWS_PER_KIND = 20;
/** Gateways named on the Gateways line; --json has them all. */
const MAX_GATEWAYS_LISTED = 8;

export interface TextOptions {
  color: boolean;
  /** The input ended inside a record (CaptureFormatError.cutShort): a capture still being written, or cut by a full disk. */
  cutShort?: boolean;
  /** Open with the verdict line (default); off where the report is part of another with its own verdict (probe). */
  verdict?: boolean;
}

/**
 * The human report: a one-line verdict an operator can act on, then one
 * table per problem (gateway, counts, first/last, sample frames, clients,
 * likely cause and the command that fixes it), the gateway × gateway
 * traffic matrix, who claimed each anycast IP, and what was read.
 */
export function analysisText(doc: AnalysisJson, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  if (opts.verdict !== false) out.push(verdictLine(doc, c), '');
  out.push(`${c.bold('Anycast')}: ${anycastLine(doc)}`);
  if (doc.gateways.length > 0) {
    const shown = doc.gateways.slice(0, MAX_GATEWAYS_LISTED);
    const more = doc.gateways.length - shown.length;
    // One line per gateway: a mesh with many stays readable.
    out.push(`${c.bold('Gateways')}:`);
    for (const g of shown)
      out.push(`  ${g.name} [${listed(g.macs, 3)}] (${g.evidence}${g.learned ? `, frame ${g.evidenceFrame}` : ''})${answersText(g.answers)}`);
    if (more > 0) out.push(c.dim(`  … and ${more} more (--json lists them all)`));
  }
  const problems = doc.findings.filter((f) => f.severity !== 'info');
  const kinds = [...new Set(problems.map((f) => f.kind))];
  for (const kind of kinds) {
    const list = problems.filter((f) => f.kind === kind);
    out.push('');
    out.push(`${c.bold.red(`${list[0]!.severity === 'error' ? '✗' : '!'} ${kind}`)} — ${kindTitle(kind)}`);
    // A flood (one gateway-switch per client on a busy mesh) must not bury the verdict: show the worst rows.
    const shown = [...list].sort((a, b) => b.count - a.count).slice(0, MAX_ROWS_PER_KIND);
    out.push(findingTable(shown, opts).toString());
    if (list.length > shown.length) out.push(c.dim(`  … and ${list.length - shown.length} more ${kind} findings (--json lists them all)`));
    const causes = [...new Map(list.map((f) => [f.cause, f])).values()];
    for (const f of causes) {
      const who = listed(
        list.filter((x) => x.cause === f.cause).map((x) => x.gateway ?? unnamedGateway(x)),
        3,
        'gateways',
      );
      // Wrapped like a paragraph: a cause sentence with three gateways named ran to 450 characters.
      const lines = wrapWords(`Likely cause (${who}): ${f.causeText}`, PROSE_WIDTH - 2);
      out.push(`  ${lines[0]!.replace('Likely cause', c.bold('Likely cause'))}`);
      for (const l of lines.slice(1)) out.push(`    ${l}`);
      out.push(`  ${c.bold('Fix')}:`);
      for (const cmd of f.fix) out.push(`    ${c.cyan(cmd)}`);
    }
  }
  out.push('');
  out.push(`${c.bold('Traffic between gateways')}:`);
  if (doc.interGateway.length === 0) {
    out.push(doc.gateways.length < 2 ? '  (fewer than two gateways known: nothing to measure)' : '  none seen');
  } else {
    const t = new Table({
      head: ['from', 'to', 'packets', 'bytes', 'share', 'peak/s', 'first', 'last'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    });
    for (const p of doc.interGateway)
      t.push([p.from, p.to, p.packets, p.bytes, `${(p.share * 100).toFixed(2)} %`, p.peakPerSecond, shortTime(p.first), shortTime(p.last)]);
    out.push(t.toString());
  }
  if (doc.client !== undefined) {
    out.push('');
    out.push(...clientStoryText(doc.client, (s) => c.bold(s), shortTime));
  }
  out.push('');
  out.push(`${c.bold('Who claimed the anycast IP')}:`);
  if (doc.claims.length === 0) {
    out.push('  nobody in this capture');
  } else {
    const t = new Table({
      head: ['anycast IP', 'MAC', 'anycast MAC?', 'replies', 'gratuitous', 'requests', 'NA', 'first frame'],
      style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    });
    // The anycast MACs first, then the others by how often they claimed: the rows that matter on top.
    const rows = [...doc.claims].sort(
      (a, b) =>
        Number(b.isAnycastMac) - Number(a.isAnycastMac) ||
        b.replies + b.gratuitous + b.requests + b.neighborAdverts - (a.replies + a.gratuitous + a.requests + a.neighborAdverts) ||
        a.firstFrame - b.firstFrame,
    );
    const shown = doc.claims.length > MAX_ROWS_PER_KIND ? rows.slice(0, MAX_ROWS_PER_KIND) : doc.claims;
    for (const cl of shown)
      t.push([cl.ip, cl.mac, cl.isAnycastMac ? 'yes' : c.red('NO'), cl.replies, cl.gratuitous, cl.requests, cl.neighborAdverts, cl.firstFrame]);
    out.push(t.toString());
    if (shown.length < doc.claims.length) out.push(c.dim(`  … and ${doc.claims.length - shown.length} more MACs (--json lists them all)`));
  }
  if (doc.stats.claimsNotTracked !== undefined) {
    out.push(c.dim(`  The table is full (${doc.claims.length} MAC/address pairs): ${doc.stats.claimsNotTracked} claims by further MACs were not counted.`));
  }
  out.push('');
  const s = doc.stats;
  out.push(
    c.dim(
      `Read ${s.frames} frames (${doc.format ?? 'unknown format'}, ${s.bytes} bytes, ${s.durationSeconds.toFixed(3)} s of capture): ARP ${s.layers.arp ?? 0}, ICMP ${s.layers.icmp ?? 0}, ICMPv6 ${s.layers.icmpv6 ?? 0}, TCP ${s.layers.tcp ?? 0}, UDP ${s.layers.udp ?? 0}; ${s.truncated} truncated, ${s.malformed} malformed${s.duplicates > 0 ? `, ${s.duplicates} duplicate copies skipped` : ''}${s.evictions > 0 ? `; ${s.evictions} flows and requests left out of full tables, summed over the detectors (raise --max-flows)` : ''}`,
    ),
  );
  // The input ended early (a cut record, a corrupt one): what is above holds every frame before that point.
  if (doc.error !== null)
    out.push(
      c.yellow(
        opts.cutShort === true
          ? `Stopped at a cut record (a capture still being written, or cut by a full disk); the report holds every frame before it: ${escapeText(doc.error)}`
          : `Stopped early: ${escapeText(doc.error)}`,
      ),
    );
  return out.join('\n');
}

/** The first `max` items, then "+N more <what>": a line stays short however many there are. */
function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}

function verdictLine(doc: AnalysisJson, c: InstanceType<typeof Chalk>): string {
  if (doc.verdict === 'healthy') {
    const addrs = doc.anycast.ipv4.concat(doc.anycast.ipv6).join(', ') || '(MAC only)';
    const between = `${doc.interGateway.reduce((n, p) => n + p.packets, 0)} frames between gateways`;
    // Nothing claimed the anycast address: no MAC answered for it, let alone only the anycast one.
    if (doc.claims.length === 0)
      return `${c.green.bold('HEALTHY')}: no problem seen for anycast ${addrs}, though nothing in these ${doc.stats.frames} frames answered for it; ${between}.`;
    return `${c.green.bold('HEALTHY')}: anycast ${addrs} answered only by the anycast MAC ${doc.anycast.macs.join(', ')}; no wrong-gateway replies; ${between}.`;
  }
  if (doc.verdict === 'unsure') {
    const looks = listed(
      doc.anycast.candidates.map((i) => `${i.ip} (${candidateWords(i)})`),
      2,
      'addresses',
    );
    const what = doc.anycast.candidates.map((i) => (i.missing !== null ? missingText(i.missing) : '')).find((t) => t !== '') ?? '';
    return `${c.yellow.bold('NO VERDICT')}: ${looks} look${doc.anycast.candidates.length === 1 ? 's' : ''} like anycast, but the frames do not settle it, so nothing was judged with it and no gateway is blamed — ${what}.`;
  }
  if (doc.verdict === 'no-anycast') {
    return `${c.yellow.bold('NO ANYCAST FOUND')}: no anycast IP configured and none could be inferred from ${doc.stats.frames} frames. Give --anycast-ip and --anycast-mac (or anycast-probe.json).`;
  }
  return `${c.red.bold('PROBLEMS')}: ${findingsSummary(doc)}.`;
}

/** The problems found, in a phrase: "4 findings on gw1, gw2 — worst: …", or "no finding". */
export function findingsSummary(doc: AnalysisJson): string {
  const problems = doc.findings.filter((f) => f.severity !== 'info');
  const worst = problems[0];
  if (worst === undefined) return 'no finding';
  const gws = [...new Set(problems.map((f) => f.gateway).filter((g): g is string => g !== null))];
  return `${problems.length} finding${problems.length === 1 ? '' : 's'} on ${gws.length > 0 ? listed(gws, 3, 'gateways') : 'the mesh'} — worst: ${worst.kind} on ${worst.gateway ?? 'the mesh'} (${worst.count}×, ${worst.cause.replace(/-/g, ' ')})`;
}

/** What the inference looks for, said where it found nothing. */
const NO_ANYCAST_FOUND =
  'none found (no address answered ARP or neighbor solicitations as an anycast one does — one MAC answering each request several times, or several MACs claiming it with the gateways’ own MACs forwarding — and no DHCP offer or router advertisement named one) — give --anycast-ip and --anycast-mac to judge the capture with them';

/** A candidate's evidence, shortly: who answers for it. */
function candidateWords(i: InferredJson): string {
  const said = i.signals.map(signalText).join('; ');
  return said !== '' ? said : `answered by ${listed(i.claimingMacs, MACS_SHOWN, 'MACs') || 'nobody'}`;
}

function anycastLine(doc: AnalysisJson): string {
  const a = doc.anycast;
  const addrs = a.ipv4.concat(a.ipv6).join(', ');
  if (addrs === '' && a.macs.length === 0) {
    if (a.candidates.length === 0) return NO_ANYCAST_FOUND;
    return `none settled; looking like anycast: ${listed(
      a.candidates.map((i) => `${i.ip} (${candidateWords(i)}; ${i.missing !== null ? missingText(i.missing) : ''})`),
      3,
      'addresses (--json lists them all)',
    )}`;
  }
  const evidence = a.inferred
    .map((i) => `${i.ip}${i.mac !== null ? ` via ${i.mac}` : ''}, first at frame ${i.firstFrame}: ${i.signals.map(signalText).join('; ')}`)
    .join(' | ');
  const src =
    a.source === 'inferred'
      ? `inferred from the capture: ${evidence}`
      : a.inferred.length > 0
        ? `${a.source}; the anycast MAC inferred from the capture: ${evidence}`
        : a.macs.length === 0 && a.ipv4.length > 0
          ? `${a.source}; no anycast MAC given, and none seen answering for it as the gateways' shared MAC would: a MAC answering for it counts as a gateway — give --anycast-mac`
          : a.source;
  const late =
    a.judgedFromFrame !== undefined
      ? `; inferred only by frame ${a.judgedFromFrame - 1}, past the look-back: frames before ${a.judgedFromFrame} were judged without it — give --anycast-ip/--anycast-mac to judge them all`
      : '';
  return `${addrs || 'no anycast IP'} via ${a.macs.join(', ') || 'no anycast MAC'} (${src}${late})`;
}

function findingTable(list: Finding[], opts: TextOptions): Table.Table {
  const t = new Table({
    head: ['gateway', 'MAC', 'count', 'first', 'last', 'sample frames', 'clients'],
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    wordWrap: true,
  });
  for (const f of list) {
    const claimed = f.kind === 'anycast-mac-for-unicast-ip' ? String(f.detail.claimedIp) : undefined;
    if (f.kind === 'unanswered-anycast') {
      const d = f.detail;
      const loss = (lost: number, sent: number): string => `${lost}/${sent} lost (${sent > 0 ? Math.round((100 * lost) / sent) : 0} %)`;
      t.push([
        `client ${d.clientIp === -1 ? d.client : d.clientIp}`,
        String(d.client),
        f.count,
        shortTime(f.first),
        shortTime(f.last),
        f.frames.join(', '),
        [
          `to the anycast IP ${loss(Number(d.toAnycastLost), Number(d.toAnycastSent))}`,
          `forwarded ${loss(Number(d.forwardedLost), Number(d.forwardedSent))}`,
          Number(d.arpSent) > 0 ? `ARP ${loss(Number(d.arpLost), Number(d.arpSent))}` : '',
          Number(d.nsSent) > 0 ? `NS ${loss(Number(d.nsLost), Number(d.nsSent))}` : '',
        ]
          .filter((x) => x !== '')
          .join('; '),
      ]);
      continue;
    }
    if (f.kind === 'ra-inconsistent' || f.kind === 'ra-not-from-anycast') {
      const what = f.kind === 'ra-inconsistent' ? routerAdvertDifferences(f) : clientList(f);
      t.push([routerAdvertSender(f), f.mac ?? '-', f.count, shortTime(f.first), shortTime(f.last), f.frames.join(', '), what]);
      continue;
    }
    if (f.kind === 'moved-connection') {
      t.push([
        `${f.gateway ?? '?'} (moved from ${f.otherGateway ?? '?'})`,
        f.mac ?? '-',
        f.count,
        shortTime(f.first),
        shortTime(f.last),
        f.frames.join(', '),
        movedConnectionText(f),
      ]);
      continue;
    }
    const gw =
      f.otherGateway !== null
        ? `${f.gateway ?? '?'} (request went to ${f.otherGateway})`
        : claimed !== undefined
          ? `${f.gateway ?? 'owner unseen'} (claimed: ${claimed})`
          : f.kind === 'unicast-neighbor-advert'
            ? `${f.gateway ?? '?'} (NA flags: ${neighborAdvertFlags(f)})`
            : f.kind === 'dhcp-router-not-anycast' || f.kind === 'dhcp-dns-not-anycast'
              ? dhcpServerText(f)
              : (f.gateway ?? '?');
    let clients = clientList(f);
    let mac = f.mac ?? '-';
    if (f.kind === 'arp-flip-flop') {
      const d = f.detail;
      mac = `${String(d.macA)} <-> ${String(d.macB)}`;
      const heard = Number(d.everyHostFlips) > 0 ? `; ${String(d.everyHostFlips)} heard by every host` : '';
      const shortest = Number(d.shortestSeconds);
      const apart = shortest < 0.001 ? `${Math.round(shortest * 1e6)} µs` : shortest < 1 ? `${(shortest * 1000).toFixed(1)} ms` : `${shortest.toFixed(1)} s`;
      clients = `${String(d.flips)} flips, shortest ${apart} apart${heard}; ${clients === '-' ? 'no one client' : clients}`;
    } else if (f.kind === 'client-pinned' && Array.isArray(f.detail.clients)) {
      // One client per line: what told it (frame), what it sent to the gateway, whether a later answer released it.
      const lines = f.detail.clients.slice(0, 3).map((p) => {
        const told = p.toldBy === 'before-capture' ? 'before the capture' : `by ${String(p.toldBy)} in frame ${String(p.toldFrame)}`;
        const frames = Number(p.toAnycastFrames) + Number(p.forwardedFrames);
        const released = Number(p.releasedFrame) >= 0 ? `, until frame ${String(p.releasedFrame)}` : ', still at the end';
        return `${p.ip === -1 ? String(p.mac) : String(p.ip)} told ${told}: ${frames} frame${frames === 1 ? '' : 's'}${released}`;
      });
      if (f.clientCount > 3) lines.push(`+${f.clientCount - 3} more`);
      clients = lines.join('\n');
    }
    t.push([gw, mac, f.count, shortTime(f.first), shortTime(f.last), f.frames.join(', '), clients]);
  }
  return t;
}

/** The first moved connection's story: which one, where it moved, and what came after. */
function movedConnectionText(f: Finding): string {
  const d = f.detail;
  const end = (ip: DetailValue | undefined, port: DetailValue | undefined): string => `${ip === -1 ? '(IPv6)' : String(ip)}:${String(port)}`;
  const after = [
    `${String(d.resets)} reset${d.resets === 1 ? '' : 's'}`,
    `${String(d.retransmissions)} sent again`,
    `${String(d.repliesAfterSwitch)} answer${d.repliesAfterSwitch === 1 ? '' : 's'}`,
  ].join(', ');
  const more = f.count > 1 ? `; +${f.count - 1} more connection${f.count === 2 ? '' : 's'}` : '';
  return `${end(d.client, d.clientPort)} → ${end(d.server, d.serverPort)} moved at frame ${String(d.switchFrame)}; then ${after}; ${Number(d.silentSeconds).toFixed(3)} s to its last frame${more}; ${clientList(f)}`;
}

/** Who a finding not tied to one gateway is about, for its "Likely cause" line. */
function unnamedGateway(f: Finding): string {
  if (f.kind === 'unanswered-anycast') return `client ${f.detail.clientIp === -1 ? f.detail.client : f.detail.clientIp}`;
  if (f.kind === 'dhcp-router-not-anycast' || f.kind === 'dhcp-dns-not-anycast') return `DHCP server ${f.detail.serverId === -1 ? f.mac : f.detail.serverId}`;
  if (f.kind === 'ra-inconsistent' || f.kind === 'ra-not-from-anycast') return `router ${f.detail.routerAddress ?? f.detail.router}`;
  return '?';
}

/** The sender column of an RA finding: the gateway if known, the router address clients install, and for a disagreement the first RA's sender. */
function routerAdvertSender(f: Finding): string {
  const d = f.detail;
  if (f.kind === 'ra-not-from-anycast') {
    const lifetime = Number(d.routerLifetime) > 0 ? `default router for ${d.routerLifetime} s` : 'router lifetime 0: prefixes and DNS only';
    return `${f.gateway ?? 'a gateway (anycast MAC)'}: router ${d.routerAddress}, not ${d.expectedRouterAddress} (${lifetime})`;
  }
  const sender = f.gateway ?? `router ${d.router}`;
  if (d.mac === d.referenceMac && d.router === d.referenceRouter)
    return `${sender}, the same sender as the first RA (frame ${d.referenceFrame}): gateways behind one anycast router`;
  return `${sender}; the first RA (frame ${d.referenceFrame}) from ${f.otherGateway ?? `router ${d.referenceRouter}`} [${d.referenceMac}]`;
}

/** The flags of a unicast-neighbor-advert finding's first NA, as tcpdump names them; override tells the cause. */
function neighborAdvertFlags(f: Finding): string {
  const d = f.detail;
  const set = [d.router === 1 ? 'router' : '', d.solicited === 1 ? 'solicited' : '', d.override === 1 ? 'override' : ''].filter((x) => x !== '');
  return `[${set.join(', ') || 'none'}]${d.override === 1 ? '' : ', override clear'}`;
}

/** The clients column: the first three, and how many more. */
function clientList(f: Finding): string {
  return f.clientCount === 0 ? '-' : `${f.clients.slice(0, 3).join(', ')}${f.clientCount > 3 ? ` +${f.clientCount - 3}` : ''}`;
}

/** The last column of an ra-inconsistent finding: what differs from the first RA, both values. */
function routerAdvertDifferences(f: Finding): string {
  const d = f.detail;
  const vs = (what: string, mine: string, first: string): string => `${what} ${mine || 'none'} (first RA: ${first || 'none'})`;
  const mtu = (m: unknown): string => (Number(m) > 0 ? String(m) : '');
  const lifetimes = (valid: unknown, preferred: unknown): string => `valid ${String(valid)} s, preferred ${String(preferred)} s`;
  return String(d.differences)
    .split(',')
    .map((what) => {
      switch (what) {
        case 'router':
          return d.routerLifetime === d.referenceRouterLifetime
            ? 'hop limit or flags (managed/other)'
            : vs('router lifetime', `${d.routerLifetime} s`, `${d.referenceRouterLifetime} s`);
        case 'prefix':
          return vs('prefix', `${d.prefix}${Number(d.prefixCount) > 1 ? ` +${Number(d.prefixCount) - 1}` : ''}`, `${d.referencePrefix}`);
        case 'prefix-lifetimes':
          return vs(`prefix ${d.prefix}`, lifetimes(d.prefixValid!, d.prefixPreferred!), lifetimes(d.referencePrefixValid!, d.referencePrefixPreferred!));
        case 'rdnss':
          return vs('RDNSS', `${d.rdnss}${Number(d.rdnssCount) > 1 ? ` +${Number(d.rdnssCount) - 1}` : ''}`, `${d.referenceRdnss}`);
        case 'mtu':
          return vs('MTU', mtu(d.mtu!), mtu(d.referenceMtu!));
        default:
          return 'other options (a later prefix or DNS server, DNSSL, routes, timers)';
      }
    })
    .join('; ');
}
/** A DHCP finding's gateway cell: who served (gateway, server identifier) and what it handed out. */
function dhcpServerText(f: Finding): string {
  const d = f.detail;
  const server = d.serverId === -1 ? 'no server-id' : `server-id ${d.serverId}`;
  const more = Number(d.offeredCount) > 1 ? ` +${Number(d.offeredCount) - 1} more` : '';
  return `${f.gateway ?? `DHCP server ${f.mac ?? '?'}`} (${server}; offered ${d.offered}${more})`;
}

/** What a gateway answered, for its line in the gateway list: only the kinds it sent. */
function answersText(a: AnalysisJson['gateways'][number]['answers']): string {
  const parts = [a.arp > 0 ? `${a.arp} ARP` : '', a.na > 0 ? `${a.na} NA` : '', a.ra > 0 ? `${a.ra} RA` : '', a.dhcp > 0 ? `${a.dhcp} DHCP` : ''].filter(
    (x) => x !== '',
  );
  return parts.length > 0 ? `; answered ${parts.join(', ')}` : '';
}

/** Width of the report's prose (cause sentences), as man pages and `fmt` keep it. */
const PROSE_WIDTH = 100;

/** Splits `text` at spaces into lines of at most `width` characters (a longer word keeps its own line); the first line has `width`, the rest two less (their indent). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const room = lines.length === 0 ? width : width - 2;
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
