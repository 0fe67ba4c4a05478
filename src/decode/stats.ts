import type { FrameDecoder } from './frame-decoder.js';
import { Layer, Stop } from './layer.js';

/** Words DecodeStats.writeTo fills. */
export const STATS_WORDS = 22;

/** Counters of what the decoder saw: frames per layer, and frames that stopped early and why. */
export class DecodeStats {
  frames = 0;
  bytes = 0;
  /** Count per layer bit (index = bit position of the Layer value). */
  readonly perLayer = new Float64Array(16);
  truncated = 0;
  malformed = 0;
  unsupportedVersion = 0;
  unsupportedLinkType = 0;

  observe(d: FrameDecoder): void {
    this.observeParts(d.layers, d.wireLen, d.stopCode);
  }

  /** observe() from the three numbers it uses (a frame row on the threaded path). */
  observeParts(layerBits: number, wireLen: number, stopCode: number): void {
    this.frames++;
    this.bytes += wireLen;
    // Walk only the set bits (a frame has 3-5 layers): clz32 finds each in one instruction.
    let layers = layerBits;
    while (layers !== 0) {
      const bit = 31 - Math.clz32(layers);
      this.perLayer[bit]!++;
      layers &= ~(1 << bit);
    }
    switch (stopCode) {
      case Stop.truncated:
        this.truncated++;
        break;
      case Stop.malformed:
        this.malformed++;
        break;
      case Stop.unsupportedVersion:
        this.unsupportedVersion++;
        break;
      case Stop.unsupportedLinkType:
        this.unsupportedLinkType++;
        break;
      default:
        break;
    }
  }

  /** Every counter into `out[at .. at + STATS_WORDS)`, to cross threads through shared memory. */
  writeTo(out: Float64Array, at: number): void {
    out[at] = this.frames;
    out[at + 1] = this.bytes;
    out.set(this.perLayer, at + 2);
    out[at + 18] = this.truncated;
    out[at + 19] = this.malformed;
    out[at + 20] = this.unsupportedVersion;
    out[at + 21] = this.unsupportedLinkType;
  }

  readFrom(src: Float64Array, at: number): void {
    this.frames = src[at]!;
    this.bytes = src[at + 1]!;
    this.perLayer.set(src.subarray(at + 2, at + 18));
    this.truncated = src[at + 18]!;
    this.malformed = src[at + 19]!;
    this.unsupportedVersion = src[at + 20]!;
    this.unsupportedLinkType = src[at + 21]!;
  }

  count(layer: number): number {
    return this.perLayer[31 - Math.clz32(layer)]!;
  }

  /** Layer name → frame count, for reports. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, value] of Object.entries(Layer)) {
      if (value === 0) continue;
      out[name] = this.count(value);
    }
    return out;
  }
}
