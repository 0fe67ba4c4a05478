import { FrameDecoder } from '../decode/frame-decoder.js';
import { DecodeStats } from '../decode/stats.js';
import { Analysis, type AnalysisResult } from '../detect/analysis.js';
import type { AnycastConfig } from '../detect/config.js';
import type { DetectorDefinition } from '../detect/detector.js';
import type { Finding } from '../detect/findings.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { openPcapFile, type PcapFileWriter } from '../source/pcap-writer.js';

/**
 * The live path shared by `watch` and `replay`: every frame is decoded and
 * judged synchronously as it arrives (the capture engine reuses its buffer,
 * so nothing may be kept by reference), optionally written to a pcap, and
 * each finding is announced once, the moment it is first raised — after the
 * frame's detectors have all run, so its first clients and details are in.
 */
export class LivePipeline implements FrameSink {
  readonly decoder = new FrameDecoder();
  readonly stats = new DecodeStats();
  readonly analysis: Analysis;
  frames = 0;
  tsDigits = 9;
  private readonly writer: PcapFileWriter | undefined;
  private readonly fresh: Finding[] = [];
  private readonly announce: (f: Finding) => void;
  /** Every finding in the order first seen, for the live view's "latest". */
  readonly seen: Finding[] = [];

  constructor(config: AnycastConfig, detectors: readonly DetectorDefinition[], announce: (f: Finding) => void, writePath?: string) {
    this.analysis = new Analysis(config, [], detectors);
    this.announce = announce;
    this.analysis.ctx.findings.onNew = (f) => this.fresh.push(f);
    this.writer = writePath === undefined ? undefined : openPcapFile(writePath, { linkType: 1, nanosecond: true });
  }

  frame(rec: FrameRecord): void {
    this.frames++;
    this.writer?.write(rec.tsSec, rec.tsNsec, rec.data, rec.offset, rec.capLen, rec.wireLen);
    const d = this.decoder;
    d.decode(rec);
    this.tsDigits = d.tsDigits;
    this.stats.observe(d);
    this.analysis.observe(d);
    if (this.fresh.length > 0) {
      for (const f of this.fresh) {
        this.seen.push(f);
        this.announce(f);
      }
      this.fresh.length = 0;
    }
  }

  /** The findings so far, without ending the analysis (live view). */
  findings(): Finding[] {
    return this.seen;
  }

  finish(): AnalysisResult {
    this.writer?.close();
    return this.analysis.finish();
  }
}
