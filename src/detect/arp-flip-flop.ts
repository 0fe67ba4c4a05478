import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ANYCAST_MAC } from './gateways.js';
import type { DetectContext, Detector, DetectorDefinition } from './detector.js';
import { AnycastTelling, EVERY_HOST, NeighborCacheModel } from './neighbor-cache.js';

const KIND = 'arp-flip-flop';

/** An anycast address whose MAC went back and forth in hosts' caches. */
export interface ArpFlipFlopEvidence {
  readonly kind: typeof KIND;
  /** The two MACs it alternated between: the anycast MAC first when it is one of them. */
  readonly macA: number;
  readonly macB: number;
  /** Changes back to the MAC held before, each within the window of the change before it, summed over hosts. */
  flips: number;
  /** Of those, what every host heard (broadcast gratuitous ARP, a gateway's own requests, multicast NAs). */
  everyHostFlips: number;
  /** Shortest time (s) between a change and the change back. */
  shortestSeconds: number;
  readonly windowSeconds: number;
}

export type ArpFlipFlopCause = 'anycast-and-unicast-answer' | 'unicast-gateways-answer';

/** The finding key's part for one side of the pair: 0 for the anycast MAC, gateway index + 1, or 127 (not a gateway). */
function sideKey(role: number): number {
  return role === ANYCAST_MAC ? 0 : role >= 0 && role < 126 ? role + 1 : 127;
}

/**
 * `arp-flip-flop`: the MAC an anycast address resolves to changes and
 * changes back within the flip-flop window (config.flipFlopWindow, 60 s by
 * default), in one host's cache or in what every host hears — anycast MAC ↔
 * a gateway's unicast MAC, or between two gateways' unicast MACs. The caches
 * are modelled on the kernel's rules (neighbor-cache.ts): the two answers of
 * one request (bridge and macvlan with arp_filter off) are one learning, not
 * a flip; only a later answer that wins counts. Several gateways answering
 * with the anycast MAC change nothing and raise nothing. One finding per
 * anycast address and pair of MACs, counting flips.
 */
export class ArpFlipFlopDetector implements Detector {
  private readonly telling = new AnycastTelling();
  private caches: NeighborCacheModel | undefined;

  observe(d: DecodedFrame, ctx: DetectContext): void {
    const t = this.telling;
    if (!t.read(d, ctx)) return;
    this.caches ??= new NeighborCacheModel(ctx.config.maxFlows);
    const caches = this.caches;
    const e = caches.apply(t, d, ctx.now);
    if (e < 0 || !caches.changed || !caches.returned || caches.sinceLastChange > ctx.config.flipFlopWindow) return;
    const gateways = ctx.gateways;
    const now = caches.current[e]!;
    const before = caches.previous[e]!;
    // A MAC that claims an anycast address and is not the anycast MAC is a gateway's.
    if (!gateways.isAnycastMac(now)) gateways.learn(now, 'claimed-anycast-ip', d.number);
    if (!gateways.isAnycastMac(before)) gateways.learn(before, 'claimed-anycast-ip', d.number);
    const roleNow = gateways.role(now);
    const roleBefore = gateways.role(before);
    // The pair in one order whichever way it flipped: the anycast MAC first, else the lower MAC.
    const nowFirst = roleNow === ANYCAST_MAC || (roleBefore !== ANYCAST_MAC && now < before);
    const macA = nowFirst ? now : before;
    const macB = nowFirst ? before : now;
    const roleA = nowFirst ? roleNow : roleBefore;
    const roleB = nowFirst ? roleBefore : roleNow;
    const a = (sideKey(roleA) * 128 + sideKey(roleB)) | (t.ipv4 >= 0 ? 0 : 0x4000);
    const b = t.ipv4 >= 0 ? t.ipv4 | 0 : t.ipv6Index;
    let id = ctx.findings.find(KIND, a, b);
    if (id >= 0) ctx.findings.count(id, d);
    else id = this.add(d, ctx, a, b, macA, macB, roleA, roleB);
    const f = ctx.findings.get<ArpFlipFlopEvidence>(id);
    f.evidence.flips++;
    if (t.listener === EVERY_HOST) f.evidence.everyHostFlips++;
    else ctx.findings.addClient(f, t.listener);
    if (caches.sinceLastChange < f.evidence.shortestSeconds) f.evidence.shortestSeconds = caches.sinceLastChange;
  }

  private add(d: DecodedFrame, ctx: DetectContext, a: number, b: number, macA: number, macB: number, roleA: number, roleB: number): number {
    const t = this.telling;
    const anycastSide = roleA === ANYCAST_MAC;
    return ctx.findings.add<ArpFlipFlopEvidence>(a, b, d, {
      kind: KIND,
      severity: 'warning',
      cause: anycastSide ? 'anycast-and-unicast-answer' : 'unicast-gateways-answer',
      gateway: anycastSide ? roleB : roleA,
      otherGateway: anycastSide ? -1 : roleB,
      anycastIpv4: t.ipv4,
      anycastIpv6: t.ipv4 >= 0 ? null : ctx.anycast.v6[t.ipv6Index]!,
      mac: anycastSide ? macB : macA,
      evidence: { kind: KIND, macA, macB, flips: 0, everyHostFlips: 0, shortestSeconds: Number.POSITIVE_INFINITY, windowSeconds: ctx.config.flipFlopWindow },
    });
  }

  /** (listener, address) pairs not followed because the table was full. */
  get notTracked(): number {
    return this.caches?.notTracked ?? 0;
  }

  finish(): void {}
}

export const arpFlipFlop: DetectorDefinition<ArpFlipFlopEvidence, ArpFlipFlopCause, ArpFlipFlopDetector> = {
  id: KIND,
  title: 'The MAC an anycast IP resolves to changes back and forth (ARP/NDP): intermittent loss',
  docs: 'README.md#arp-flip-flop',
  kinds: [KIND],
  causes: ['anycast-and-unicast-answer', 'unicast-gateways-answer'],
  needs: Layer.arp | Layer.icmpv6,
  capture: ['arp', 'icmp6'],
  create: () => new ArpFlipFlopDetector(),
  // One finding per pair of MACs flipped between.
  problemKey: (f) => `${f.evidence.macA}-${f.evidence.macB}`,
};
