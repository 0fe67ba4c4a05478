import { FrameDecoder } from '../decode/frame-decoder.js';
import { DecodeStats } from '../decode/stats.js';
import type { Analysis, AnalysisResult } from '../detect/analysis.js';
import type { AnycastConfig } from '../detect/config.js';
import type { DetectorDefinition } from '../detect/detector.js';
import type { Finding } from '../detect/findings.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { AnyCaptureDedup } from '../source/any-dedup.js';
import { openPcapFile, type PcapFileWriter } from '../source/pcap-writer.js';
import { writeFrameRow } from './frame-row.js';
import { OnePassAnalysis, type Judgement } from './one-pass.js';

export interface LivePipelineOptions {
  config: AnycastConfig;
  detectors: readonly DetectorDefinition[];
  /** Told of each finding once, the moment it is first raised (after the frame's detectors have all run). */
  announce: (finding: Finding, analysis: Analysis) => void;
  /** Also write every frame to this pcap (nanosecond, the source's link type). */
  writePath?: string;
  /**
   * The source's link type, when known before the first frame (a live
   * interface): the file is then created at once, so a path that cannot be
   * written fails before the capture starts. Otherwise (replay) the file is
   * created at the first frame, with that frame's link type.
   */
  linkType?: number;
  /**
   * Told once when the file cannot be written further (a full disk): the
   * file then holds every frame up to the last whole one, and no more frames
   * are written; the analysis goes on.
   */
  onWriteError?: (err: unknown) => void;
}

/**
 * The live path shared by `watch` and `replay`: every frame is decoded and
 * judged synchronously as it arrives (the capture engine reuses its buffer,
 * so nothing may be kept by reference) by the same one-pass analysis as
 * `analyze`, optionally written to a pcap, and each finding is announced
 * once, the moment it is first raised — after the frame's detectors have
 * all run, so its first clients and details are in.
 */
export class LivePipeline implements FrameSink {
  readonly decoder = new FrameDecoder();
  readonly stats = new DecodeStats();
  readonly dedup = new AnyCaptureDedup();
  private readonly judge: OnePassAnalysis;
  frames = 0;
  tsDigits = 9;
  private writer: PcapFileWriter | undefined;
  private readonly writePath: string | undefined;
  /** Link type of the written file; frames of another one (a pcapng with several) are not written. */
  private writtenLinkType = -1;
  /** Frames not written because their link type differs from the file's. */
  notWritten = 0;
  /** Why the file stopped being written (a full disk), if it did. */
  writeError: unknown;
  private readonly onWriteError: ((err: unknown) => void) | undefined;
  private readonly fresh: Finding[] = [];
  private readonly announce: (f: Finding, analysis: Analysis) => void;

  constructor(opts: LivePipelineOptions) {
    this.announce = opts.announce;
    this.judge = new OnePassAnalysis({
      config: opts.config,
      detectors: opts.detectors,
      writeRow: (frame, rows, at) => writeFrameRow(frame as FrameDecoder, rows, at),
      replayFrame: new FrameDecoder(),
      onFinding: (f) => this.fresh.push(f),
    });
    this.writePath = opts.writePath;
    this.onWriteError = opts.onWriteError;
    if (opts.writePath !== undefined && opts.linkType !== undefined) this.openWriter(opts.linkType);
  }

  /** A write failed: the writer has cut the file back to its last whole record and closed it; no more frames go to it. */
  private writeFailed(err: unknown): void {
    this.writer = undefined;
    this.writeError = err;
    this.onWriteError?.(err);
  }

  /** Pushes the frames written so far to the file (called about once a second: a kill -9 loses at most that much). */
  flushWrite(): void {
    if (this.writer === undefined) return;
    try {
      this.writer.flush();
    } catch (err) {
      this.writeFailed(err);
    }
  }

  private openWriter(linkType: number): void {
    this.writer = openPcapFile(this.writePath!, { linkType, nanosecond: true });
    this.writtenLinkType = linkType;
  }

  private write(rec: FrameRecord): void {
    if (this.writeError !== undefined) return;
    if (this.writer === undefined) this.openWriter(rec.linkType);
    if (rec.linkType !== this.writtenLinkType) {
      this.notWritten++;
      return;
    }
    try {
      this.writer!.write(rec.tsSec, rec.tsNsec, rec.data, rec.offset, rec.capLen, rec.wireLen);
    } catch (err) {
      this.writeFailed(err);
    }
  }

  /** The analysis judging now: its gateways and findings so far (live view). */
  get analysis(): Analysis {
    return this.judge.analysis;
  }

  frame(rec: FrameRecord): void {
    this.frames++;
    if (this.writePath !== undefined) this.write(rec);
    // Copies of one frame in an `-i any` capture are judged once, as analyze does.
    if (this.dedup.isDuplicate(rec)) return;
    const d = this.decoder;
    d.decode(rec);
    this.tsDigits = d.tsDigits;
    this.stats.observe(d);
    this.judge.observe(d);
    if (this.fresh.length > 0) this.announceFresh();
  }

  private announceFresh(): void {
    for (const f of this.fresh) this.announce(f, this.judge.analysis);
    this.fresh.length = 0;
  }

  /** The findings so far in the order first raised, without ending the analysis (live view). */
  findings(): Finding[] {
    return this.judge.analysis.ctx.findings.all();
  }

  /** Ends the analysis and closes the file (a failure to write its last frames is in `writeError`). */
  finish(): { result: AnalysisResult; judgement: Judgement } {
    try {
      this.writer?.close();
    } catch (err) {
      this.writeFailed(err);
    }
    this.writer = undefined;
    const done = this.judge.finish();
    // Findings held while the anycast pick was a coin toss are announced before the report.
    if (this.fresh.length > 0) this.announceFresh();
    return done;
  }
}
