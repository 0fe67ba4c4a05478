import { type AddressTally, type AnycastEvidence, Family, type FamilyValue, type MacTally } from './inference-evidence.js';

/**
 * Which addresses are the anycast ones, and behind which MAC, decided from
 * the evidence (inference-evidence.ts) by explicit rules, each of which
 * leaves its signal in the result so the report can say why. Where the
 * frames cannot tell, the address is a candidate, not an answer: nothing is
 * judged with a guess.
 *
 * The rules, strongest first, for an address X:
 *  1. one MAC answers one request for X several times: several gateways
 *     share that MAC — the anycast MAC (ARP or NDP);
 *  2. X is answered by several MACs; all but one of them forward traffic
 *     (send IP packets from addresses no host on the mesh claims: replies to
 *     forwarded traffic leave a gateway from its unicast MAC), and the one
 *     left does not: it is the anycast MAC. Unless a forwarding MAC uses X
 *     as its own address (its ARP requests, its packets) and that one does
 *     not: then X is that gateway's own IP, answered by the anycast
 *     macvlan too — the arp_filter-off signature, not an anycast address;
 *  3. X is answered by several MACs that all forward and each has an
 *     address of its own: gateways answer for a shared address with their
 *     unicast MACs and the anycast MAC never does — an anycast address with
 *     no anycast MAC (a finding of its own), not a reason to pick one;
 *  4. X is answered by one MAC that does not forward, which clients send
 *     off-link traffic to while the replies come from another MAC (the L2
 *     anycast signature seen from one gateway), or whose router
 *     advertisements name X as DNS server; or several DHCP servers hand X
 *     out as router or DNS server (with the MAC from the rules above);
 *  5. an address (other than a gateway's own) that a MAC decided by the
 *     rules above answers for is an anycast address of that MAC too.
 */

/** Why an address was taken as anycast (or looks like it): one entry per rule that spoke. */
export type InferenceSignal =
  /** One MAC answered a single request `most` times. */
  | { readonly kind: 'several-answers-per-request'; readonly mac: number; readonly most: number }
  /** Several MACs answered for the address. */
  | { readonly kind: 'claimed-by-several-macs'; readonly macs: readonly number[] }
  /** These answering MACs forward traffic: gateways' unicast MACs. */
  | { readonly kind: 'others-forward'; readonly macs: readonly number[] }
  /** Clients send off-link traffic to `mac`, and these MACs send the replies. */
  | { readonly kind: 'clients-route-through'; readonly mac: number; readonly repliesFrom: readonly number[] }
  /** Only these gateways' unicast MACs answered: the anycast MAC never did. */
  | { readonly kind: 'answered-only-by-gateways'; readonly macs: readonly number[] }
  /** DHCP servers (by identifier) that hand the address out as router / DNS server. */
  | { readonly kind: 'dhcp-router'; readonly servers: number }
  | { readonly kind: 'dhcp-dns'; readonly servers: number }
  /** Router advertisements from `mac` name the address as DNS server; `eui64`: their link-local is the MAC's EUI-64 one. */
  | { readonly kind: 'ra-rdnss'; readonly mac: number; readonly eui64: boolean }
  /** The anycast MAC decided for another address answers for this one. */
  | { readonly kind: 'answered-by-anycast-mac'; readonly mac: number };

export type InferenceSignalKind = InferenceSignal['kind'];

/** What would settle an undecided candidate. */
export type InferenceMissing =
  /** Several MACs answer and the frames do not tell which one is shared: --anycast-mac. */
  | 'which-mac'
  /** One MAC answers: from this vantage point the frames cannot show whether others share the address. */
  | 'one-answering-mac';

