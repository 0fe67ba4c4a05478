import type { DecodedFrame } from '../decode/decoded-frame.js';
import { Layer } from '../decode/layer.js';
import { Analysis, type AnalysisResult } from '../detect/analysis.js';
import { hasAnycast, ipv6Equal, withInferred, type AnycastConfig } from '../detect/config.js';
import type { DetectorDefinition } from '../detect/detector.js';
import type { Finding } from '../detect/findings.js';
import { AnycastInference, type InferenceResult, type InferredAnycast } from '../detect/inference.js';
import { FRAME_ROW_WORDS, loadRow, type RowLoadable } from './frame-row.js';
import { collectGarbage } from '../core/collect-garbage.js';

/**
 * Frames kept from the start of an unconfigured run, as decoded rows
 * (FRAME_ROW_WORDS int32 each: 164 bytes), so that once the anycast address
 * is inferred every frame before that moment is judged with it. 64 Ki
 * frames are 10.7 MB; on a busy mesh (10 k frames/s) that is 6 s of
 * capture, and an ARP exchange for the anycast IP — what the inference
 * needs — comes every few seconds from every client.
 */
export const LOOK_BACK_FRAMES = 1 << 16;

/**
 * Once the look-back is gone, the inference's answer is read again at most
 * once per this many frames (and at the end): a change can then only be
 * adopted from the frame it is seen on. A decision walks every address that
 * may be anycast (~2 ms on the bench capture's 2000 clients, whose new
 * addresses move the evidence all the time): once per 4096 frames that was
 * 0.5 s of a 1M-frame run; once per 65536 (~6 s of a busy mesh) it is 30 ms.
 */
const FOLLOW_EVERY_FRAMES = 1 << 16;

/**
 * Until something is inferred, the answer is read again sooner after the
 * look-back is gone: frames until then are judged without an anycast
 * address, so waiting 65536 frames would lose 6 s of a busy mesh. A mesh
 * with nothing anycast on it pays one decision per 4096 frames.
 */
const FOLLOW_UNDECIDED_EVERY_FRAMES = 1 << 12;

/**
 * While the look-back is kept, traffic evidence (which MAC forwards, which
 * one clients route through) moves with many frames: the decision is taken
 * again for it at most once per this many frames (and whenever ARP, NDP, RA
 * or DHCP evidence moved, and at the end).
 */
const FOLLOW_TRAFFIC_EVERY_FRAMES = 256;

/** The frames the inference reads after the look-back is gone: its ARP, NDP/RA and DHCP evidence. */
const INFERENCE_LAYERS = Layer.arp | Layer.icmpv6 | Layer.dhcp;

/**
 * Once the anycast address is inferred at frame N, the look-back keeps
 * filling only to max(KEEP_AFTER_INFERENCE_MIN, N × KEEP_AFTER_INFERENCE_FACTOR)
 * frames, so a change of answer soon after is still judged from frame 1:
 * on the bench capture the answer comes at frame ~700, and a look-back filled
 * to 65,536 frames cost 13 MiB of peak memory for nothing.
 */
const KEEP_AFTER_INFERENCE_MIN = 8192;
const KEEP_AFTER_INFERENCE_FACTOR = 4;

/**
 * A full collection every this many frames (collect-garbage.ts). What the
 * detectors box and drop is promoted by the 1 MiB nursery and stays in the
 * old generation until V8 decides on a full collection, which on a long
 * pass came late: unconfigured analyze of 50 M piped frames peaked at
 * 97 MiB against 90 MiB on 5 M. One collection of the ~15 MB heap costs a
 * few milliseconds; 2^21 frames are ~0.7 s of analysis.
 */
const COLLECT_EVERY_FRAMES = 1 << 21;

/** Writes the row of `frame` at `rows[at..at + FRAME_ROW_WORDS)` (the caller knows whether it is a decoder or a row view). */
export type RowWriter = (frame: DecodedFrame, rows: Int32Array, at: number) => void;

export interface OnePassOptions {
  config: AnycastConfig;
  detectors: readonly DetectorDefinition[];
  writeRow: RowWriter;
  /**
   * The frame kept rows are loaded into to be judged: of the same class as
   * the frames `observe` gets (a FrameDecoder on one thread, a FrameRowView
   * on two), so the detectors see one frame class.
   */
  replayFrame: DecodedFrame & RowLoadable;
  /** Frames kept for judging again once the anycast address is known (default LOOK_BACK_FRAMES). */
  lookBackFrames?: number;
  /** Called once per finding the moment it is first raised (live view), never again for the same problem. */
  onFinding?: (finding: Finding, analysis: Analysis) => void;
}

