import type { FrameDecoder } from './frame-decoder.js';
import { Layer, Stop } from './layer.js';

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
    this.frames++;
    this.bytes += d.wireLen;
    // Walk only the set bits (a frame has 3-5 layers): clz32 finds each in one instruction.
    let layers = d.layers;
    while (layers !== 0) {
      const bit = 31 - Math.clz32(layers);
      this.perLayer[bit]!++;
      layers &= ~(1 << bit);
    }
    switch (d.stopCode) {
      case Stop.truncated: this.truncated++; break;
      case Stop.malformed: this.malformed++; break;
      case Stop.unsupportedVersion: this.unsupportedVersion++; break;
      case Stop.unsupportedLinkType: this.unsupportedLinkType++; break;
      default: break;
    }
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