export interface InferredAnycast {
  readonly family: FamilyValue;
  /** IPv4 as uint32 (-1 for IPv6); IPv6 words (null for IPv4). */
  readonly ipv4: number;
  readonly ipv6: Uint32Array | null;
  /** The anycast MAC, -1 where no anycast MAC answers for the address (rule 3, or nothing answered). */
  readonly mac: number;
  /** Every MAC that answered for it. */
  readonly claimingMacs: number[];
  /** Most answers one MAC gave to one request. */
  readonly maxRepliesPerRequest: number;
  readonly firstFrame: number;
  /** True for an address taken as anycast; false for a candidate the frames cannot settle. */
  readonly decided: boolean;
  /**
   * Decided on answers alone (rules 1 and 3): more frames add to it but
   * cannot overturn it. The traffic rules can change as frames arrive, so a
   * live stream holds its lines while the look-back can still judge again.
   */
  readonly settled: boolean;
  readonly signals: readonly InferenceSignal[];
  /** For a candidate: what would settle it. */
  readonly missing: InferenceMissing | null;
}

export interface InferenceResult {
  /** Decided anycast addresses, by first frame. */
  readonly anycast: InferredAnycast[];
  /** Addresses that look like anycast ones but that the frames do not settle, by first frame. */
  readonly candidates: InferredAnycast[];
}

/** Addresses (IPv4 words) given as anycast without a MAC: the decision then picks only their MAC. */
export interface KnownAddresses {
  readonly ipv4: ReadonlySet<number>;
}

/** The facts about MACs every rule reads, computed once per decision (indexes, so that a decision is linear in the evidence). */
class Facts {
  /** (family, key) of an address → mac ids that sent IP packets from it; built on first use. */
  private senders: Map<number, number[]> | undefined;

  constructor(readonly evidence: AnycastEvidence) {}

  private sendersOf(family: number, key: number): number[] | undefined {
    if (this.senders === undefined) {
      this.senders = new Map();
      for (const m of this.evidence.macs) for (let i = 0; i < m.srcKeys.length; i++) pushOnce(this.senders, pairKey(m.srcFamily[i]!, m.srcKeys[i]!), m.id);
    }
    return this.senders.get(pairKey(family, key));
  }

  /** A host on the mesh claims (family, key): it answered for it or uses it as its own in ARP/NDP. */
  onLink(family: number, key: number): boolean {
    const a = this.evidence.address(family as FamilyValue, key);
    return a !== undefined && (a.answers.length > 0 || a.owners > 0);
  }

  /** The MAC sends IP packets from addresses no host on the mesh claims: it forwards (a router's own MAC). */
  forwards(m: MacTally): boolean {
    if (m.srcMore > 0) return true;
    for (let i = 0; i < m.srcKeys.length; i++) if (!this.onLink(m.srcFamily[i]!, m.srcKeys[i]!)) return true;
    return false;
  }

  /** MACs other than `m` that send from an off-link address `m` received traffic for: they carry the replies. */
  repliesFrom(m: MacTally): number[] {
    const out: number[] = [];
    for (let i = 0; i < m.dstKeys.length; i++) {
      const family = m.dstFamily[i]!;
      const key = m.dstKeys[i]!;
      if (this.onLink(family, key)) continue;
      for (const id of this.sendersOf(family, key) ?? []) {
        const other = this.macOf(id);
        if (other !== m && !out.includes(other.mac)) out.push(other.mac);
      }
    }
    return out;
  }

  /** Clients send the MAC unicast traffic for addresses no host on the mesh claims: off-link traffic routed through it. */
  routedThrough(m: MacTally): boolean {
    if (m.dstMore > 0) return true;
    for (let i = 0; i < m.dstKeys.length; i++) if (!this.onLink(m.dstFamily[i]!, m.dstKeys[i]!)) return true;
    return false;
  }

  /** Mac ids that use `a` as their own address (ARP/NDP or IP packets from it). */
  ownersOf(a: AddressTally): number[] {
    const owners: number[] = [];
    if (a.owners > 0) for (const m of this.evidence.macs) if (m.own.includes(a.id)) owners.push(m.id);
    return owners.concat(this.sendersOf(a.family, a.key) ?? []);
  }

  /** The MAC uses `a` as its own address: ARP requests or NS from it, or IP packets sent from it. */
  owns(m: MacTally, a: AddressTally): boolean {
    return m.own.includes(a.id) || (this.sendersOf(a.family, a.key)?.includes(m.id) ?? false);
  }