/** How an unconfigured run came to judge with the addresses it used. */
export interface Judgement {
  /** The first frame judged with the inferred addresses (1 when every frame was). */
  judgedFromFrame: number;
}

/**
 * The analysis of one capture or live stream in a single pass, configured
 * or not.
 *
 * Configured (the anycast address given): every frame goes straight to one
 * Analysis.
 *
 * Not configured: the frames go to the inference (ARP evidence) and — the
 * first `lookBackFrames` of them — into a look-back of decoded rows. When
 * the inference names the anycast address(es), or later changes its mind, a
 * new Analysis with them judges the look-back from frame 1 and then every
 * frame as it comes: the result is the one a second read of the file would
 * give. If the look-back fills first, its frames are judged with what is
 * known (gateways, maybe) and a late inference is adopted by the running
 * analysis from that frame on; the report says from which frame.
 * Memory: the look-back's fixed rows, freed once it is full.
 */
export class OnePassAnalysis {
  /** The analysis judging frames as they come; undefined while an unconfigured run only keeps them. */
  private current: Analysis | undefined;
  /** What the live view shows before the first judgement: an analysis of nothing yet. */
  private readonly idle: Analysis;
  private readonly inference: AnycastInference | undefined;
  /** The anycast IPs given without a MAC, whose MAC is inferred; undefined when the whole address is (or nothing is). */
  private readonly macOnlyFor: { readonly ipv4: ReadonlySet<number> } | undefined;
  private readonly base: AnycastConfig;
  private readonly detectors: readonly DetectorDefinition[];
  private readonly writeRow: RowWriter;
  private readonly replayFrame: DecodedFrame & RowLoadable;
  private lookBack: Int32Array | undefined;
  private lookBackFrames = 0;
  private lookBackCapacity: number;
  /** The inference as last adopted (addresses and MACs in order), and the versions it was decided at. */
  private adoptedIps: number[] = [];
  private adoptedIpv6: Uint32Array[] = [];
  private adoptedMacs: number[] = [];
  private decision: InferenceResult = { anycast: [], candidates: [] };
  private seenVersion = 0;
  private seenTrafficVersion = 0;
  private nextFollowFrame = 0;
  private nextTrafficFollowFrame = 0;
  private judgedFromFrame = 1;
  private lastFrame = 0;
  private readonly onFinding: ((f: Finding, analysis: Analysis) => void) | undefined;
  /** Problems already announced (live view), so a judgement again from the look-back does not repeat them. */
  private readonly announced = new Set<string>();
  private replaying = false;
  /** Findings first raised while the look-back was judged again, announced once it is done. */
  private pendingAnnouncements: Finding[] = [];
  /**
   * While the inference rests on evidence more frames can overturn
   * (InferredAnycast.settled: the traffic rules) and the look-back can still
   * judge everything again, findings are held, not announced: a live line
   * raised with the wrong anycast MAC (the anycast MAC itself named a
   * gateway answering with a "unicast" MAC) would be withdrawn by the final
   * report, and a stream cannot take a line back.
   */
  private holding = false;
  private held: Finding[] = [];

  constructor(opts: OnePassOptions) {
    this.base = opts.config;
    this.detectors = opts.detectors;
    this.writeRow = opts.writeRow;
    this.replayFrame = opts.replayFrame;
    this.onFinding = opts.onFinding;
    this.lookBackCapacity = opts.lookBackFrames ?? LOOK_BACK_FRAMES;
    this.idle = new Analysis(opts.config, [], this.detectors);
    // Anycast IPv4 addresses given without the anycast MAC: infer the MAC (only), or the MAC that
    // answers for them would count as a gateway claiming the anycast IP.
    const c = opts.config;
    if (hasAnycast(c) && c.anycastMacs.length === 0 && c.anycastIpv4.length > 0) this.macOnlyFor = { ipv4: new Set(c.anycastIpv4) };
    if (hasAnycast(c) && this.macOnlyFor === undefined) this.current = this.analysisFor(c, []);
    else {
      this.inference = new AnycastInference();
      this.lookBack = new Int32Array(Math.min(this.lookBackCapacity, 4096) * FRAME_ROW_WORDS);
    }
  }

  /** The analysis judging now (the live view reads its findings and gateways). */
  get analysis(): Analysis {
    return this.current ?? this.idle;
  }

  observe(d: DecodedFrame): void {
    this.lastFrame = d.number;
    if ((d.number & (COLLECT_EVERY_FRAMES - 1)) === 0) collectGarbage();
    // The per-frame path once the anycast address is known (configured, or inferred and the look-back
    // gone) is this one call, as in a configured run: only ARP, NDP/RA and DHCP frames feed the inference,
    // in another method, so that its code does not crowd the detectors out of what V8 inlines here.
    if (this.inference === undefined || (this.lookBack === undefined && (d.layers & INFERENCE_LAYERS) === 0)) {
      this.current!.observe(d);
      return;
    }
    this.observeInferring(d, this.inference);
  }

