import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { ArpOp } from '../decode/arp.js';
import { highWord } from '../decode/read.js';
import { Defaults } from './config.js';
import { PairIndex } from './pair-index.js';

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
  /**
   * False while another replying MAC has as strong a case as the chosen one
   * (say, two MACs that each answered once and claimed nothing else): the
   * pick is then a coin toss that the next frames can turn.
   */
  decided: boolean;
}

const MAX_TRACKED_IPS = 4096;
/** MACs tracked (each with the IPs it claimed), as many as IPs. */
const MAX_TRACKED_MACS = MAX_TRACKED_IPS;
/** (IP, MAC) reply tallies kept; more are not counted (an ARP storm of made-up pairs). */
const MAX_TRACKED_PAIRS = 1 << 16;
/** IPs remembered per MAC: a MAC that claims more is no anycast MAC anyway. */
const MAX_IPS_PER_MAC = 64;

/**
 * The state is numbers in typed arrays, indexed by small ids that PairIndex
 * tables hand out for IPs, MACs and (IP, MAC) pairs: this runs for every ARP
 * frame of a one-pass run, and Maps keyed by 48-bit MACs allocated a heap
 * number at every lookup (it cost 15 % of an unconfigured run).
 */
export class AnycastInference {
  /** IPv4 address → ip id. */
  private readonly ipIds = new PairIndex();
  private readonly ipAddress = new Float64Array(MAX_TRACKED_IPS);
  private readonly ipFirstFrame = new Float64Array(MAX_TRACKED_IPS);
  /** Capture time of the last request for the IP (any client), and who asked (MAC). */
  private readonly ipLastRequestTime = new Float64Array(MAX_TRACKED_IPS).fill(-Infinity);
  private readonly ipLastRequester = new Float64Array(MAX_TRACKED_IPS).fill(-1);
  /** MACs with at least one reply for the IP. */
  private readonly ipReplyingMacs = new Int32Array(MAX_TRACKED_IPS);
  /** The IP's (IP, MAC) pairs as a list in the order first seen: first and last pair id, -1 when none. */
  private readonly ipFirstPair = new Int32Array(MAX_TRACKED_IPS).fill(-1);
  private readonly ipLastPair = new Int32Array(MAX_TRACKED_IPS).fill(-1);
  private readonly ipIsCandidate = new Uint8Array(MAX_TRACKED_IPS);
  private ipCount = 0;

  /** MAC → mac id, and how many distinct IPs each MAC claimed (up to MAX_IPS_PER_MAC). */
  private readonly macIds = new PairIndex();
  private readonly macIpCount = new Int32Array(MAX_TRACKED_MACS);
  /** (mac id, IPv4) → 0: the IPs each MAC claimed. */
  private readonly macOwns = new PairIndex();
  private macCount = 0;

  /** (ip id, mac id) → pair id, with the pair's reply tallies. */
  private readonly pairIds = new PairIndex();
  private pairMac = new Float64Array(256);
  private pairNext = new Int32Array(256);
  private pairReplies = new Int32Array(256);
  private pairMaxPerRequest = new Int32Array(256);
  private pairInRequest = new Int32Array(256);
  private pairLastRequest = new Float64Array(256);
  private pairCount = 0;

  /** Candidate ip ids, in the order they became candidates: answered several times per request by one MAC, or by several MACs. */
  private readonly candidates: number[] = [];
  /**
   * Bumped whenever result() may have changed: a new candidate, a reply for
   * a candidate, or a MAC claiming one more IP while there are candidates
   * (it changes that MAC's score). A caller that follows the inference as
   * frames arrive calls result() only when this moved.
   */
  version = 0;

  observe(d: DecodedFrame): void {
    if ((d.layers & Layer.arp) === 0) return;
    const a = d.arp;
    if (!a.complete || !a.isEthernetIpv4() || a.sha < 0) return;
    if (a.op !== ArpOp.reply && a.op !== ArpOp.request) return;
    const sha = a.sha;
    let mac = this.macIds.get(highWord(sha), sha | 0);
    if (mac < 0) {
      if (this.macCount >= MAX_TRACKED_MACS) return;
      mac = this.macCount++;
      this.macIds.set(highWord(sha), sha | 0, mac);
    }
    const spa = a.spa;
    if (this.macIpCount[mac]! < MAX_IPS_PER_MAC && this.macOwns.get(mac, spa | 0) < 0) {
      this.macOwns.set(mac, spa | 0, 0);
      this.macIpCount[mac]!++;
      if (this.candidates.length > 0) this.version++;
    }
    const now = d.tsSec + d.tsNsec / 1e9;
    if (a.op === ArpOp.request) {
      if (a.tpa === spa) return; // gratuitous: nobody asked
      const asked = this.ipId(a.tpa, d.number);
      if (asked < 0) return;
      this.ipLastRequestTime[asked] = now;
      this.ipLastRequester[asked] = sha;
      return;
    }
    const ip = this.ipId(spa, d.number);
    if (ip < 0) return;
    let pair = this.pairIds.get(ip, mac);
    if (pair < 0) {
      if (this.pairCount >= MAX_TRACKED_PAIRS) return;
      pair = this.addPair(ip, mac, sha);
      this.ipReplyingMacs[ip]!++;
    }
    this.pairReplies[pair]!++;
    this.noteCandidate(ip);
    // Count replies from one MAC to one request: the same request is the last one seen from this
    // client, within the reply window. A second request resets the count, so a client asking twice
    // and a host answering twice is not mistaken for two gateways.
    const lastRequestTime = this.ipLastRequestTime[ip]!;
    const answersLast = this.ipLastRequester[ip] === a.tha && now - lastRequestTime <= Defaults.arpReplyWindow;
    if (!answersLast) return;
    if (this.pairLastRequest[pair] === lastRequestTime) this.pairInRequest[pair]!++;
    else this.pairInRequest[pair] = 1;
    this.pairLastRequest[pair] = lastRequestTime;
    if (this.pairInRequest[pair]! > this.pairMaxPerRequest[pair]!) this.pairMaxPerRequest[pair] = this.pairInRequest[pair]!;
    this.noteCandidate(ip);
  }

