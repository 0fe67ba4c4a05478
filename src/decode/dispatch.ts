import { Layer, type LayerId } from './layer.js';

/**
 * Which decoder comes next, as data in one place (EtherType, IP protocol,
 * link type → layer). Layer files never import each other; the frame
 * decoder looks the next step up here. Typed arrays make the lookup one
 * indexed load per layer.
 */

export const EtherType = {
  ipv4: 0x0800,
  arp: 0x0806,
  rarp: 0x8035,
  vlan: 0x8100,
  qinq: 0x88a8,
  qinqOld: 0x9100,
  ipv6: 0x86dd,
  batadv: 0x4305,
} as const;

export const IpProtocol = {
  icmp: 1,
  tcp: 6,
  udp: 17,
  icmpv6: 58,
} as const;

const byEtherType = new Uint16Array(65536);
byEtherType[EtherType.ipv4] = Layer.ipv4;
byEtherType[EtherType.ipv6] = Layer.ipv6;
byEtherType[EtherType.arp] = Layer.arp;
byEtherType[EtherType.rarp] = Layer.arp;
byEtherType[EtherType.vlan] = Layer.vlan;
byEtherType[EtherType.qinq] = Layer.vlan;
byEtherType[EtherType.qinqOld] = Layer.vlan;
byEtherType[EtherType.batadv] = Layer.batadv;

const byIpProtocol = new Uint16Array(256);
byIpProtocol[IpProtocol.icmp] = Layer.icmp;
byIpProtocol[IpProtocol.tcp] = Layer.tcp;
byIpProtocol[IpProtocol.udp] = Layer.udp;
byIpProtocol[IpProtocol.icmpv6] = Layer.icmpv6;

/** Layer decoding the payload of this EtherType, or Layer.none. */
export function layerForEtherType(etherType: number): LayerId {
  return byEtherType[etherType & 0xffff] as LayerId;
}

/** UDP ports whose payload has a decoder: DHCPv4's server (67) and client (68) ports. */
const byUdpPort = new Uint16Array(65536);
byUdpPort[67] = Layer.dhcp;
byUdpPort[68] = Layer.dhcp;

/** Layer decoding the payload of a UDP datagram between these ports (the destination port first), or Layer.none. */
export function layerForUdpPorts(srcPort: number, dstPort: number): LayerId {
  const byDst = byUdpPort[dstPort & 0xffff] as LayerId;
  return byDst !== Layer.none ? byDst : (byUdpPort[srcPort & 0xffff] as LayerId);
}

/** Layer decoding this IP protocol / IPv6 next header, or Layer.none. */
export function layerForIpProtocol(protocol: number): LayerId {
  return byIpProtocol[protocol & 0xff] as LayerId;
}

/** PPP protocol numbers (RFC 1661 / IANA) mapped to EtherTypes. */
export function etherTypeForPpp(protocol: number): number {
  if (protocol === 0x0021) return EtherType.ipv4;
  if (protocol === 0x0057) return EtherType.ipv6;
  return 0;
}

export function etherTypeName(type: number): string {
  switch (type) {
    case EtherType.ipv4:
      return 'IPv4';
    case EtherType.arp:
      return 'ARP';
    case EtherType.rarp:
      return 'Reverse ARP';
    case EtherType.vlan:
      return '802.1Q';
    case EtherType.qinq:
      return '802.1Q-QinQ';
    case EtherType.qinqOld:
      return '802.1Q-9100';
    case EtherType.ipv6:
      return 'IPv6';
    case EtherType.batadv:
      return 'batman-adv';
    default:
      return 'Unknown';
  }
}