  /** While frames are kept, and for ARP, NDP/RA and DHCP frames (the inference's evidence). */
  private observeInferring(d: DecodedFrame, inference: AnycastInference): void {
    inference.observe(d);
    const keeping = this.lookBack !== undefined;
    // Traffic evidence only while everything can still be judged again from frame 1 (two lookups a frame).
    if (keeping) inference.observeTraffic(d);
    // Until the anycast address is inferred, frames are only kept: judging them without it would be
    // work thrown away (and would train the JIT on a mesh with no anycast MAC).
    if (keeping) this.keep(d);
    this.current?.observe(d);
    // Before the first decision, at every change (the look-back is judged once it is made); then at most
    // once per FOLLOW_TRAFFIC_EVERY_FRAMES while the look-back is kept, once per FOLLOW_EVERY_FRAMES after.
    if (inference.version !== this.seenVersion) {
      const next = !keeping ? this.nextFollowFrame : this.current !== undefined ? this.nextTrafficFollowFrame : 0;
      if (d.number >= next) this.follow(inference, d.number);
    } else if (keeping && inference.trafficVersion !== this.seenTrafficVersion && d.number >= this.nextTrafficFollowFrame) this.follow(inference, d.number);
  }

  finish(): { result: AnalysisResult; judgement: Judgement } {
    const inference = this.inference;
    if (inference !== undefined && (inference.version !== this.seenVersion || inference.trafficVersion !== this.seenTrafficVersion))
      this.follow(inference, this.lastFrame);
    // Nothing inferred and the look-back never filled: judge what was kept with what is known.
    if (this.current === undefined) this.current = this.judgeLookBack(this.judgedConfig(), []);
    // The capture is over: what is held is what the report says.
    this.release();
    const result = this.current.finish();
    if (inference !== undefined) {
      // Told addresses whose MAC was not settled were judged without them (judgedConfig); the report still names them.
      if (this.macOnlyFor !== undefined) result.config = { ...result.config, anycastIpv4: this.base.anycastIpv4 };
      result.inferred = this.decision.anycast;
      result.candidates = this.decision.candidates;
      // Addresses that look like anycast ones, none settled: not sure, so no verdict (nothing was judged with them).
      if (result.verdict === 'no-anycast' && result.candidates.length > 0) result.verdict = 'unsure';
      if (result.verdict === 'healthy' && this.macOnlyFor !== undefined && result.candidates.length > 0) result.verdict = 'unsure';
    }
    return { result, judgement: { judgedFromFrame: this.judgedFromFrame } };
  }

  private analysisFor(config: AnycastConfig, inferred: InferredAnycast[]): Analysis {
    const analysis = new Analysis(config, inferred, this.detectors);
    const announce = this.onFinding;
    if (announce !== undefined) {
      analysis.ctx.findings.onNew = (f) => {
        // One announcement per problem: a judgement again from the look-back raises the same ones.
        if (this.holding) {
          this.held.push(f);
          return;
        }
        if (!this.firstAnnouncement(f, analysis)) return;
        if (!this.replaying) announce(f, analysis);
        else this.pendingAnnouncements.push(f);
      };
    }
    return analysis;
  }

  /**
   * Appends the frame's row to the look-back. Once it is full it is freed,
   * and frames are judged as they come; a late inference is then adopted
   * from the frame it is made on. If nothing was inferred by then, the kept
   * frames are judged first with what is known (the frame itself is not
   * kept: the caller judges it).
   */
  private keep(d: DecodedFrame): void {
    let rows = this.lookBack!;
    if (this.lookBackFrames >= this.lookBackCapacity) {
      this.current ??= this.judgeLookBack(this.judgedConfig(), this.decision.anycast);
      this.lookBack = undefined;
      // Nothing can be judged again from frame 1 now: announce what is held.
      this.release();
      return;
    }
    const at = this.lookBackFrames * FRAME_ROW_WORDS;
    if (at + FRAME_ROW_WORDS > rows.length) {
      const grown = new Int32Array(Math.min(rows.length * 2, this.lookBackCapacity * FRAME_ROW_WORDS));
      grown.set(rows);
      rows = grown;
      this.lookBack = rows;
    }
    this.writeRow(d, rows, at);
    this.lookBackFrames++;
  }

