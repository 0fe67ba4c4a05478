import type { ArpView } from './arp.js';
import type { BatadvView } from './batadv.js';
import type { DhcpView } from './dhcp.js';
import type { EthernetView } from './ethernet.js';
import type { IcmpView } from './icmp.js';
import type { Icmpv6View } from './icmpv6.js';
import type { Ipv4View } from './ipv4.js';
import type { Ipv6View } from './ipv6.js';
import type { LayerId, StopCode } from './layer.js';
import type { SllView } from './sll.js';
import type { TcpView, UdpView } from './transport.js';
import type { VlanTags } from './vlan.js';

/**
 * What detectors read of a decoded frame: the frame's metadata, its
 * link-layer addresses and the few fields of each layer the analysis
 * judges by. `FrameDecoder` provides it over the frame's bytes; on the
 * threaded path (`pipeline/frame-ring.ts`) a `FrameRowView` provides the same numbers
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
  readonly tcp: DecodedTcp;
  readonly udp: DecodedPorts;
  readonly dhcp: DecodedDhcp;
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
  /** Neighbor advertisement flags byte (NaFlag: router/solicited/override), -1 when absent. */
  readonly naFlags: number;
  /**
   * Router advertisement fields (valid when `type` is 134): hop limit, flags
   * byte, router lifetime (s), MTU option (0: none), the digest of its content
   * (Icmpv6View.raDigest), the first prefix (length -1: none) and its
   * lifetimes, the first RDNSS address, and how many of each.
   */
  readonly raHopLimit: number;
  readonly raFlags: number;
  readonly raLifetime: number;
  readonly raMtu: number;
  readonly raDigest: number;
  readonly prefixCount: number;
  readonly raPrefix: Uint32Array;
  readonly raPrefixLength: number;
  readonly raPrefixValid: number;
  readonly raPrefixPreferred: number;
  readonly rdnssCount: number;
  readonly raRdnss: Uint32Array;
}

/** What the DHCP detectors judge: who answered, and the router/DNS servers it handed out. */
export interface DecodedDhcp {
  /** Option 53, -1 when absent. */
  readonly messageType: number;
  /** First router (option 3) and how many were listed; 0: no option. */
  readonly router: number;
  readonly routerCount: number;
  /** First DNS server (option 6) and how many were listed; 0: no option. */
  readonly dns: number;
  readonly dnsCount: number;
  /** Option 54, -1 when absent. */
  readonly serverId: number;
  /** The client's MAC (chaddr), NO_MAC when it is not an Ethernet address. */
  readonly chaddr: number;
}

export interface DecodedPorts {
  readonly srcPort: number;
  readonly dstPort: number;
}

/** TCP: the ports, and what shows a connection breaking (resets, a segment sent again). */
export interface DecodedTcp extends DecodedPorts {
  /** Sequence number (uint32). */
  readonly seq: number;
  /** The flag bits (TcpFlag: FIN, SYN, RST, PSH, ACK, URG). */
  readonly flags: number;
  /** Payload bytes by the IP length fields (not the capture: a snap-length cut segment keeps its length). */
  readonly payloadLength: number;
}

/**
 * Everything a renderer (`frames`, its JSON) shows of a frame: the
 * detectors' fields plus every layer view, the stop reason and the capture
 * metadata. `FrameDecoder` implements it; renderers depend on this, never
 * on the decoder or the frame buffer.
 */
export interface FrameDetail extends DecodedFrame {
  readonly capLen: number;
  readonly linkType: number;
  readonly interfaceId: number;
  /** Offset of the frame in the buffer the layer offsets below count from. */
  readonly offset: number;
  readonly stopLayer: LayerId;
  readonly stopCode: StopCode;
  readonly stopNeed: number;
  readonly stopHave: number;
  readonly etherType: number;
  readonly pppProtocol: number;
  readonly ethernet: EthernetView;
  readonly vlan: VlanTags;
  readonly sll: SllView;
  readonly batadv: BatadvView;
  readonly arp: ArpView;
  readonly ipv4: Ipv4View;
  readonly ipv6: Ipv6View;
  readonly icmp: IcmpView;
  readonly icmpv6: Icmpv6View;
  readonly tcp: TcpView;
  readonly udp: UdpView;
  readonly dhcp: DhcpView;
  has(layer: LayerId): boolean;
  /** The bytes of a field a view could not express as a number (an address of an unusual length), `length` bytes at `at`. */
  fieldBytes(at: number, length: number): Uint8Array;
}