  /** The MAC sends IP packets from an address other than `a`. */
  sendsFromOther(m: MacTally, a: AddressTally): boolean {
    for (let i = 0; i < m.srcKeys.length; i++) if (m.srcKeys[i] !== a.key || m.srcFamily[i] !== a.family) return true;
    return m.srcMore > 0;
  }

  /** The MAC has an address of its own other than `a`. */
  ownsOther(m: MacTally, a: AddressTally): boolean {
    for (const id of m.own) if (id !== a.id) return true;
    for (let i = 0; i < m.srcKeys.length; i++) {
      const key = m.srcKeys[i]!;
      const family = m.srcFamily[i]!;
      if ((key !== a.key || family !== a.family) && this.onLink(family, key)) return true;
    }
    return false;
  }

  macOf(id: number): MacTally {
    return this.evidence.macs[id]!;
  }
}

interface Verdict {
  decided: boolean;
  /** Rule 4 (one answering MAC, by traffic, DHCP or RA): yields to a MAC the answers themselves decided. */
  byOneMac?: boolean;
  mac: number;
  settled: boolean;
  signals: InferenceSignal[];
  missing: InferenceMissing | null;
}

const NOT_A_CANDIDATE = null;

/** Decides the anycast addresses; with `known`, only those IPv4 addresses' MAC. */
export function decideAnycast(evidence: AnycastEvidence, known?: KnownAddresses): InferenceResult {
  const facts = new Facts(evidence);
  const anycast: InferredAnycast[] = [];
  const candidates: InferredAnycast[] = [];
  const verdicts = new Map<AddressTally, Verdict>();
  for (const a of evidence.addresses) {
    if (!usable(a)) continue;
    if (known !== undefined && (a.family !== Family.v4 || !known.ipv4.has(a.ipv4))) continue;
    if (known === undefined && !mayBeAnycast(a, facts)) continue;
    const v = known !== undefined ? decideMacOf(a, facts) : decideAddress(a, facts);
    if (v !== NOT_A_CANDIDATE) verdicts.set(a, v);
  }
  // A MAC the answers decided (rules 1-3) is the anycast MAC: another one that rule 4 picked from one
  // answer is a gateway's own (clients routing through a gateway's MAC after their nearest one changed).
  const answeredMacs = new Set<number>();
  for (const v of verdicts.values()) if (v.decided && v.mac >= 0 && v.byOneMac !== true) answeredMacs.add(v.mac);
  if (answeredMacs.size > 0) for (const [a, v] of verdicts) if (v.byOneMac === true && !answeredMacs.has(v.mac)) verdicts.delete(a);
  // Rule 5: addresses the decided anycast MACs answer for, which no other MAC answers or owns.
  const anycastMacs = new Set<number>();
  for (const v of verdicts.values()) if (v.decided && v.mac >= 0) anycastMacs.add(v.mac);
  if (known === undefined && anycastMacs.size > 0) {
    for (const a of evidence.addresses) {
      const v = verdicts.get(a);
      if (v?.decided || !usable(a)) continue;
      const byAnycast = a.answers.find((t) => anycastMacs.has(t.mac));
      if (byAnycast === undefined) continue;
      const others = a.answers.some((t) => !anycastMacs.has(t.mac));
      const ownedElsewhere = facts.ownersOf(a).some((id) => !anycastMacs.has(facts.macOf(id).mac));
      // IPv6 has no arp_filter fault (a macvlan answers only for its own addresses); IPv4 does.
      if (a.family === Family.v4 && (others || ownedElsewhere)) continue;
      verdicts.set(a, {
        decided: true,
        mac: byAnycast.mac,
        settled: false,
        signals: [...(v?.signals ?? []), { kind: 'answered-by-anycast-mac', mac: byAnycast.mac }],
        missing: null,
      });
    }
  }
  for (const [a, v] of verdicts) (v.decided ? anycast : candidates).push(toInferred(a, v));
  const byFrame = (x: InferredAnycast, y: InferredAnycast): number => x.firstFrame - y.firstFrame;
  return { anycast: anycast.sort(byFrame), candidates: candidates.sort(byFrame) };
}

