/**
 * What detectors read of a decoded frame: the frame's metadata, its
 * link-layer addresses and the few fields of each layer the analysis
 * judges by. `FrameDecoder` provides it over the frame's bytes; on the
 * threaded path (`parallel/`) a `FrameRowView` provides the same numbers
 * from a row the decode thread wrote. Fields of a layer whose bit is not
 * set in `layers` are stale: check the bit first.
 */
export interface DecodedFrame {
  readonly number: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly tsDigits: number;
  readonly wireLen: number;
  readonly layers: number;
  /** 48-bit MACs as numbers, NO_MAC (-1) when the link has none. */
  readonly l2Src: number;
  readonly l2Dst: number;
  readonly arp: DecodedArp;
  readonly ipv4: DecodedIpv4;
  readonly ipv6: DecodedIpv6;
  readonly icmp: DecodedEcho;
  readonly icmpv6: DecodedIcmpv6;
  readonly tcp: DecodedPorts;
  readonly udp: DecodedPorts;
}

export interface DecodedArp {
  readonly complete: boolean;
  readonly op: number;
  readonly sha: number;
  readonly spa: number;
  readonly tha: number;
  readonly tpa: number;
  isEthernetIpv4(): boolean;
}

export interface DecodedIpv4 {
  readonly src: number;
  readonly dst: number;
  readonly protocol: number;
}

export interface DecodedIpv6 {
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly nextHeader: number;
}

export interface DecodedEcho {
  readonly type: number;
  /** Echo identifier and sequence number, -1 for types without them. */
  readonly id: number;
  readonly seq: number;
}

export interface DecodedIcmpv6 extends DecodedEcho {
  /** Neighbor solicitation/advertisement target address. */
  readonly hasTarget: boolean;
  readonly target: Uint32Array;
  readonly targetLinkAddr: number;
}

export interface DecodedPorts {
  readonly srcPort: number;
  readonly dstPort: number;
}
