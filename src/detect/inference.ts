import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { Defaults } from './config.js';

/**
 * Without configuration, find anycast candidates in the capture itself:
 * an IPv4 address whose ARP requests draw several replies (several
 * gateways answer with one shared MAC), or that several MACs claim. For
 * each candidate the anycast MAC is the one that answers several times per
 * request and claims no other address; the evidence goes into the report.
 */
export interface InferredAnycast {
  ipv4: number;
  mac: number;
  /** Evidence in numbers: replies per request from the chosen MAC, MACs claiming the IP, the first frame. */
  maxRepliesPerRequest: number;
  claimingMacs: number[];
  firstFrame: number;
}

interface IpStats {
  /** MAC → replies, max replies to one request, other IPs it claimed. */
  macs: Map<number, { replies: number; maxPerRequest: number; lastRequest: number; inRequest: number }>;
  firstFrame: number;
  /** Capture time of the last request for this IP (any client), and who asked. */
  lastRequestTime: number;
  lastRequester: number;
}

const MAX_TRACKED_IPS = 4096;

export class AnycastInference {
  private readonly ips = new Map<number, IpStats>();
  private readonly ipsPerMac = new Map<number, Set<number>>();

  observe(d: DecodedFrame): void {
    if ((d.layers & Layer.arp) === 0) return;
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4() || a.sha < 0) return;
    if (a.op !== ArpOp.reply && a.op !== ArpOp.request) return;
    let owned = this.ipsPerMac.get(a.sha);
    if (owned === undefined) {
      if (this.ipsPerMac.size >= MAX_TRACKED_IPS) return;
      owned = new Set();
      this.ipsPerMac.set(a.sha, owned);
    }
    if (owned.size < 64) owned.add(a.spa);
    const now = d.tsSec + d.tsNsec / 1e9;
    if (a.op === ArpOp.request) {
      if (a.tpa === a.spa) return; // gratuitous: nobody asked
      const asked = this.stats(a.tpa, d.number);
      if (asked === undefined) return;
      asked.lastRequestTime = now;
      asked.lastRequester = a.sha;
      return;
    }
    const ip = this.stats(a.spa, d.number);
    if (ip === undefined) return;
    let m = ip.macs.get(a.sha);
    if (m === undefined) {
      m = { replies: 0, maxPerRequest: 0, lastRequest: -1, inRequest: 0 };
      ip.macs.set(a.sha, m);
    }
    m.replies++;
    // Count replies from one MAC to one request: the same request is the last one seen from this
    // client, within the reply window. A second request resets the count, so a client asking twice
    // and a host answering twice is not mistaken for two gateways.
    const answersLast = ip.lastRequester === a.tha && now - ip.lastRequestTime <= Defaults.arpReplyWindow;
    if (!answersLast) return;
    if (m.lastRequest === ip.lastRequestTime) m.inRequest++;
    else m.inRequest = 1;
    m.lastRequest = ip.lastRequestTime;
    if (m.inRequest > m.maxPerRequest) m.maxPerRequest = m.inRequest;
  }

  private stats(ipv4: number, frame: number): IpStats | undefined {
    let ip = this.ips.get(ipv4);
    if (ip === undefined) {
      if (this.ips.size >= MAX_TRACKED_IPS) return undefined;
      ip = { macs: new Map(), firstFrame: frame, lastRequestTime: -Infinity, lastRequester: -1 };
      this.ips.set(ipv4, ip);
    }
    return ip;
  }

  result(): InferredAnycast[] {
    const out: InferredAnycast[] = [];
    for (const [ipv4, s] of this.ips) {
      const macs = [...s.macs.entries()].filter(([, m]) => m.replies > 0);
      const multi = macs.some(([, m]) => m.maxPerRequest >= 2);
      if (!multi && macs.length < 2) continue;
      let best = -1;
      let bestScore = -Infinity;
      let bestPer = 0;
      for (const [mac, m] of macs) {
        const others = (this.ipsPerMac.get(mac)?.size ?? 1) - 1;
        const score = (m.maxPerRequest >= 2 ? 2 : 0) + (others === 0 ? 1 : 0) + m.replies / 1e6;
        if (score > bestScore) {
          bestScore = score;
          best = mac;
          bestPer = m.maxPerRequest;
        }
      }
      out.push({ ipv4, mac: best, maxRepliesPerRequest: bestPer, claimingMacs: macs.map(([mac]) => mac), firstFrame: s.firstFrame });
    }
    // An address answered several times per request by one MAC is the strong sign (several gateways
    // share that MAC). Where one exists, addresses that are merely claimed by several MACs are not
    // anycast: in the lab a gateway's macvlan also answers for the gateway's own IP (arp_filter off).
    const strong = out.filter((i) => i.maxRepliesPerRequest >= 2);
    const chosen = strong.length > 0 ? strong : out;
    return chosen.sort((x, y) => x.firstFrame - y.firstFrame);
  }
}