  /**
   * The configuration frames are judged with: the base one plus what the
   * inference decided. Anycast IPs given without their MAC whose MAC it could
   * not settle are left out: judged without their MAC, the anycast MAC's own
   * answers would read as a gateway's unicast ones.
   */
  private judgedConfig(): AnycastConfig {
    const known = this.macOnlyFor;
    if (known === undefined) return withInferred(this.base, this.adoptedIps, this.adoptedMacs, this.adoptedIpv6);
    const unsettled = new Set(this.decision.candidates.map((i) => i.ipv4));
    return { ...this.base, anycastIpv4: this.base.anycastIpv4.filter((ip) => !unsettled.has(ip)), anycastMacs: this.adoptedMacs };
  }

  /** The inference's evidence moved: adopt its answer if it changed. */
  private follow(inference: AnycastInference, frameNumber: number): void {
    this.seenVersion = inference.version;
    this.seenTrafficVersion = inference.trafficVersion;
    this.nextTrafficFollowFrame = frameNumber + FOLLOW_TRAFFIC_EVERY_FRAMES;
    this.decision = inference.decide(this.macOnlyFor);
    const inferred = this.decision.anycast;
    this.nextFollowFrame = frameNumber + (inferred.length > 0 ? FOLLOW_EVERY_FRAMES : FOLLOW_UNDECIDED_EVERY_FRAMES);
    const ips = this.macOnlyFor !== undefined ? inferred.map((i) => i.ipv4) : inferred.filter((i) => i.ipv6 === null).map((i) => i.ipv4);
    const ipv6 = this.macOnlyFor !== undefined ? [] : inferred.flatMap((i) => (i.ipv6 === null ? [] : [i.ipv6]));
    const macs = [...new Set(inferred.filter((i) => i.mac >= 0).map((i) => i.mac))];
    const unsettled = inferred.some((i) => !i.settled);
    if (sameList(ips, this.adoptedIps) && sameList(macs, this.adoptedMacs) && sameIpv6List(ipv6, this.adoptedIpv6)) {
      // The same pick, now with the evidence to back it.
      if (this.holding && !unsettled) this.release();
      return;
    }
    this.adoptedIps = ips;
    this.adoptedIpv6 = ipv6;
    this.adoptedMacs = macs;
    const config = this.judgedConfig();
    if (this.lookBack !== undefined) {
      // Every frame so far is in the look-back: judge them all (again) with what is known now. What the
      // previous pick raised and held is dropped: the new judgement raises what still holds.
      this.held = [];
      this.holding = unsettled;
      this.current = this.judgeLookBack(config, inferred);
      if (!this.holding) this.release();
      // The answer can still change as evidence comes in (which of two MACs is the anycast one),
      // mostly within a few requests: keep the look-back a while longer, not to its end.
      this.lookBackCapacity = Math.min(this.lookBackCapacity, Math.max(KEEP_AFTER_INFERENCE_MIN, frameNumber * KEEP_AFTER_INFERENCE_FACTOR));
      return;
    }
    if (this.judgedFromFrame === 1) this.judgedFromFrame = frameNumber + 1;
    this.current!.adoptInferred(inferred, config);
  }

  /** Ends a hold: announces the findings held, once each, in the order raised. */
  private release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    const announce = this.onFinding;
    if (announce === undefined || this.current === undefined) return;
    for (const f of held) if (this.firstAnnouncement(f, this.current)) announce(f, this.current);
  }

  /** Whether `f` is a problem not announced yet (and from now on, announced): one announcement per problem. */
  private firstAnnouncement(f: Finding, analysis: Analysis): boolean {
    const key = analysis.problemKey(f);
    if (this.announced.has(key)) return false;
    this.announced.add(key);
    return true;
  }

  /** A new analysis with `config` that has judged every frame in the look-back. */
  private judgeLookBack(config: AnycastConfig, inferred: InferredAnycast[]): Analysis {
    const analysis = this.analysisFor(config, inferred);
    const rows = this.lookBack;
    const frame = this.replayFrame;
    this.replaying = true;
    try {
      if (rows !== undefined) {
        for (let i = 0; i < this.lookBackFrames; i++) {
          loadRow(frame, rows, i * FRAME_ROW_WORDS);
          analysis.observe(frame);
        }
      }
    } finally {
      this.replaying = false;
    }
    const pending = this.pendingAnnouncements;
    this.pendingAnnouncements = [];
    if (this.onFinding !== undefined) for (const f of pending) this.onFinding(f, analysis);
    return analysis;
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameIpv6List(a: readonly Uint32Array[], b: readonly Uint32Array[]): boolean {
  return a.length === b.length && a.every((v, i) => ipv6Equal(v, b[i]!));
}
