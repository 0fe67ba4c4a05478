import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { BROADCAST_MAC } from '../decode/read.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { ClientTimes } from './client-times.js';
import { RecentReplies } from './recent-replies.js';

const KIND = 'unicast-arp-reply';

/** How a gateway's unicast MAC claimed the anycast IP, frame by frame. */
export interface UnicastArpReplyEvidence {
  readonly kind: typeof KIND;
  /** ARP replies with the unicast MAC. */
  replies: number;
  /** Gratuitous ARPs (sender IP = target IP) announcing it. */
  gratuitous: number;
  /** Requests the gateway sent itself with the anycast IP as sender: every host that hears one learns the unicast MAC. */
  requests: number;
  /** Unicast replies the anycast MAC also answered (the same client, within the reply window): arp_filter off. */
  anycastAlsoAnswered: number;
  /** Frames whose Ethernet source differs from the ARP sender MAC. */
  ethernetSourceMismatch: number;
  /** A gratuitous ARP went to the broadcast address. */
  broadcast: boolean;
}

export type UnicastArpReplyCause = 'arp-filter-off' | 'source-route-missing';

/**
 * `unicast-arp-reply`: an ARP packet whose sender IP is an anycast IP but
 * whose sender MAC or Ethernet source is not the anycast MAC — a reply, a
 * gratuitous ARP, or a request the gateway sends itself. Clients that
 * believe it are pinned to that one gateway.
 *
 * For the cause it keeps, per finding, how often the anycast MAC answered
 * the same client within the reply window: with arp_filter off the gateway
 * answers twice (bridge and macvlan); with the source route missing only
 * the bridge answers (settled by the policy step, policy.ts, which also
 * sees whether the gateway sources anycast-IP traffic from its unicast MAC).
 */
export class UnicastArpReplyDetector implements Detector {
  /** client MAC → capture time of the last anycast-MAC ARP reply it received. */
  private readonly lastAnycastReply = new ClientTimes();
  /** client MAC → the recent unicast replies it received (time, finding), to credit a later anycast reply to each. */
  private readonly recentUnicastReplies = new RecentReplies(Defaults.arpReplyWindow);

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.arp) === 0) return;
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4()) return;
    if (!ctx.anycast.isAnycastIpv4(a.spa)) return;
    const gateways = ctx.gateways;
    // Time is set on the tables rather than passed: see ClientTimes.now.
    this.lastAnycastReply.now = ctx.now;
    this.recentUnicastReplies.now = ctx.now;
    const client = a.op === ArpOp.reply ? (a.tha >= 0 && a.tha !== 0 ? a.tha : d.l2Dst) : -1;
    const shaAnycast = gateways.isAnycastMac(a.sha);
    const srcAnycast = d.l2Src < 0 || gateways.isAnycastMac(d.l2Src);
    if (shaAnycast && srcAnycast) {
      if (a.op === ArpOp.reply && client >= 0) {
        this.lastAnycastReply.touch(client);
        const recent = this.recentUnicastReplies;
        for (let e = recent.first(client); e >= 0; e = recent.nextOf(e)) {
          if (recent.live(e)) ctx.findings.get<UnicastArpReplyEvidence>(recent.findingOf(e)).evidence.anycastAlsoAnswered++;
        }
      }
      if (this.lastAnycastReply.size > ctx.config.maxFlows) this.lastAnycastReply.clear();
      return;
    }
    // Blame the unicast MAC: the ARP sender MAC, or the Ethernet source when only that one is wrong.
    const mac = shaAnycast ? d.l2Src : a.sha;
    const gw = gateways.learn(mac, 'claimed-anycast-ip', d.number);
    // Look the finding up first and build it only when new (in its own method, so this one
    // allocates no closure context per frame).
    let id = ctx.findings.find(KIND, gw + 1, a.spa | 0);
    if (id >= 0) ctx.findings.count(id, d);
    else id = this.add(d, ctx, gw, mac);
    const f = ctx.findings.get<UnicastArpReplyEvidence>(id);
    const e = f.evidence;
    if (!shaAnycast && d.l2Src >= 0 && d.l2Src !== a.sha) e.ethernetSourceMismatch++;
    if (a.op === ArpOp.reply) {
      e.replies++;
      if (client >= 0) {
        ctx.findings.addClient(f, client);
        if (this.lastAnycastReply.within(client, Defaults.arpReplyWindow)) e.anycastAlsoAnswered++;
        this.recentUnicastReplies.add(client, id);
        if (this.recentUnicastReplies.size > ctx.config.maxFlows) this.recentUnicastReplies.clear();
      }
    } else if (a.tpa === a.spa) {
      e.gratuitous++;
      if (d.l2Dst === BROADCAST_MAC) e.broadcast = true;
    } else {
      // A request the gateway sends "tell <anycast IP>": every host that hears it learns the unicast MAC.
      e.requests++;
    }
  }

  /** A new finding for this frame's anycast IP and gateway (counted); its id. */
  private add(d: DecodedFrame, ctx: DetectContext, gw: number, mac: number): number {
    return ctx.findings.add<UnicastArpReplyEvidence>(gw + 1, d.arp.spa | 0, d, {
      kind: KIND,
      severity: 'error',
      cause: 'arp-filter-off',
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: d.arp.spa,
      anycastIpv6: null,
      mac,
      evidence: { kind: KIND, replies: 0, gratuitous: 0, requests: 0, anycastAlsoAnswered: 0, ethernetSourceMismatch: 0, broadcast: false },
    });
  }

  finish(): void {
    // Causes are settled across detectors by the policy step (policy.ts).
  }
}

export const unicastArpReply: DetectorDefinition<UnicastArpReplyEvidence, UnicastArpReplyCause, UnicastArpReplyDetector> = {
  id: KIND,
  title: 'ARP for an anycast IP answered or announced with a unicast (non-anycast) MAC',
  docs: 'README.md#unicast-arp-reply',
  kinds: [KIND],
  causes: ['arp-filter-off', 'source-route-missing'],
  needs: Layer.arp,
  capture: ['arp'],
  create: () => new UnicastArpReplyDetector(),
};
