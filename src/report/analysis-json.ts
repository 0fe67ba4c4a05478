import type { AnalysisResult } from '../detect/analysis.js';
import type { Finding, FindingKindValue, Severity } from '../detect/findings.js';
import type { FindingEvidence } from '../detect/registry.js';
import type { Gateway } from '../detect/gateways.js';
import type { DecodeStats } from '../decode/stats.js';
import { formatIpv4, formatIpv6, formatMac, linkLocalFromMac } from '../core/address.js';
import { NaFlag } from '../decode/icmpv6.js';
import type { RaContent } from '../detect/ra-inconsistent.js';
import { causeText, evidenceText, fixCommands } from './causes.js';
import { clientStoryJson, type ClientStoryJson } from './client-story.js';
import { gatewayByIndex, gatewayKey, gatewayName } from './names.js';
import { formatIsoTime } from './time.js';
import { inferredJson, type InferredJson } from './inference-json.js';

/** Version of the analysis document; schema/analysis.schema.json describes it. Bump on incompatible change. */
export const ANALYSIS_SCHEMA = 'anycast-probe/analysis/v2';

export interface ReadSummary {
  input: string;
  format: string | undefined;
  duplicates: number;
  error: string | undefined;
  warnings: string[];
  /** Capture clock digits (6 µs, 9 ns) for times. */
  tsDigits: number;
  /** First frame judged with the inferred anycast address (1 or absent: every frame). */
  judgedFromFrame?: number;
}

/** A value in a finding's `detail`: a count, an address, or (pinned clients) a short list of records. */
export type DetailValue = number | string | Record<string, number | string>[];

export interface AnalysisJson {
  schema: string;
  input: string;
  format: string | null;
  verdict: string;
  anycast: {
    source: string;
    ipv4: string[];
    ipv6: string[];
    macs: string[];
    /** The addresses and MACs the inference decided, with why. */
    inferred: InferredJson[];
    /** Addresses that look like anycast ones which the frames do not settle (nothing was judged with them). */
    candidates: InferredJson[];
    /** Present when the anycast address was inferred too late to judge the frames before this one with it. */
    judgedFromFrame?: number;
  };
  gateways: {
    name: string;
    macs: string[];
    ipv4: string[];
    learned: boolean;
    evidence: string;
    evidenceFrame: number;
    /** What its MACs answered: ARP replies, neighbor and router advertisements, DHCP offers and acks. */
    answers: { arp: number; na: number; ra: number; dhcp: number };
  }[];
  findings: {
    kind: FindingKindValue;
    severity: Severity;
    count: number;
    first: string;
    last: string;
    frames: number[];
    gateway: string | null;
    otherGateway: string | null;
    gatewayMac: string | null;
    otherGatewayMac: string | null;
    anycastIp: string | null;
    mac: string | null;
    clients: string[];
    clientCount: number;
    cause: string;
    causeText: string;
    fix: string[];
    detail: Record<string, DetailValue>;
  }[];
  interGateway: {
    from: string;
    to: string;
    packets: number;
    bytes: number;
    share: number;
    peakPerSecond: number;
    ratePerSecond: number;
    first: string;
    last: string;
  }[];
  /** The story of the client named with --client (present only then). */
  client?: ClientStoryJson;
  claims: {
    ip: string;
    mac: string;
    replies: number;
    gratuitous: number;
    requests: number;
    neighborAdverts: number;
    first: string;
    last: string;
    firstFrame: number;
    isAnycastMac: boolean;
  }[];
  stats: {
    frames: number;
    bytes: number;
    duplicates: number;
    evictions: number;
    /** Present when the claims table was full: claim frames it did not count. */
    claimsNotTracked?: number;
    layers: Record<string, number>;
    truncated: number;
    malformed: number;
    unsupportedVersion: number;
    unsupportedLinkType: number;
    first: string | null;
    last: string | null;
    durationSeconds: number;
  };
  warnings: string[];
  error: string | null;
}

export type FindingJson = AnalysisJson['findings'][number];

/** One finding as it appears in the analysis document (and in watch's NDJSON stream). */
export function findingJson(f: Finding, gateways: Gateway[], digits: number): FindingJson {
  const time = (sec: number, nsec: number): string => formatIsoTime(sec, nsec, digits);
  const gwName = (i: number): string | null => (i >= 0 ? gatewayName(gatewayByIndex(gateways, i)) : null);
  return {
    kind: f.kind,
    severity: f.severity,
    count: f.count,
    first: time(f.firstSec, f.firstNsec),
    last: time(f.lastSec, f.lastNsec),
    frames: [...f.frames],
    gateway: gwName(f.gateway),
    otherGateway: gwName(f.otherGateway),
    gatewayMac: gatewayKey(gatewayByIndex(gateways, f.gateway)),
    otherGatewayMac: gatewayKey(gatewayByIndex(gateways, f.otherGateway)),
    anycastIp: f.anycastIpv4 >= 0 ? formatIpv4(f.anycastIpv4) : f.anycastIpv6 !== null ? formatIpv6(f.anycastIpv6) : null,
    mac: f.mac >= 0 ? formatMac(f.mac) : null,
    clients: f.clientMacs.map(formatMac),
    clientCount: f.clientCount,
    cause: f.cause,
    causeText: causeText(f.cause),
    fix: fixCommands(f),
    detail: evidenceDetail(f.evidence, time),
  };
}

