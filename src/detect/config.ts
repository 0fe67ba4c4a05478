/**
 * What the detectors need to know about the mesh: the anycast addresses,
 * the anycast MAC(s), and the gateways with their unicast MACs. Addresses
 * are numbers (MAC 48-bit, IPv4 uint32, IPv6 four words); text is parsed
 * once, in cli/, and formatted again only in report/.
 */
export interface GatewayConfig {
  name: string;
  macs: number[];
  ipv4: number[];
  /** Set when the gateway is this host, found on the capture interface (watch). */
  fromInterface?: boolean;
}

export interface AnycastConfig {
  anycastIpv4: number[];
  anycastIpv6: Uint32Array[];
  anycastMacs: number[];
  gateways: GatewayConfig[];
  /** Inter-gateway bytes as a share of all bytes above which traffic between gateways is a warning. */
  interGatewayWarnShare: number;
  /** The client whose story to tell (--client): its MAC and IPv4 address, -1 where not given; null: none. */
  client: { mac: number; ipv4: number } | null;
  /** Seconds within which a host's MAC for an anycast address changing back counts as a flip-flop. */
  flipFlopWindow: number;
  /** Bound on every per-flow / per-request table: a flood of flows costs accuracy (counted), never memory. */
  maxFlows: number;
  /** Where the anycast facts came from, for the report. */
  source: ConfigSource;
}

export type ConfigSource = 'flags' | 'config-file' | 'inferred' | 'interface' | 'none';

export const Defaults = {
  interGatewayWarnShare: 0.05,
  /** Minimum inter-gateway packets before the share can raise a warning (a handful of pings is not a problem). */
  interGatewayMinPackets: 100,
  maxFlows: 1 << 16,
  flipFlopWindow: 60,
  /** An ARP reply belongs to a request seen this long before it (seconds of capture time). */
  arpReplyWindow: 1.0,
  /** Echo requests wait this long for their reply. */
  echoReplyWindow: 5.0,
  /** An echo request to the anycast gateway with no reply this long after it is lost (seconds of capture time). */
  unansweredTimeout: 1.0,
  /** A TCP/UDP flow is forgotten after this much silence. */
  flowIdle: 120,
} as const;

export function emptyConfig(): AnycastConfig {
  return {
    anycastIpv4: [],
    anycastIpv6: [],
    anycastMacs: [],
    gateways: [],
    interGatewayWarnShare: Defaults.interGatewayWarnShare,
    maxFlows: Defaults.maxFlows,
    flipFlopWindow: Defaults.flipFlopWindow,
    client: null,
    source: 'none',
  };
}

/** `config` with inferred anycast addresses and MAC(s) added. */
export function withInferred(config: AnycastConfig, ipv4: number[], macs: number[], ipv6: Uint32Array[] = []): AnycastConfig {
  // Nothing inferred: the configuration is what it was (its source too; "inferred" would be a claim).
  if (ipv4.length === 0 && macs.length === 0 && ipv6.length === 0) return config;
  return {
    ...config,
    anycastIpv4: [...config.anycastIpv4, ...ipv4],
    anycastIpv6: [...config.anycastIpv6, ...ipv6],
    anycastMacs: [...config.anycastMacs, ...macs],
    source: 'inferred',
  };
}

export function hasAnycast(config: AnycastConfig): boolean {
  return config.anycastIpv4.length > 0 || config.anycastIpv6.length > 0 || config.anycastMacs.length > 0;
}

export function ipv6Equal(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
