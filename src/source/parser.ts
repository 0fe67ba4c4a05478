import type { FrameSink } from '../core/frame-record.js';

/**
 * A capture format walked in place over the reader's buffer. `parse` consumes
 * as many whole records as `buf[start, end)` holds, delivers each to the sink
 * synchronously, and returns where it stopped; `needed` then says how many
 * bytes from that point it must see to make progress, so the reader can
 * refill or grow its buffer. Corruption throws CaptureFormatError after the
 * frames before it have been delivered.
 */
export interface CaptureParser {
  readonly format: CaptureFormat;
  needed: number;
  parse(buf: Uint8Array, start: number, end: number, fileOffset: number, sink: FrameSink): number;
  /** Called at end of input with the bytes left unconsumed; throws if they are a cut record. */
  finish(leftover: number, fileOffset: number): void;
  /** Interfaces (id → LINKTYPE) declared so far, for reports and link-type checks. */
  readonly interfaces: InterfaceInfo[];
  /** Records longer than their interface's snap length, read whole as libpcap and tshark read them. */
  readonly recordsOverSnapLen: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface InterfaceInfo {
  linkType: number;
  snapLen: number;
  /** Decimal digits of the interface's clock (6 = µs, 9 = ns). */
  tsDigits: number;
  /** File offset where the interface was declared. */
  declaredAt: number;
}

/** libpcap refuses records larger than this (MAXIMUM_SNAPLEN); so do we. */
export const MAX_RECORD_BYTES = 262144;
/** libpcap's cap on a pcapng block (16 MiB): anything larger is corruption, not data. */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;

export type InterfaceListener = (info: InterfaceInfo, index: number, format: CaptureFormat) => void;
