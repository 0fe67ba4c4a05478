import { CaptureFormatError, CaptureInputError, EnvironmentError, UsageError } from '../core/errors.js';
import { DecodeStats } from '../decode/stats.js';
import type { ReadFramesResult } from './read-frames.js';

/**
 * A ReadFramesResult as plain data, to cross from the decode thread to the
 * analysis thread (structured clone keeps an Error's message but not its
 * class or fields, and the CLI words each class differently).
 */
export interface WireReadResult {
  read: ReadFramesResult['read'];
  format: ReadFramesResult['format'];
  stats: { frames: number; bytes: number; perLayer: number[]; truncated: number; malformed: number; unsupportedVersion: number; unsupportedLinkType: number };
  duplicates: number;
  warnings: string[];
  error: WireError | undefined;
}

type WireError =
  | { kind: 'format'; message: string; offset: number; cutShort: boolean }
  | { kind: 'input'; message: string; code: string }
  | { kind: 'usage' | 'environment' | 'other'; message: string }
  | { kind: 'errno'; message: string; code: string };

function errorToWire(err: unknown): WireError | undefined {
  if (err === undefined) return undefined;
  if (err instanceof CaptureFormatError) return { kind: 'format', message: err.message, offset: err.offset, cutShort: err.cutShort };
  if (err instanceof CaptureInputError) return { kind: 'input', message: err.message, code: err.code };
  if (err instanceof UsageError) return { kind: 'usage', message: err.message };
  if (err instanceof EnvironmentError) return { kind: 'environment', message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string') return { kind: 'errno', message: e.message, code: e.code };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

function errorFromWire(w: WireError | undefined): unknown {
  if (w === undefined) return undefined;
  switch (w.kind) {
    case 'format':
      return new CaptureFormatError(w.message, w.offset, w.cutShort);
    case 'input':
      return new CaptureInputError(w.message, w.code);
    case 'usage':
      return new UsageError(w.message);
    case 'environment':
      return new EnvironmentError(w.message);
    case 'errno':
      return Object.assign(new Error(w.message), { code: w.code });
    case 'other':
      return new Error(w.message);
  }
}

export function resultToWire(r: ReadFramesResult): WireReadResult {
  const s = r.stats;
  return {
    read: r.read,
    format: r.format,
    stats: {
      frames: s.frames,
      bytes: s.bytes,
      perLayer: [...s.perLayer],
      truncated: s.truncated,
      malformed: s.malformed,
      unsupportedVersion: s.unsupportedVersion,
      unsupportedLinkType: s.unsupportedLinkType,
    },
    duplicates: r.duplicates,
    warnings: r.warnings,
    error: errorToWire(r.error),
  };
}

export function resultFromWire(w: WireReadResult): ReadFramesResult {
  const stats = new DecodeStats();
  stats.frames = w.stats.frames;
  stats.bytes = w.stats.bytes;
  stats.perLayer.set(w.stats.perLayer);
  stats.truncated = w.stats.truncated;
  stats.malformed = w.stats.malformed;
  stats.unsupportedVersion = w.stats.unsupportedVersion;
  stats.unsupportedLinkType = w.stats.unsupportedLinkType;
  return { read: w.read, format: w.format, stats, duplicates: w.duplicates, warnings: w.warnings, error: errorFromWire(w.error) };
}