/** An IPv4 address in `detail`: dotted, or -1 where there is none (IPv6). */
function ipv4OrNone(ip: number): string | number {
  return ip >= 0 ? formatIpv4(ip) : ip;
}

/** What one RA said, as `detail` keys with a prefix (`reference…` for the first RA seen, none for the finding's own). */
function raContentDetail(c: RaContent, prefix: string): Record<string, number | string> {
  const key = (name: string): string => (prefix === '' ? name : `${prefix}${name[0]!.toUpperCase()}${name.slice(1)}`);
  return {
    [key('mac')]: formatMac(c.mac),
    [key('router')]: formatIpv6(c.router),
    [key('frame')]: c.frame,
    [key('routerLifetime')]: c.routerLifetime,
    [key('prefix')]: c.prefixLength >= 0 ? `${formatIpv6(c.prefix)}/${c.prefixLength}` : '',
    [key('prefixCount')]: c.prefixCount,
    [key('prefixValid')]: c.prefixValid,
    [key('prefixPreferred')]: c.prefixPreferred,
    [key('rdnss')]: c.rdnssCount > 0 ? formatIpv6(c.rdnss) : '',
    [key('rdnssCount')]: c.rdnssCount,
    [key('mtu')]: c.mtu,
  };
}

/** A finding's evidence as the document's `detail` object (schema/analysis.schema.json, per kind). */
export function evidenceDetail(e: FindingEvidence, time: (sec: number, nsec: number) => string): Record<string, DetailValue> {
  switch (e.kind) {
    case 'unicast-arp-reply': {
      const detail: Record<string, number> = {
        replies: e.replies,
        gratuitous: e.gratuitous,
        requests: e.requests,
        anycastAlsoAnswered: e.anycastAlsoAnswered,
        ethernetSourceMismatch: e.ethernetSourceMismatch,
      };
      if (e.broadcast) detail.broadcast = 1;
      return detail;
    }
    case 'anycast-reply-unicast-mac':
      return { protocol: e.protocol };
    case 'unicast-neighbor-advert':
      return {
        router: (e.flags & NaFlag.router) !== 0 ? 1 : 0,
        solicited: (e.flags & NaFlag.solicited) !== 0 ? 1 : 0,
        override: e.override ? 1 : 0,
      };
    case 'ra-not-from-anycast':
      return {
        routerAddress: formatIpv6(e.routerAddress),
        expectedRouterAddress: formatIpv6(linkLocalFromMac(e.anycastMac, new Uint32Array(4))),
        fromAnycastMac: e.fromAnycastMac ? 1 : 0,
        routerLifetime: e.routerLifetime,
      };
    case 'ra-inconsistent':
      return { differences: e.differences.join(','), ...raContentDetail(e.differing, ''), ...raContentDetail(e.reference, 'reference') };
    case 'asymmetric-reply':
      return { exampleClient: ipv4OrNone(e.exampleClient), exampleServer: ipv4OrNone(e.exampleServer) };
    case 'gateway-switch':
      return { client: ipv4OrNone(e.client), server: ipv4OrNone(e.server) };
    case 'moved-connection':
      return {
        client: ipv4OrNone(e.client),
        server: ipv4OrNone(e.server),
        clientPort: e.clientPort,
        serverPort: e.serverPort,
        switchFrame: e.switchFrame,
        resets: e.resets,
        retransmissions: e.retransmissions,
        repliesAfterSwitch: e.repliesAfterSwitch,
        silentSeconds: e.silentSeconds,
      };
    case 'inter-gateway-traffic':
      return { bytes: e.bytes, share: e.share, peakPerSecond: e.peakPerSecond };
    case 'unanswered-anycast':
      return {
        client: formatMac(e.client),
        clientIp: ipv4OrNone(e.clientIpv4),
        toAnycastSent: e.toAnycastSent,
        toAnycastLost: e.toAnycastLost,
        forwardedSent: e.forwardedSent,
        forwardedLost: e.forwardedLost,
        arpSent: e.arpSent,
        arpLost: e.arpLost,
        nsSent: e.nsSent,
        nsLost: e.nsLost,
      };
    case 'arp-flip-flop':
      return {
        macA: formatMac(e.macA),
        macB: formatMac(e.macB),
        flips: e.flips,
        everyHostFlips: e.everyHostFlips,
        shortestSeconds: Number(e.shortestSeconds.toFixed(6)),
        windowSeconds: e.windowSeconds,
      };
    case 'client-pinned':
      return {
        toAnycastFrames: e.toAnycastFrames,
        forwardedFrames: e.forwardedFrames,
        clients: e.clients.map((c) => ({
          mac: formatMac(c.mac),
          ip: ipv4OrNone(c.ipv4),
          toldBy: c.toldBy,
          told: c.toldSec >= 0 ? time(c.toldSec, c.toldNsec) : '',
          toldFrame: c.toldFrame,
          toAnycastFrames: c.toAnycastFrames,
          forwardedFrames: c.forwardedFrames,
          released: c.releasedFrame >= 0 ? time(c.releasedSec, c.releasedNsec) : '',
          releasedFrame: c.releasedFrame,
        })),
      };
    case 'dhcp-router-not-anycast':
    case 'dhcp-dns-not-anycast':
      return {
        serverId: ipv4OrNone(e.serverId),
        offered: formatIpv4(e.offered),
        offeredCount: e.offeredCount,
        offers: e.offers,
        acks: e.acks,
      };
    case 'anycast-mac-for-unicast-ip':
      return {
        claimedIp: e.claimedIpv4 >= 0 ? formatIpv4(e.claimedIpv4) : formatIpv6(e.claimedIpv6!),
        owner: e.owner >= 0 ? formatMac(e.owner) : '',
        replies: e.replies,
        gratuitous: e.gratuitous,
        requests: e.requests,
        neighborAdverts: e.neighborAdverts,
      };
  }
}

