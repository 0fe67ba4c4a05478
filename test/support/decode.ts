import assert from 'node:assert/strict';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { Layer, Stop, layerName, stopName } from '../../src/decode/layer.js';
import { LinkType } from '../../src/core/link-type.js';
import { ipv4Addr, ipv6Addr, mac } from './frame-builder.js';

/**
 * Helpers for the decoder unit tests: decode raw bytes with one reused
 * FrameDecoder (as the pipeline does), turn address text into the numbers
 * the views hold, and cut a vector at every length.
 */

const decoder = new FrameDecoder();

/** Decodes `bytes[0, end)` on `linkType` with the shared decoder (overwritten by the next call). */
export function decode(bytes: Uint8Array, linkType: number = LinkType.ethernet, end: number = bytes.length): FrameDecoder {
  decoder.decodeBytes(bytes, 0, end, linkType);
  return decoder;
}

/** Layer bitmask as a sorted list of names, so a failed assertion reads as words. */
export function layerNames(mask: number): string[] {
  const names: string[] = [];
  for (const value of Object.values(Layer)) if (value !== 0 && (mask & value) !== 0) names.push(layerName(value));
  return names;
}

/** First assertion of every vector: exactly these layers decoded. */
export function assertLayers(d: FrameDecoder, expected: number, message?: string): void {
  assert.deepEqual(layerNames(d.layers), layerNames(expected), message);
  assert.equal(d.layers, expected, message);
}

export function assertStop(d: FrameDecoder, layer: number, code: number, message?: string): void {
  assert.deepEqual([layerName(d.stopLayer), stopName(d.stopCode)], [layerName(layer), stopName(code)], message);
}

/** MAC text → the 48-bit number the views hold. */
export function macNum(s: string): number {
  const b = mac(s);
  return b.readUIntBE(0, 6);
}

/** IPv4 text → uint32. */
export function ip4(s: string): number {
  return ipv4Addr(s).readUInt32BE(0);
}

/** IPv6 text → four 32-bit words, comparable with `[...view.src]`. */
export function ip6(s: string): number[] {
  const b = ipv6Addr(s);
  return [0, 4, 8, 12].map((o) => b.readUInt32BE(o));
}

/** Hex dump text (spaces and newlines ignored) → bytes, for hand-made malformed vectors. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/**
 * One layer of a vector, for the cut loop: `end` is the byte offset where
 * the layer has everything it decodes; `reportedAt` (default `end`) is the
 * length from which its bit is set even though it was cut (ARP keeps its
 * fixed 8 bytes, ICMP its type/code). `clears` removes earlier bits once
 * this layer is reached (the inner Ethernet of batman-adv replaces the outer).
 */
export interface Segment {
  layer: number;
  end: number;
  reportedAt?: number;
  clears?: number;
}

/**
 * Cuts `bytes` at every length below its full length and checks: decoding
 * never throws; the layers before the cut are reported; the layer that was
 * cut is `stopLayer` with Stop.truncated; and past the last segment (payload
 * not decoded, Ethernet padding) the frame decodes completely, exactly as
 * the whole vector does. A segment with layer Layer.none stands for the
 * link itself (raw IP needs one byte to tell IPv4 from IPv6).
 */
export function assertEveryCut(bytes: Uint8Array, linkType: number, segments: readonly Segment[]): void {
  const full = segments.reduce((m, s) => m | s.layer, 0);
  for (let cut = 0; cut < bytes.length; cut++) {
    let d: FrameDecoder;
    try {
      d = decode(bytes, linkType, cut);
    } catch (err) {
      assert.fail(`decoding the first ${cut} bytes threw: ${String(err)}`);
    }
    const at = `cut at ${cut} of ${bytes.length}`;
    const cutIndex = segments.findIndex((s) => cut < s.end);
    if (cutIndex < 0) {
      assertLayers(d, full, `${at}: only padding or undecoded payload is missing`);
      assertStop(d, Layer.none, Stop.none, at);
      continue;
    }
    let expected = 0;
    for (const s of segments.slice(0, cutIndex + 1)) {
      if (s.clears !== undefined) expected &= ~s.clears;
      if (cut >= (s.reportedAt ?? s.end)) expected |= s.layer;
    }
    assertLayers(d, expected, at);
    assertStop(d, segments[cutIndex]!.layer, Stop.truncated, at);
    assert.ok(d.stopHave < d.stopNeed, `${at}: have ${d.stopHave} < need ${d.stopNeed}`);
  }
  // And the whole vector decodes completely.
  const d = decode(bytes, linkType);
  assertLayers(d, full, 'the whole vector');
  assertStop(d, Layer.none, Stop.none, 'the whole vector');
}
