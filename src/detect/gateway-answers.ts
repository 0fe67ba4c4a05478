import { ArpOp } from '../decode/arp.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { DhcpMessageType } from '../decode/dhcp.js';
import { Icmpv6Type } from '../decode/icmpv6.js';
import { Layer } from '../decode/layer.js';
import { highWord } from '../decode/read.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import type { Gateway } from './gateways.js';
import { PairIndex } from './pair-index.js';

/** The answers one MAC sent that tell what it serves: ARP replies, neighbor and router advertisements, DHCP offers and acks. */
export interface MacAnswers {
  mac: number;
  arp: number;
  na: number;
  ra: number;
  dhcp: number;
}

/** The report's answers per gateway (its gateway list). */
export interface GatewayAnswersSection {
  /** Per gateway (same order as the gateways), the ARP/NA/RA/DHCP answers its MACs sent. */
  gatewayAnswers: Omit<MacAnswers, 'mac'>[];
}

/** MACs followed; answers of more are counted in `notTracked`. */
const MAX_MACS = 4096;

/**
 * `gateway-answers`: not a judgement — for the report's gateway list, how
 * many ARP replies, NAs, RAs and DHCP offers/acks each MAC sent. Counted
 * for every sender (a MAC may be learned as a gateway only later); the
 * report shows the gateways'.
 */
export class GatewayAnswersTracker implements Detector {
  private readonly index = new PairIndex();
  private readonly list: MacAnswers[] = [];
  notTracked = 0;

  observe(d: DecodedFrame, _ctx: DetectContext): void {
    let mac = d.l2Src;
    let kind: 'arp' | 'na' | 'ra' | 'dhcp';
    if ((d.layers & Layer.arp) !== 0) {
      if (d.arp.op !== ArpOp.reply) return;
      if (d.arp.sha >= 0) mac = d.arp.sha;
      kind = 'arp';
    } else if ((d.layers & Layer.dhcp) !== 0) {
      const t = d.dhcp.messageType;
      if (t !== DhcpMessageType.offer && t !== DhcpMessageType.ack) return;
      kind = 'dhcp';
    } else if ((d.layers & Layer.icmpv6) !== 0) {
      const t = d.icmpv6.type;
      if (t === Icmpv6Type.neighborAdvert) kind = 'na';
      else if (t === Icmpv6Type.routerAdvert) kind = 'ra';
      else return;
    } else {
      return;
    }
    if (mac < 0) return;
    let e = this.index.get(highWord(mac), mac | 0);
    if (e < 0) {
      if (this.list.length >= MAX_MACS) {
        this.notTracked++;
        return;
      }
      e = this.list.length;
      this.index.set(highWord(mac), mac | 0, e);
      this.list.push({ mac, arp: 0, na: 0, ra: 0, dhcp: 0 });
    }
    this.list[e]![kind]++;
  }

  /** The answers `mac` sent, or undefined when it sent none. */
  of(mac: number): MacAnswers | undefined {
    const e = this.index.get(highWord(mac), mac | 0);
    return e < 0 ? undefined : this.list[e];
  }

  /** The answers of each gateway's MACs, summed (none for a gateway whose MACs sent none, or when not counted). */
  perGateway(gateways: readonly Gateway[]): Omit<MacAnswers, 'mac'>[] {
    return gateways.map((g) => {
      const sum = { arp: 0, na: 0, ra: 0, dhcp: 0 };
      for (const mac of g.macs) {
        const a = this.of(mac);
        if (a === undefined) continue;
        sum.arp += a.arp;
        sum.na += a.na;
        sum.ra += a.ra;
        sum.dhcp += a.dhcp;
      }
      return sum;
    });
  }

  finish(): void {}
}

export const gatewayAnswers: DetectorDefinition<never, never, GatewayAnswersTracker, GatewayAnswersSection> = {
  id: 'gateway-answers',
  title: 'The gateway list: how many ARP, NA, RA and DHCP answers each gateway sent',
  docs: 'README.md#gateways-seen',
  kinds: [],
  causes: [],
  needs: Layer.arp | Layer.icmpv6 | Layer.dhcp,
  capture: ['arp', 'icmp6', 'dhcp'],
  create: () => new GatewayAnswersTracker(),
  section: {
    of: (d, ctx) => ({ gatewayAnswers: d.perGateway(ctx.gateways.list) }),
    absent: (ctx) => ({ gatewayAnswers: ctx.gateways.list.map(() => ({ arp: 0, na: 0, ra: 0, dhcp: 0 })) }),
  },
};