export function analysisJson(r: AnalysisResult, stats: DecodeStats, read: ReadSummary): AnalysisJson {
  const digits = read.tsDigits;
  const time = (sec: number, nsec: number): string => formatIsoTime(sec, nsec, digits);
  const anycastMacs = new Set(r.config.anycastMacs);
  const duration = r.lastSec - r.firstSec + (r.lastNsec - r.firstNsec) / 1e9;
  return {
    schema: ANALYSIS_SCHEMA,
    input: read.input,
    format: read.format ?? null,
    verdict: r.verdict,
    anycast: {
      source: r.config.source,
      ipv4: r.config.anycastIpv4.map(formatIpv4),
      ipv6: r.config.anycastIpv6.map(formatIpv6),
      macs: r.config.anycastMacs.map(formatMac),
      inferred: r.inferred.map(inferredJson),
      candidates: r.candidates.map(inferredJson),
      ...(read.judgedFromFrame !== undefined && read.judgedFromFrame > 1 ? { judgedFromFrame: read.judgedFromFrame } : {}),
    },
    gateways: r.gateways.map((g, i) => ({
      name: gatewayName(g),
      macs: g.macs.map(formatMac),
      ipv4: g.ipv4.map(formatIpv4),
      learned: g.learned,
      evidence: evidenceText(g.evidence),
      evidenceFrame: g.evidenceFrame,
      answers: r.gatewayAnswers[i] ?? { arp: 0, na: 0, ra: 0, dhcp: 0 },
    })),
    findings: r.findings.map((f) => findingJson(f, r.gateways, digits)),
    interGateway: r.interGateway.map((p) => ({
      from: gatewayName(r.gateways[p.from]),
      to: gatewayName(r.gateways[p.to]),
      packets: p.packets,
      bytes: p.bytes,
      share: r.totalBytes > 0 ? p.bytes / r.totalBytes : 0,
      peakPerSecond: p.peakPerSecond,
      ratePerSecond: duration > 0 ? p.packets / duration : p.packets,
      first: time(p.firstSec, p.firstNsec),
      last: time(p.lastSec, p.lastNsec),
    })),
    ...(r.client !== null ? { client: clientStoryJson(r.client, r.gateways, r.config, time) } : {}),
    claims: r.claims.map((c) => ({
      ip: c.ipv4 >= 0 ? formatIpv4(c.ipv4) : formatIpv6(r.config.anycastIpv6[c.ipv6Index] ?? new Uint32Array(4)),
      mac: formatMac(c.mac),
      replies: c.replies,
      gratuitous: c.gratuitous,
      requests: c.requests,
      neighborAdverts: c.neighborAdverts,
      first: time(c.firstSec, c.firstNsec),
      last: time(c.lastSec, c.lastNsec),
      firstFrame: c.firstFrame,
      isAnycastMac: anycastMacs.has(c.mac),
    })),
    stats: {
      frames: stats.frames,
      bytes: stats.bytes,
      duplicates: read.duplicates,
      evictions: r.evictions,
      ...(r.claimsNotTracked > 0 ? { claimsNotTracked: r.claimsNotTracked } : {}),
      layers: stats.toRecord(),
      truncated: stats.truncated,
      malformed: stats.malformed,
      unsupportedVersion: stats.unsupportedVersion,
      unsupportedLinkType: stats.unsupportedLinkType,
      first: stats.frames > 0 ? time(r.firstSec, r.firstNsec) : null,
      last: stats.frames > 0 ? time(r.lastSec, r.lastNsec) : null,
      durationSeconds: stats.frames > 0 ? duration : 0,
    },
    warnings: read.warnings,
    error: read.error ?? null,
  };
}
