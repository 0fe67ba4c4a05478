import { CaptureFormatError } from '../core/errors.js';
import { readCapture, type ReadResult } from '../source/capture-reader.js';
import type { CaptureFormat } from '../source/parser.js';
import { AnyCaptureDedup } from '../source/any-dedup.js';
import type { FrameRecord } from '../core/frame-record.js';
import { isSupportedLinkType, unsupportedLinkTypeText } from '../core/link-type.js';
import { FrameDecoder } from '../decode/frame-decoder.js';
import { DecodeStats } from '../decode/stats.js';

export interface ReadFramesOptions {
  input: string;
  /** Keep every copy of a frame a `-i any` capture recorded on several interfaces. */
  keepDuplicates: boolean;
  /** Stop after this many frames (0 = all). */
  count: number;
  /**
   * Called with the decoder positioned on each frame, synchronously; `copy`
   * is true for a copy of an earlier frame in an `-i any` capture (only
   * with `markDuplicates`, which delivers them instead of dropping them).
   */
  onFrame(decoder: FrameDecoder, copy: boolean): void;
  /** Deliver copies too, marked (overrides keepDuplicates). */
  markDuplicates?: boolean;
  /** Frames for which this returns false are counted but not decoded (a pass that needs only some frames). */
  wants?: (rec: FrameRecord) => boolean;
  /** Counters to fill (default: new ones), for a caller that reports them while reading (the decode thread). */
  stats?: DecodeStats;
  dedup?: AnyCaptureDedup;
  /** Told the capture format as soon as the header is read. */
  onFormat?: (format: CaptureFormat) => void;
}

export interface ReadFramesResult {
  read: ReadResult | undefined;
  /** Capture format, when the header got that far. */
  format: CaptureFormat | undefined;
  stats: DecodeStats;
  duplicates: number;
  /** Non-fatal problems: frames on interfaces whose link type we cannot decode (one line per link type). */
  warnings: string[];
  /** The fault that ended reading early, if any; every frame before it was delivered. */
  error: unknown;
}

/**
 * The offline pipeline shared by every command: source → (de-duplicate
 * `-i any` copies) → decode → the command's consumer. Errors never escape:
 * they come back in `error` with the counts of everything read before.
 */
export async function readFrames(opts: ReadFramesOptions): Promise<ReadFramesResult> {
  const decoder = new FrameDecoder();
  const stats = opts.stats ?? new DecodeStats();
  const dedup = opts.dedup ?? new AnyCaptureDedup();
  const warnings: string[] = [];
  /**
   * Per unsupported link type: interfaces declared with it, the first one's
   * offset, frames seen on them. A pcapng may declare many such interfaces
   * that never carry a packet (mergecap keeps every input's), or a million
   * of them (a crafted file): one warning per link type that carried
   * frames, with counts, not one per interface.
   */
  const unsupported = new Map<number, { interfaces: number; declaredAt: number; frames: number }>();
  let delivered = 0;
  let read: ReadResult | undefined;
  let error: unknown;
  let format: CaptureFormat | undefined;
  const sink = {
    frame(rec: FrameRecord): void {
      if (opts.count > 0 && delivered >= opts.count) return;
      let copy = false;
      if (opts.markDuplicates === true) copy = dedup.isDuplicate(rec);
      else if (!opts.keepDuplicates && dedup.isDuplicate(rec)) return;
      delivered++;
      if (opts.wants !== undefined && !opts.wants(rec)) {
        stats.frames++;
        return;
      }
      decoder.decode(rec);
      stats.observe(decoder);
      // Only files that declared an unsupported interface pay for the lookup (a Set probe per frame
      // was 3.5 % of the decode thread on the bench capture).
      if (unsupported.size !== 0 && !isSupportedLinkType(rec.linkType)) {
        const u = unsupported.get(rec.linkType);
        if (u !== undefined) u.frames++;
      }
      opts.onFrame(decoder, copy);
    },
  };
  try {
    read = await readCapture(opts.input, sink, {
      onInterface(info, _index, fileFormat) {
        if (format === undefined) opts.onFormat?.(fileFormat);
        format = fileFormat;
        if (isSupportedLinkType(info.linkType)) return;
        if (fileFormat === 'pcap') throw new CaptureFormatError(unsupportedLinkTypeText(info.linkType), info.declaredAt);
        const u = unsupported.get(info.linkType);
        if (u !== undefined) u.interfaces++;
        else unsupported.set(info.linkType, { interfaces: 1, declaredAt: info.declaredAt, frames: 0 });
      },
      shouldStop: () => opts.count > 0 && delivered >= opts.count,
    });
  } catch (err) {
    error = err;
  }
  for (const [linkType, u] of unsupported) {
    if (u.frames === 0) continue;
    const where = u.interfaces === 1 ? `byte ${u.declaredAt}: an interface` : `${u.interfaces} interfaces (the first at byte ${u.declaredAt})`;
    warnings.push(
      `${where}: ${unsupportedLinkTypeText(linkType)}; ${u.frames} frame${u.frames === 1 ? '' : 's'} on ${u.interfaces === 1 ? 'it' : 'them'} counted but not decoded`,
    );
  }
  return { read, format: read?.format ?? format, stats, duplicates: dedup.duplicates, warnings, error };
}
