import { Layer, Stop, type StopSink } from './layer.js';
import { be16 } from './read.js';

const TAG_BYTES = 4;
/** More tags than this is a loop of garbage, not a real frame. */
export const MAX_VLAN_TAGS = 8;

/**
 * 802.1Q / 802.1ad tags, stacked in the order they appear (outer first).
 * The same decoder serves 0x8100, 0x88a8 and 0x9100, so QinQ needs nothing
 * special: the dispatch simply comes back here while tags follow.
 */
export class VlanTags {
  count = 0;
  readonly tpid = new Uint16Array(MAX_VLAN_TAGS);
  readonly tci = new Uint16Array(MAX_VLAN_TAGS);
  /** EtherType following the innermost tag. */
  etherType = 0;
  payloadOffset = 0;

  reset(): void {
    this.count = 0;
  }

  vid(i: number): number {
    return this.tci[i]! & 0x0fff;
  }

  pcp(i: number): number {
    return this.tci[i]! >>> 13;
  }

  dei(i: number): number {
    return (this.tci[i]! >>> 12) & 1;
  }

  /** Innermost VLAN id, or -1 for an untagged frame. */
  innerVid(): number {
    return this.count === 0 ? -1 : this.vid(this.count - 1);
  }

  decode(b: Uint8Array, off: number, end: number, tpid: number, stops: StopSink): boolean {
    if (end - off < TAG_BYTES) {
      stops.stop(Layer.vlan, Stop.truncated, TAG_BYTES, end - off);
      return false;
    }
    if (this.count === MAX_VLAN_TAGS) {
      stops.stop(Layer.vlan, Stop.malformed, MAX_VLAN_TAGS, MAX_VLAN_TAGS + 1);
      return false;
    }
    this.tpid[this.count] = tpid;
    this.tci[this.count] = be16(b, off);
    this.count++;
    this.etherType = be16(b, off + 2);
    this.payloadOffset = off + TAG_BYTES;
    return true;
  }
}