/**
 * Whether any rule can speak for the address: a host's own address, answered
 * by that host alone, which nothing names and no client routes through, is
 * most of a mesh's addresses, and the decision is taken often.
 */
function mayBeAnycast(a: AddressTally, facts: Facts): boolean {
  if (a.answers.length !== 1) return a.answers.length > 1 || a.dhcpRouterBy.length > 0 || a.dhcpDnsBy.length > 0 || a.rdnssBy.length > 0;
  const t = a.answers[0]!;
  return t.maxPerRequest >= 2 || a.dhcpRouterBy.length > 0 || a.dhcpDnsBy.length > 0 || a.rdnssBy.length > 0 || facts.routedThrough(facts.macOf(t.macId));
}

/** Rules 1-4 for one address; null when nothing makes it look like an anycast address. */
function decideAddress(a: AddressTally, facts: Facts): Verdict | null {
  const answering = a.answers.filter((t) => t.answers > 0);
  const named = namingSignals(a, facts);
  const strong = answering.filter((t) => t.maxPerRequest >= 2);
  if (strong.length === 1) {
    const s = strong[0]!;
    return decided(s.mac, true, [{ kind: 'several-answers-per-request', mac: s.mac, most: s.maxPerRequest }, ...named]);
  }
  if (strong.length > 1) return candidate('which-mac', [claimedBySeveral(answering), ...named]);
  const macs = answering.map((t) => facts.macOf(t.macId));
  const forwarding = macs.filter((m) => facts.forwards(m));
  const quiet = macs.filter((m) => !facts.forwards(m));
  const dhcpServers = Math.max(a.dhcpRouterBy.length, a.dhcpDnsBy.length);
  if (answering.length >= 2) {
    const several = claimedBySeveral(answering);
    if (quiet.length === 1 && forwarding.length >= 1) {
      const m = quiet[0]!;
      // A forwarding MAC's own address, which the quiet one (the anycast macvlan) answers too: arp_filter off.
      // Own means in ARP/NDP (its requests' sender address): a gateway without source routing also sends IP
      // packets from the anycast address, from its unicast MAC.
      // Traffic from the address counts where the quiet MAC is seen sending from another one (the anycast
      // address it does answer for) and never from this.
      const quietElsewhere = facts.sendsFromOther(m, a);
      if (!facts.owns(m, a) && forwarding.some((f) => f.own.includes(a.id) || (quietElsewhere && facts.owns(f, a)))) return NOT_A_CANDIDATE;
      return decided(m.mac, false, [several, { kind: 'others-forward', macs: forwarding.map((f) => f.mac) }, ...named]);
    }
    if (quiet.length === 0 && forwarding.every((f) => facts.ownsOther(f, a))) {
      return decided(-1, true, [several, { kind: 'answered-only-by-gateways', macs: forwarding.map((f) => f.mac) }, ...named]);
    }
    return candidate('which-mac', [several, ...named]);
  }
  if (answering.length === 1) {
    const m = macs[0]!;
    if (!facts.forwards(m)) {
      const repliesFrom = facts.repliesFrom(m);
      if (repliesFrom.length > 0) return byOneMac(m.mac, [{ kind: 'clients-route-through', mac: m.mac, repliesFrom }, ...named]);
      if (a.rdnssBy.includes(m.id)) return byOneMac(m.mac, named);
      if (dhcpServers >= 2) return byOneMac(m.mac, named);
    } else if (dhcpServers >= 2 && facts.ownsOther(m, a)) {
      return decided(-1, false, [{ kind: 'answered-only-by-gateways', macs: [m.mac] }, ...named]);
    }
    return named.length > 0 ? candidate('one-answering-mac', named) : NOT_A_CANDIDATE;
  }
  // Named by several DHCP servers, answered by nobody in the capture: the address without its MAC.
  if (dhcpServers >= 2) return decided(-1, false, named);
  return named.length > 0 ? candidate('one-answering-mac', named) : NOT_A_CANDIDATE;
}

