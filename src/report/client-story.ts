import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import type { ClientStory } from '../detect/client-story.js';
import type { AnycastConfig } from '../detect/config.js';
import type { Gateway } from '../detect/gateways.js';
import type { TellingValue } from '../detect/neighbor-cache.js';
import { gatewayName } from './names.js';

/** How a telling reads in the story. */
const HOW: Record<TellingValue, string> = { 1: 'an ARP reply', 2: 'a gratuitous ARP', 3: "a gateway's own ARP request", 4: 'a neighbor advertisement' };

export interface ClientStoryJson {
  mac: string | null;
  ip: string | null;
  framesFrom: number;
  framesTo: number;
  echo: {
    sent: number;
    answered: number;
    lossPercent: number;
    rttMs: { min: number; avg: number; max: number } | null;
    answeredBy: { mac: string; who: string; replies: number }[];
  };
  sentTo: { mac: string; who: string; frames: number }[];
  events: { time: string; frame: number; text: string }[];
  eventsNotKept: number;
}

const ms = (s: number): number => Math.round(s * 1e6) / 1e3;

/**
 * The client's story as the document carries it: counts, who answered,
 * and each event as one line of words (the story is for people; the
 * numbers they need are in the line).
 */
export function clientStoryJson(
  s: ClientStory,
  gateways: readonly Gateway[],
  config: AnycastConfig,
  time: (sec: number, nsec: number) => string,
): ClientStoryJson {
  const who = (mac: number): string => {
    if (config.anycastMacs.includes(mac)) return 'the anycast MAC';
    const gw = gateways.find((g) => g.macs.includes(mac));
    return gw === undefined ? 'not a known gateway' : `gateway ${gatewayName(gw)}`;
  };
  const macWho = (mac: number): string => `${formatMac(mac)} (${who(mac)})`;
  const events = s.events.map((e) => {
    let text: string;
    switch (e.type) {
      case 'learned':
        text = `learned ${e.address >= 0 ? formatIpv4(e.address) : formatIpv6(config.anycastIpv6[e.ipv6Index] ?? [0, 0, 0, 0])} is at ${macWho(e.mac)}, from ${HOW[e.how]}`;
        break;
      case 'echo':
        text = `ping ${formatIpv4(e.dst)} seq ${e.seq} sent to ${macWho(e.toMac)}: ${e.rttSeconds < 0 ? 'NO REPLY' : `reply from ${macWho(e.replyMac)} in ${ms(e.rttSeconds)} ms`}`;
        break;
      case 'flow-moved':
        text = `${e.protocol === 6 ? 'TCP' : 'UDP'} flow with ${formatIpv4(e.server)}:${e.serverPort} now answered from ${macWho(e.toMac)}, before from ${macWho(e.fromMac)}`;
        break;
    }
    return { time: time(e.sec, e.nsec), frame: e.frame, text };
  });
  return {
    mac: s.mac >= 0 ? formatMac(s.mac) : null,
    ip: s.ipv4 >= 0 ? formatIpv4(s.ipv4) : null,
    framesFrom: s.framesFrom,
    framesTo: s.framesTo,
    echo: {
      sent: s.echoSent,
      answered: s.echoAnswered,
      lossPercent: s.echoSent > 0 ? Math.round((100 * (s.echoSent - s.echoAnswered)) / s.echoSent) : 0,
      rttMs: s.echoAnswered > 0 ? { min: ms(s.rttMin), avg: ms(s.rttSum / s.echoAnswered), max: ms(s.rttMax) } : null,
      answeredBy: s.echoAnsweredBy.map((a) => ({ mac: formatMac(a.mac), who: who(a.mac), replies: a.replies })),
    },
    sentTo: s.sentTo.map((x) => ({ mac: formatMac(x.mac), who: who(x.mac), frames: x.frames })),
    events,
    eventsNotKept: s.eventsNotKept,
  };
}

/** The story as text: who the client is, its pings, where its frames went, then the events in capture order. */
export function clientStoryText(j: ClientStoryJson, bold: (s: string) => string, timeOf: (iso: string) => string): string[] {
  const out: string[] = [];
  const name = j.ip !== null && j.mac !== null ? `${j.ip} (${j.mac})` : (j.ip ?? j.mac ?? '?');
  out.push(`${bold(`Client ${name}`)}: ${j.framesFrom} frames sent, ${j.framesTo} received`);
  if (j.framesFrom + j.framesTo === 0) out.push('  not seen in this capture');
  const e = j.echo;
  if (e.sent > 0) {
    const rtt = e.rttMs === null ? '' : `, round trip ${e.rttMs.min}/${e.rttMs.avg}/${e.rttMs.max} ms`;
    const by = e.answeredBy.map((a) => `${a.mac} (${a.who}) ×${a.replies}`).join(', ');
    out.push(`  Pings: ${e.sent} sent, ${e.answered} answered (${e.lossPercent} % loss)${rtt}${by === '' ? '' : `; answered by ${by}`}`);
  }
  if (j.sentTo.length > 0) out.push(`  Sent to: ${j.sentTo.map((x) => `${x.mac} (${x.who}) ${x.frames}`).join(', ')}`);
  if (j.events.length > 0) {
    out.push('  What happened:');
    for (const ev of j.events) out.push(`    ${timeOf(ev.time)}  frame ${ev.frame}  ${ev.text}`);
    if (j.eventsNotKept > 0) out.push(`    … and ${j.eventsNotKept} more events (the first ${j.events.length} are kept)`);
  }
  return out;
}
