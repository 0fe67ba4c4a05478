import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { BROADCAST_MAC } from '../decode/read.js';
import { Defaults } from './config.js';
import type { DetectContext, Detector } from './detector.js';
import { Cause, FindingKind } from './findings.js';
import { ClientTimes } from './client-times.js';
import { RecentReplies } from './recent-replies.js';

const KIND_INDEX = 1;

/**
 * `unicast-arp-reply`: an ARP packet whose sender IP is an anycast IP but
 * whose sender MAC or Ethernet source is not the anycast MAC — a reply, a
 * gratuitous ARP, or a request the gateway sends itself. Clients that
 * believe it are pinned to that one gateway.
 *
 * For the cause it keeps, per finding, how often the anycast MAC answered
 * the same client within the reply window: with arp_filter off the gateway
 * answers twice (bridge and macvlan); with the source route missing only
 * the bridge answers (settled in analysis.ts, which also sees whether the
 * gateway sources anycast-IP traffic from its unicast MAC).
 */
export class UnicastArpReplyDetector implements Detector {
  readonly id = FindingKind.unicastArpReply;
  readonly description = 'ARP for an anycast IP answered or announced with a unicast (non-anycast) MAC';
  readonly docs = 'README.md#unicast-arp-reply';
  /** client MAC → capture time of the last anycast-MAC ARP reply it received. */
  private readonly lastAnycastReply = new ClientTimes();
  /** client MAC → the recent unicast replies it received (time, finding), to credit a later anycast reply to each. */
  private readonly recentUnicastReplies = new RecentReplies(Defaults.arpReplyWindow);

  observe(d: DecodedFrame, ctx: DetectContext): void {
    if ((d.layers & Layer.arp) === 0) return;
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4()) return;
    if (!ctx.anycast.isAnycastIpv4(a.spa)) {
      if (a.op === ArpOp.request || a.op === ArpOp.reply) ctx.gateways.noteIpClaim(a.spa, a.sha);
      return;
    }
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
          if (recent.live(e)) {
            const detail = ctx.findings.get(recent.findingOf(e)).detail;
            detail['anycastAlsoAnswered'] = Number(detail['anycastAlsoAnswered'] ?? 0) + 1;
          }
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
    let id = ctx.findings.find(KIND_INDEX, gw + 1, a.spa | 0);
    if (id >= 0) ctx.findings.count(id, d);
    else id = this.add(d, ctx, gw, mac);
    const f = ctx.findings.get(id);
    if (!shaAnycast && d.l2Src >= 0 && d.l2Src !== a.sha) f.detail['ethernetSourceMismatch'] = Number(f.detail['ethernetSourceMismatch']) + 1;
    if (a.op === ArpOp.reply) {
      f.detail['replies'] = Number(f.detail['replies']) + 1;
      if (client >= 0) {
        ctx.findings.addClient(f, client);
        if (this.lastAnycastReply.within(client, Defaults.arpReplyWindow)) f.detail['anycastAlsoAnswered'] = Number(f.detail['anycastAlsoAnswered']) + 1;
        this.recentUnicastReplies.add(client, id);
        if (this.recentUnicastReplies.size > ctx.config.maxFlows) this.recentUnicastReplies.clear();
      }
    } else if (a.tpa === a.spa) {
      f.detail['gratuitous'] = Number(f.detail['gratuitous']) + 1;
      if (d.l2Dst === BROADCAST_MAC) f.detail['broadcast'] = 1;
    } else {
      // A request the gateway sends "tell <anycast IP>": every host that hears it learns the unicast MAC.
      f.detail['requests'] = Number(f.detail['requests']) + 1;
    }
  }

  /** A new finding for this frame's anycast IP and gateway (counted); its id. */
  private add(d: DecodedFrame, ctx: DetectContext, gw: number, mac: number): number {
    return ctx.findings.add(KIND_INDEX, gw + 1, d.arp.spa | 0, d, {
      kind: FindingKind.unicastArpReply,
      severity: 'error',
      cause: Cause.arpFilterOff,
      gateway: gw,
      otherGateway: -1,
      anycastIpv4: d.arp.spa,
      anycastIpv6: null,
      mac,
      detail: { replies: 0, gratuitous: 0, requests: 0, anycastAlsoAnswered: 0, ethernetSourceMismatch: 0 },
    });
  }

  finish(): void {
    // Causes are settled across detectors in analysis.ts.
  }
}