  /** The id of an IPv4 address, made on first sight (`frame` is where); -1 when the table is full. */
  private ipId(ipv4: number, frame: number): number {
    let ip = this.ipIds.get(0, ipv4 | 0);
    if (ip >= 0) return ip;
    if (this.ipCount >= MAX_TRACKED_IPS) return -1;
    ip = this.ipCount++;
    this.ipIds.set(0, ipv4 | 0, ip);
    this.ipAddress[ip] = ipv4;
    this.ipFirstFrame[ip] = frame;
    return ip;
  }

  private addPair(ip: number, mac: number, macAddress: number): number {
    const pair = this.pairCount++;
    if (pair >= this.pairMac.length) this.growPairs();
    this.pairIds.set(ip, mac, pair);
    this.pairMac[pair] = macAddress;
    this.pairNext[pair] = -1;
    this.pairReplies[pair] = 0;
    this.pairMaxPerRequest[pair] = 0;
    this.pairInRequest[pair] = 0;
    this.pairLastRequest[pair] = -1;
    if (this.ipLastPair[ip]! >= 0) this.pairNext[this.ipLastPair[ip]!] = pair;
    else this.ipFirstPair[ip] = pair;
    this.ipLastPair[ip] = pair;
    return pair;
  }

  private growPairs(): void {
    const n = this.pairMac.length * 2;
    const grow = <T extends Float64Array | Int32Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.pairMac = grow(this.pairMac, new Float64Array(n));
    this.pairNext = grow(this.pairNext, new Int32Array(n));
    this.pairReplies = grow(this.pairReplies, new Int32Array(n));
    this.pairMaxPerRequest = grow(this.pairMaxPerRequest, new Int32Array(n));
    this.pairInRequest = grow(this.pairInRequest, new Int32Array(n));
    this.pairLastRequest = grow(this.pairLastRequest, new Float64Array(n));
  }

  /** After a reply for ip id `ip`: is it a candidate now? Either way its evidence changed: bump the version if it is one. */
  private noteCandidate(ip: number): void {
    if (this.ipIsCandidate[ip] === 0) {
      if (this.ipReplyingMacs[ip]! < 2 && !this.answeredSeveralTimes(ip)) return;
      this.ipIsCandidate[ip] = 1;
      this.candidates.push(ip);
    }
    this.version++;
  }

  private answeredSeveralTimes(ip: number): boolean {
    for (let p = this.ipFirstPair[ip]!; p >= 0; p = this.pairNext[p]!) if (this.pairMaxPerRequest[p]! >= 2) return true;
    return false;
  }

  /** Number of candidate IPs so far (what result() walks). */
  get candidateCount(): number {
    return this.candidates.length;
  }

  /** IPs claimed by the MAC of `pair`, as counted (at least 1: a MAC that replied claimed the IP it replied for). */
  private ipsClaimedBy(macAddress: number): number {
    const mac = this.macIds.get(highWord(macAddress), macAddress | 0);
    return mac < 0 ? 1 : this.macIpCount[mac]!;
  }

  /**
   * The anycast candidates, by first frame. With `only` (addresses known to
   * be anycast: given without their MAC), just those, each with the MAC that
   * answers for it as the anycast one would — however strong the evidence
   * elsewhere.
   */
  result(only?: ReadonlySet<number>): InferredAnycast[] {
    const out: InferredAnycast[] = [];
    for (const ip of this.candidates) {
      if (only !== undefined && !only.has(this.ipAddress[ip]!)) continue;
      const replying: number[] = [];
      for (let p = this.ipFirstPair[ip]!; p >= 0; p = this.pairNext[p]!) if (this.pairReplies[p]! > 0) replying.push(p);
      let best = -1;
      let bestScore = -Infinity;
      let bestPer = 0;
      // The structural part of the score (several replies per request, no other address claimed);
      // the reply count only breaks ties, so it cannot make a pick decided.
      let bestEvidence = -1;
      let evidenceTies = 0;
      for (const p of replying) {
        const others = this.ipsClaimedBy(this.pairMac[p]!) - 1;
        const per = this.pairMaxPerRequest[p]!;
        const evidence = (per >= 2 ? 2 : 0) + (others === 0 ? 1 : 0);
        const score = evidence + this.pairReplies[p]! / 1e6;
        if (evidence > bestEvidence) {
          bestEvidence = evidence;
          evidenceTies = 1;
        } else if (evidence === bestEvidence) evidenceTies++;
        if (score > bestScore) {
          bestScore = score;
          best = this.pairMac[p]!;
          bestPer = per;
        }
      }
      out.push({
        ipv4: this.ipAddress[ip]!,
        mac: best,
        maxRepliesPerRequest: bestPer,
        claimingMacs: replying.map((p) => this.pairMac[p]!),
        firstFrame: this.ipFirstFrame[ip]!,
        decided: evidenceTies === 1,
      });
    }
    // An address answered several times per request by one MAC is the strong sign (several gateways
    // share that MAC). Where one exists, addresses that are merely claimed by several MACs are not
    // anycast: in the lab a gateway's macvlan also answers for the gateway's own IP (arp_filter off).
    const strong = out.filter((i) => i.maxRepliesPerRequest >= 2);
    const chosen = strong.length > 0 && only === undefined ? strong : out;
    return chosen.sort((x, y) => x.firstFrame - y.firstFrame);
  }
}