/** An address given as anycast: which MAC is its anycast MAC (-1: none answers for it); null when nothing answered. */
function decideMacOf(a: AddressTally, facts: Facts): Verdict | null {
  const answering = a.answers.filter((t) => t.answers > 0);
  const strong = answering.filter((t) => t.maxPerRequest >= 2);
  if (strong.length === 1) return decided(strong[0]!.mac, true, [{ kind: 'several-answers-per-request', mac: strong[0]!.mac, most: strong[0]!.maxPerRequest }]);
  const macs = answering.map((t) => facts.macOf(t.macId));
  const forwarding = macs.filter((m) => facts.forwards(m));
  const quiet = macs.filter((m) => !facts.forwards(m));
  if (strong.length === 0 && quiet.length === 1 && forwarding.length >= 1)
    return decided(quiet[0]!.mac, false, [claimedBySeveral(answering), { kind: 'others-forward', macs: forwarding.map((f) => f.mac) }]);
  if (strong.length === 0 && quiet.length === 0 && forwarding.length >= 1)
    return decided(-1, forwarding.length >= 2, [{ kind: 'answered-only-by-gateways', macs: forwarding.map((f) => f.mac) }]);
  if (strong.length === 0 && quiet.length === 1 && forwarding.length === 0) {
    const repliesFrom = facts.repliesFrom(quiet[0]!);
    if (repliesFrom.length > 0) return decided(quiet[0]!.mac, false, [{ kind: 'clients-route-through', mac: quiet[0]!.mac, repliesFrom }]);
    return candidate('one-answering-mac', []);
  }
  // Nothing answered for it: nothing to settle (it is judged as given, and nothing claims it).
  if (answering.length === 0) return NOT_A_CANDIDATE;
  return candidate('which-mac', answering.length > 1 ? [claimedBySeveral(answering)] : []);
}

/** What DHCP and RAs say of the address. */
function namingSignals(a: AddressTally, facts: Facts): InferenceSignal[] {
  const out: InferenceSignal[] = [];
  if (a.dhcpRouterBy.length > 0) out.push({ kind: 'dhcp-router', servers: a.dhcpRouterBy.length });
  if (a.dhcpDnsBy.length > 0) out.push({ kind: 'dhcp-dns', servers: a.dhcpDnsBy.length });
  for (const id of a.rdnssBy) {
    const m = facts.macOf(id);
    out.push({ kind: 'ra-rdnss', mac: m.mac, eui64: m.eui64RouterAdverts > 0 });
  }
  return out;
}

function claimedBySeveral(answering: readonly { mac: number }[]): InferenceSignal {
  return { kind: 'claimed-by-several-macs', macs: answering.map((t) => t.mac) };
}

function decided(mac: number, settled: boolean, signals: InferenceSignal[]): Verdict {
  return { decided: true, mac, settled, signals, missing: null };
}

function byOneMac(mac: number, signals: InferenceSignal[]): Verdict {
  return { ...decided(mac, false, signals), byOneMac: true };
}

function candidate(missing: InferenceMissing, signals: InferenceSignal[]): Verdict {
  return { decided: false, mac: -1, settled: false, signals, missing };
}

/** One number key for (family, 32-bit key word): exact in a double. */
function pairKey(family: number, key: number): number {
  return family * 4294967296 + (key >>> 0);
}

function pushOnce(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** Unicast addresses only: 0.0.0.0, broadcast, multicast and loopback are never anycast (IPv6 groups and link-locals are not collected). */
function usable(a: AddressTally): boolean {
  if (a.family === Family.v6) return true;
  const top = a.ipv4 >>> 24;
  return a.ipv4 !== 0 && a.ipv4 !== 0xffffffff && top !== 127 && top >>> 4 !== 14;
}

function toInferred(a: AddressTally, v: Verdict): InferredAnycast {
  let most = 0;
  for (const t of a.answers) if (t.maxPerRequest > most) most = t.maxPerRequest;
  return {
    family: a.family,
    ipv4: a.ipv4,
    ipv6: a.ipv6,
    mac: v.mac,
    claimingMacs: a.answers.filter((t) => t.answers > 0).map((t) => t.mac),
    maxRepliesPerRequest: most,
    firstFrame: a.firstFrame,
    decided: v.decided,
    settled: v.settled,
    signals: v.signals,
    missing: v.missing,
  };
}
