/**
 * Layer ids and stop reasons shared by every decoder. A frame decodes into a
 * bitmask of layers (`Layer`), plus — where decoding ended early — which
 * layer stopped it and why (`Stop`), with the length it needed and had.
 */
export const Layer = {
  none: 0,
  ethernet: 1 << 0,
  vlan: 1 << 1,
  sll: 1 << 2,
  batadv: 1 << 3,
  arp: 1 << 4,
  ipv4: 1 << 5,
  ipv6: 1 << 6,
  icmp: 1 << 7,
  icmpv6: 1 << 8,
  udp: 1 << 9,
  tcp: 1 << 10,
  llc: 1 << 11,
  ppp: 1 << 12,
  dhcp: 1 << 13,
} as const;
export type LayerId = (typeof Layer)[keyof typeof Layer];

export const Stop = {
  /** Every layer we know how to decode was decoded. */
  none: 0,
  /** The capture holds fewer bytes than the layer needs (snap length, or the frame was cut). */
  truncated: 1,
  /** A length or count field contradicts itself or the frame. */
  malformed: 2,
  /** A version field we do not decode (IPv4 with version 6, batman-adv compat version 14…). */
  unsupportedVersion: 3,
  /** The link type of the interface has no decoder. */
  unsupportedLinkType: 4,
} as const;
export type StopCode = (typeof Stop)[keyof typeof Stop];

export function layerName(layer: number): string {
  switch (layer) {
    case Layer.ethernet:
      return 'ethernet';
    case Layer.vlan:
      return 'vlan';
    case Layer.sll:
      return 'sll';
    case Layer.batadv:
      return 'batadv';
    case Layer.arp:
      return 'arp';
    case Layer.ipv4:
      return 'ipv4';
    case Layer.ipv6:
      return 'ipv6';
    case Layer.icmp:
      return 'icmp';
    case Layer.icmpv6:
      return 'icmpv6';
    case Layer.udp:
      return 'udp';
    case Layer.tcp:
      return 'tcp';
    case Layer.llc:
      return 'llc';
    case Layer.ppp:
      return 'ppp';
    case Layer.dhcp:
      return 'dhcp';
    case Layer.none:
      return 'link';
    default:
      return `layer ${layer}`;
  }
}

export function stopName(code: number): string {
  switch (code) {
    case Stop.none:
      return 'complete';
    case Stop.truncated:
      return 'truncated';
    case Stop.malformed:
      return 'malformed';
    case Stop.unsupportedVersion:
      return 'unsupported version';
    case Stop.unsupportedLinkType:
      return 'unsupported link type';
    default:
      return `stop ${code}`;
  }
}

/** What a layer decoder reports back to the frame decoder. */
export interface StopSink {
  stop(layer: LayerId, code: StopCode, need: number, have: number): void;
}
