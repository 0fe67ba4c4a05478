import type { CauseOf, DetectorDefinition, EvidenceOf, SectionOf } from './detector.js';
import { anycastClaims } from './anycast-claims.js';
import { anycastMacForUnicastIp } from './anycast-mac-for-unicast-ip.js';
import { anycastReplyUnicastMac } from './anycast-reply-unicast-mac.js';
import { arpFlipFlop } from './arp-flip-flop.js';
import { asymmetricReply } from './asymmetric-reply.js';
import { clientPinned } from './client-pinned.js';
import { clientStory } from './client-story.js';
import { gatewayAnswers } from './gateway-answers.js';
import { dhcpDnsNotAnycast } from './dhcp-dns-not-anycast.js';
import { dhcpRouterNotAnycast } from './dhcp-router-not-anycast.js';
import { interGatewayTraffic } from './inter-gateway-traffic.js';
import { movedConnection } from './moved-connection.js';
import { raInconsistent } from './ra-inconsistent.js';
import { raNotFromAnycast } from './ra-not-from-anycast.js';
import { unansweredAnycast } from './unanswered-anycast.js';
import { unicastArpReply } from './unicast-arp-reply.js';
import { unicastNeighborAdvert } from './unicast-neighbor-advert.js';

/**
 * Every detector, in the order each frame visits them: a plain array, one
 * line per detector. Order matters only through the gateways they learn
 * (GatewayRegistry numbers gateways as they are first learned, and a
 * detector later in the array already sees a gateway learned on this
 * frame), so a new detector goes at the end unless it must see less.
 */
// biome-ignore format: one line per detector, so adding one is one line.
export const DETECTORS = [
  anycastReplyUnicastMac,
  unicastArpReply,
  unicastNeighborAdvert,
  asymmetricReply,
  interGatewayTraffic,
  anycastClaims,
  anycastMacForUnicastIp,
  raNotFromAnycast,
  raInconsistent,
  dhcpRouterNotAnycast,
  dhcpDnsNotAnycast,
  unansweredAnycast,
  arpFlipFlop,
  clientPinned,
  clientStory,
  gatewayAnswers,
  movedConnection,
] as const;

type AnyDefinition = (typeof DETECTORS)[number];

/** The evidence of every finding kind: one discriminated union (on `kind`), collected from the definitions. */
export type FindingEvidence = EvidenceOf<AnyDefinition>;
/** Every likely cause a finding can name. */
export type FindingCause = CauseOf<AnyDefinition>;

/** One type with the members of every type in the union `U`. */
type Intersection<U> = (U extends unknown ? (part: U) => void : never) extends (all: infer I) => void ? I : never;

/**
 * The fields the detectors add to the analysis result, each from the
 * definition whose `section` fills it: collected here, so a section added
 * to a definition is in AnalysisResult, typed, with nothing else to edit.
 */
export type ReportSections = Intersection<SectionOf<AnyDefinition>>;

/** Every finding kind, in registry order. */
export const FINDING_KINDS: readonly FindingEvidence['kind'][] = DETECTORS.flatMap((d): readonly FindingEvidence['kind'][] => d.kinds);

/** Every cause, in registry order, each once. */
export const FINDING_CAUSES: readonly FindingCause[] = [...new Set(DETECTORS.flatMap((d): readonly FindingCause[] => d.causes))];

/** The definition with this id, or undefined. */
export function detectorById(id: string): DetectorDefinition | undefined {
  return DETECTORS.find((d) => d.id === id);
}

/**
 * The detectors to run, in registry order: those on by default, or only
 * those named in `only` — where an id written "+ID" adds a detector to the
 * default ones instead — minus those in `skip`. Unknown ids are the
 * caller's to report (`unknownDetectorIds`).
 */
export function selectDetectors(only: readonly string[] | undefined, skip: readonly string[] = []): readonly DetectorDefinition[] {
  const added = (only ?? []).filter((id) => id.startsWith('+')).map((id) => id.slice(1));
  const named = (only ?? []).filter((id) => !id.startsWith('+'));
  const chosen = (d: DetectorDefinition): boolean => (named.length > 0 ? named.includes(d.id) : d.onByDefault !== false) || added.includes(d.id);
  return DETECTORS.filter((d) => chosen(d) && !skip.includes(d.id));
}

/** The ids in `ids` that name no detector. */
export function unknownDetectorIds(ids: readonly string[]): string[] {
  return ids.filter((id) => detectorById(id.replace(/^\+/, '')) === undefined);
}
