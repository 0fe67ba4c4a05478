import { Layer, Stop, type StopSink } from './layer.js';
import { be32, mac48, be16, NO_MAC } from './read.js';

/** batman-adv compatibility version this decoder understands (batadv_packet.h, BATADV_COMPAT_VERSION). */
export const BATADV_COMPAT_VERSION = 15;

/** enum batadv_packettype, compat version 15. */
export const BatadvType = {
  ivOgm: 0x00,
  broadcast: 0x01,
  coded: 0x02,
  elp: 0x03,
  ogm2: 0x04,
  multicast: 0x05,
  unicast: 0x40,
  unicastFrag: 0x41,
  unicast4addr: 0x42,
  icmp: 0x43,
  unicastTvlv: 0x44,
} as const;

const UNICAST_BYTES = 10; // type, version, ttl, ttvn, dest[6]
const UNICAST_4ADDR_BYTES = 18; // unicast header, src[6], subtype, reserved
const BROADCAST_BYTES = 14; // type, version, ttl, reserved, seqno[4], orig[6]
const COMMON_BYTES = 2; // type, version

export function batadvTypeName(type: number): string {
  switch (type) {
    case BatadvType.ivOgm:
      return 'iv_ogm';
    case BatadvType.broadcast:
      return 'bcast';
    case BatadvType.coded:
      return 'coded';
    case BatadvType.elp:
      return 'elp';
    case BatadvType.ogm2:
      return 'ogm2';
    case BatadvType.multicast:
      return 'mcast';
    case BatadvType.unicast:
      return 'unicast';
    case BatadvType.unicastFrag:
      return 'unicast_frag';
    case BatadvType.unicast4addr:
      return 'unicast_4addr';
    case BatadvType.icmp:
      return 'icmp';
    case BatadvType.unicastTvlv:
      return 'unicast_tvlv';
    default:
      return `type 0x${type.toString(16).padStart(2, '0')}`;
  }
}

/**
 * batman-adv header (EtherType 0x4305). Unicast, 4-address unicast and
 * broadcast packets carry a whole Ethernet frame after the header; the frame
 * decoder goes on with that inner frame, so a capture taken on a mesh
 * interface (bat0's hard interfaces) is analysed like one on the bridge.
 * The outer, hop-by-hop Ethernet addresses are kept here.
 */
export class BatadvView {
  packetType = 0;
  version = 0;
  ttl = 0;
  ttvn = 0;
  /** Unicast destination originator, or NO_MAC. */
  dest = NO_MAC;
  /** 4-address source originator or broadcast originator, or NO_MAC. */
  orig = NO_MAC;
  subtype = -1;
  seqno = -1;
  outerSrc = 0;
  outerDst = 0;
  /** Offset of the carried Ethernet frame, or -1 when this packet type carries none we decode. */
  innerOffset = -1;

  decode(b: Uint8Array, off: number, end: number, outerSrc: number, outerDst: number, stops: StopSink): boolean {
    this.outerSrc = outerSrc;
    this.outerDst = outerDst;
    this.innerOffset = -1;
    this.dest = NO_MAC;
    this.orig = NO_MAC;
    this.subtype = -1;
    this.seqno = -1;
    this.ttl = 0;
    this.ttvn = 0;
    if (end - off < COMMON_BYTES) {
      stops.stop(Layer.batadv, Stop.truncated, COMMON_BYTES, end - off);
      return false;
    }
    this.packetType = b[off]!;
    this.version = b[off + 1]!;
    if (this.version !== BATADV_COMPAT_VERSION) {
      stops.stop(Layer.batadv, Stop.unsupportedVersion, BATADV_COMPAT_VERSION, this.version);
      return false;
    }
    let need = 0;
    switch (this.packetType) {
      case BatadvType.unicast:
        need = UNICAST_BYTES;
        break;
      case BatadvType.unicast4addr:
        need = UNICAST_4ADDR_BYTES;
        break;
      case BatadvType.broadcast:
        need = BROADCAST_BYTES;
        break;
      default:
        // OGMs, ELP, fragments, batman ICMP, TVLV: mesh control traffic, no client frame to decode.
        if (end - off >= 3) this.ttl = b[off + 2]!;
        return true;
    }
    if (end - off < need) {
      stops.stop(Layer.batadv, Stop.truncated, need, end - off);
      return false;
    }
    this.ttl = b[off + 2]!;
    if (this.packetType === BatadvType.broadcast) {
      this.seqno = be32(b, off + 4);
      this.orig = mac48(b, off + 8);
    } else {
      this.ttvn = b[off + 3]!;
      this.dest = mac48(b, off + 4);
      if (this.packetType === BatadvType.unicast4addr) {
        this.orig = mac48(b, off + 10);
        this.subtype = be16(b, off + 16) >>> 8;
      }
    }
    this.innerOffset = off + need;
    return true;
  }
}
