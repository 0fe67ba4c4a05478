import type { Finding } from './findings.js';

/**
 * Conclusions that need more than one detector's evidence, drawn once after
 * every detector has finished: each reads typed evidence and sets the
 * likely cause. No detector edits another's findings; this is the one place
 * where they meet.
 */
export function settleCauses(findings: readonly Finding[]): void {
  settleArpCauses(findings);
}

/**
 * The likely cause of a unicast ARP answer for the anycast IP, from what
 * the real kernel does (test/lab/FINDINGS.md):
 * - the same gateway also sources anycast-IP packets from its unicast MAC
 *   (an `anycast-reply-unicast-mac` finding): the source route is missing
 *   (replies from the anycast IP are routed out of the bridge, and with
 *   arp_filter=1 the bridge then answers ARP);
 * - the anycast MAC also answered the same clients: arp_filter is off
 *   (bridge and macvlan both answer);
 * - only unicast MACs answer: arp_filter is on but the source route is
 *   missing (the kernel answers only through the bridge).
 */
function settleArpCauses(findings: readonly Finding[]): void {
  const sourcesAnycastFromUnicast = new Set<number>();
  for (const f of findings) if (f.evidence.kind === 'anycast-reply-unicast-mac') sourcesAnycastFromUnicast.add(f.gateway);
  for (const f of findings) {
    if (f.evidence.kind !== 'unicast-arp-reply') continue;
    if (sourcesAnycastFromUnicast.has(f.gateway)) f.cause = 'source-route-missing';
    else if (f.evidence.anycastAlsoAnswered > 0) f.cause = 'arp-filter-off';
    else f.cause = 'source-route-missing';
  }
}
