import { formatIpv4, formatIpv6, formatMac } from '../core/address.js';
import { listed } from './listed.js';
import type { InferenceMissing, InferenceSignal, InferredAnycast } from '../detect/inference.js';

/** One inferred anycast address (or candidate) as the JSON document gives it: the address, its MAC and why. */
export interface InferredJson {
  ip: string;
  family: 'ipv4' | 'ipv6';
  /** The anycast MAC; null where no MAC answers for it as a shared one (a candidate, or the anycast MAC never answered). */
  mac: string | null;
  repliesPerRequest: number;
  claimingMacs: string[];
  firstFrame: number;
  /** Decided on answers alone: more frames cannot overturn it. */
  settled: boolean;
  signals: SignalJson[];
  /** For a candidate, what would settle it; null for a decided address. */
  missing: InferenceMissing | null;
}

/** A signal with its MACs written out (InferenceSignal, MACs as text). */
export type SignalJson =
  | { kind: 'several-answers-per-request'; mac: string; most: number }
  | { kind: 'claimed-by-several-macs' | 'others-forward' | 'answered-only-by-gateways'; macs: string[] }
  | { kind: 'clients-route-through'; mac: string; repliesFrom: string[] }
  | { kind: 'dhcp-router' | 'dhcp-dns'; servers: number }
  | { kind: 'ra-rdnss'; mac: string; eui64: boolean }
  | { kind: 'answered-by-anycast-mac'; mac: string };

export function inferredJson(i: InferredAnycast): InferredJson {
  return {
    ip: i.ipv6 !== null ? formatIpv6(i.ipv6) : formatIpv4(i.ipv4),
    family: i.ipv6 !== null ? 'ipv6' : 'ipv4',
    mac: i.decided && i.mac >= 0 ? formatMac(i.mac) : null,
    repliesPerRequest: i.maxRepliesPerRequest,
    claimingMacs: i.claimingMacs.map(formatMac),
    firstFrame: i.firstFrame,
    settled: i.settled,
    signals: i.signals.map(signalJson),
    missing: i.missing,
  };
}

function signalJson(s: InferenceSignal): SignalJson {
  switch (s.kind) {
    case 'several-answers-per-request':
      return { kind: s.kind, mac: formatMac(s.mac), most: s.most };
    case 'claimed-by-several-macs':
    case 'others-forward':
    case 'answered-only-by-gateways':
      return { kind: s.kind, macs: s.macs.map(formatMac) };
    case 'clients-route-through':
      return { kind: s.kind, mac: formatMac(s.mac), repliesFrom: s.repliesFrom.map(formatMac) };
    case 'dhcp-router':
    case 'dhcp-dns':
      return { kind: s.kind, servers: s.servers };
    case 'ra-rdnss':
      return { kind: s.kind, mac: formatMac(s.mac), eui64: s.eui64 };
    case 'answered-by-anycast-mac':
      return { kind: s.kind, mac: formatMac(s.mac) };
  }
}

/** How many MACs a signal names in words; the JSON document lists them all. */
export const MACS_SHOWN = 4;

/** The signal in words, for the text report (MAC lists bounded: a line never grows with the data). */
export function signalText(s: SignalJson): string {
  switch (s.kind) {
    case 'several-answers-per-request':
      return `${s.mac} answered one request ${s.most}× (several gateways share it)`;
    case 'claimed-by-several-macs':
      return `claimed by ${listed(s.macs, MACS_SHOWN, 'MACs')}`;
    case 'others-forward':
      return `${listed(s.macs, MACS_SHOWN, 'MACs')} forward traffic (gateways' own MACs)`;
    case 'answered-only-by-gateways':
      return `answered only by gateways' own MACs ${listed(s.macs, MACS_SHOWN, 'MACs')}: no anycast MAC answered for it`;
    case 'clients-route-through':
      return `clients send off-link traffic to ${s.mac}, the replies come from ${listed(s.repliesFrom, MACS_SHOWN, 'MACs')}`;
    case 'dhcp-router':
      return `${s.servers} DHCP server(s) hand it out as router`;
    case 'dhcp-dns':
      return `${s.servers} DHCP server(s) hand it out as DNS server`;
    case 'ra-rdnss':
      return `router advertisements from ${s.mac} name it as DNS server${s.eui64 ? ' (sent from that MAC’s EUI-64 link-local)' : ''}`;
    case 'answered-by-anycast-mac':
      return `answered by the anycast MAC ${s.mac}`;
  }
}

/** What would settle a candidate, in words. */
export function missingText(m: InferenceMissing): string {
  switch (m) {
    case 'which-mac':
      return 'several MACs answer for it and the frames do not tell which one the gateways share: give --anycast-mac, or capture on the mesh where every gateway’s answers are seen';
    case 'one-answering-mac':
      return 'one MAC answers for it and from this vantage point the frames cannot show that other gateways share it: give --anycast-ip and --anycast-mac, or capture on the mesh or another gateway’s bridge';
  }
}
