import type { CaptureClause } from '../core/capture-clause.js';
import type { DecodedFrame } from '../decode/decoded-frame.js';
import { DhcpMessageType } from '../decode/dhcp.js';
import { Layer } from '../decode/layer.js';
import type { DetectContext, Detector } from './detector.js';
import type { FindingOf, Severity } from './findings.js';
import type { FindingCause, FindingEvidence } from './registry.js';

/** What a DHCP server handed out where the anycast IP belongs: the evidence of both DHCP option kinds. */
export interface DhcpOptionEvidence<K extends string> {
  readonly kind: K;
  /** The server identifier (option 54) of the first offending reply, -1 when it sent none. */
  readonly serverId: number;
  /** The first address of the option in the first offending reply, and how many it listed. */
  readonly offered: number;
  readonly offeredCount: number;
  /** Offending replies by message type. */
  offers: number;
  acks: number;
}

/** Which option of a DHCP reply a check reads. */
export type DhcpCheckedOption = 'router' | 'dns';

/** Server MACs told apart in a finding key (its small word is 16 bits); a mesh has a handful of DHCP servers. */
const MAX_SERVERS = 0xffff;

/**
 * The check behind `dhcp-router-not-anycast` and `dhcp-dns-not-anycast`: a
 * DHCP OFFER or ACK whose router (or DNS) option is not the anycast IPv4
 * address, or lists several addresses. On an anycast mesh every gateway's
 * DHCP server must name the anycast IP there (`option routers 10.172.0.10`);
 * a server that names its gateway's own address pins its clients to that
 * gateway, and they lose their router when it goes down.
 *
 * One finding per server: its Ethernet source and server identifier (two
 * gateways answering from the same anycast MAC stay apart by their server
 * identifier). A unicast MAC that sends offers or acks is learned as a
 * gateway, healthy or not: on the mesh each gateway serves its own clients. A reply without the option is not judged (no router is a
 * different fault). Without an anycast IPv4 address — not configured and
 * not inferred yet — nothing can be judged and nothing is raised; the
 * one-pass analysis (pipeline/one-pass.ts) shows the frames again once the
 * address is inferred.
 */
export class DhcpOptionCheck<E extends DhcpOptionEvidence<FindingEvidence['kind']> & FindingEvidence> implements Detector {
  /**
   * Server MAC → its small number in the finding key. A Map with a 48-bit key
   * boxes it on every lookup, which the per-frame paths avoid (PairIndex);
   * here it runs only for offers and acks that are already findings.
   */
  private readonly servers = new Map<number, number>();
  /** The findings raised, to name their gateway at the end. */
  private readonly raised: number[] = [];

  constructor(
    private readonly kind: E['kind'],
    private readonly option: DhcpCheckedOption,
    private readonly severity: Severity,
    private readonly cause: FindingCause,
  ) {}

  observe(d: DecodedFrame, ctx: DetectContext): void {
    const h = d.dhcp;
    if (h.messageType !== DhcpMessageType.offer && h.messageType !== DhcpMessageType.ack) return;
    if (!ctx.anycast.hasIpv4) return;
    // Each gateway of the recipe runs the DHCP server of its clients: a unicast MAC sending offers is one (FIELD.md).
    if (d.l2Src >= 0) ctx.gateways.learn(d.l2Src, 'dhcp-server', d.number);
    const first = this.option === 'router' ? h.router : h.dns;
    const count = this.option === 'router' ? h.routerCount : h.dnsCount;
    if (count === 0 || (count === 1 && ctx.anycast.isAnycastIpv4(first))) return;
    const server = this.serverNumber(d.l2Src);
    const id = ctx.findings.find(this.kind, server, h.serverId | 0);
    const f = id >= 0 ? ctx.findings.count<E>(id, d) : this.add(d, ctx, server, first, count);
    if (h.messageType === DhcpMessageType.offer) f.evidence.offers++;
    else f.evidence.acks++;
    ctx.findings.addClient(f, h.chaddr);
  }

  private serverNumber(mac: number): number {
    let n = this.servers.get(mac);
    if (n === undefined) {
      n = Math.min(this.servers.size, MAX_SERVERS);
      this.servers.set(mac, n);
    }
    return n;
  }

  private add(d: DecodedFrame, ctx: DetectContext, server: number, first: number, count: number): FindingOf<E> {
    const serverId = d.dhcp.serverId;
    // The one evidence shape of both kinds; `E` names which kind this check raises.
    const evidence = { kind: this.kind, serverId, offered: first, offeredCount: count, offers: 0, acks: 0 } as E;
    const id = ctx.findings.add<E>(server, serverId | 0, d, {
      kind: this.kind,
      severity: this.severity,
      cause: this.cause,
      gateway: ctx.gateways.indexOf(d.l2Src),
      otherGateway: -1,
      anycastIpv4: ctx.anycast.ipv4List()[0] ?? -1,
      anycastIpv6: null,
      mac: d.l2Src,
      evidence,
    });
    this.raised.push(id);
    return ctx.findings.get<E>(id);
  }

  /** Names the gateway of each finding by what is known at the end: its MAC, else its server identifier as a gateway's address. */
  finish(ctx: DetectContext): void {
    for (const id of this.raised) {
      const f = ctx.findings.get<E>(id);
      if (f.gateway < 0) f.gateway = ctx.gateways.indexOf(f.mac);
      const serverId = f.evidence.serverId;
      if (f.gateway >= 0 || serverId < 0) continue;
      const configured = ctx.gateways.list.find((g) => g.ipv4.includes(serverId));
      f.gateway = configured?.index ?? ctx.gateways.indexOf(ctx.gateways.ownerOf(serverId));
    }
  }
}

/** Every DHCP check reads only frames whose DHCP layer decoded. */
export const DHCP_NEEDS = Layer.dhcp;

/** Live, the DHCP ports: offers and acks are a few frames per client and lease. */
export const DHCP_CAPTURE: readonly CaptureClause[] = ['dhcp'];

/** Where gateways answer from the anycast MAC, one finding per DHCP server (its identifier). */
export function dhcpServerKey(f: FindingOf<DhcpOptionEvidence<string>>): string {
  return String(f.evidence.serverId);
}
