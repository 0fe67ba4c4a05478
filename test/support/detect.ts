import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { LinkType } from '../../src/core/link-type.js';
import { AnycastAddresses } from '../../src/detect/anycast-addresses.js';
import { emptyConfig, type AnycastConfig } from '../../src/detect/config.js';
import { recordFacts } from '../../src/detect/facts.js';
import type { DetectContext, Detector, DetectorDefinition } from '../../src/detect/detector.js';
import { FindingStore, type Finding } from '../../src/detect/findings.js';
import { GatewayRegistry } from '../../src/detect/gateways.js';
import {
  arp,
  ARP_OP,
  DHCP_MESSAGE,
  dhcpFrame,
  ETHERTYPE,
  ethernet,
  ICMP_TYPE,
  icmpEcho,
  ICMPV6_TYPE,
  icmpv6Echo,
  IP_PROTO,
  ipv4,
  ipv6,
  ipv6MulticastMac,
  neighborAdvert,
  neighborSolicit,
  solicitedNode,
  routerAdvert,
  type RouterAdvertOptions,
  tcp,
  TCP_FLAGS,
  udp,
} from './frame-builder.js';
import { ip4, ip6, macNum } from './decode.js';
import { formatIpv6, linkLocalFromMac } from '../../src/core/address.js';

/**
 * Detector unit tests: built frames fed straight into one detector, with a
 * context made from a configuration, without the CLI, the reader or the
 * other detectors. The frame goes through the real decoder first, the facts
 * every detector may read are recorded (facts.ts), and the
 * detector sees it only when its definition's `needs` lets it through, as
 * in the pipeline.
 */

/** The lab's address plan, used by every detector test. */
export const PLAN = {
  anycastIp: '10.172.0.10',
  anycastIp6: 'fd00::10',
  anycastMac: '02:ca:fe:00:00:01',
  gw1: { mac: '02:00:00:00:01:01', ip: '10.172.0.1' },
  gw2: { mac: '02:00:00:00:02:01', ip: '10.172.0.2' },
  c1: { mac: '02:00:00:00:0c:01', ip: '10.172.1.1' },
  c2: { mac: '02:00:00:00:0c:02', ip: '10.172.1.2' },
  server: '192.0.2.80',
  broadcast: 'ff:ff:ff:ff:ff:ff',
} as const;

/** A frame to feed: its bytes (Ethernet) and capture time in seconds. */
export interface TestFrame {
  bytes: Buffer;
  t: number;
}

/** The anycast plan as configuration: anycast IPs and MAC, and the gateways named gw1/gw2 when `gateways` is set. */
export function planConfig(opts: { ipv6?: boolean; gateways?: boolean } = {}): AnycastConfig {
  const config = emptyConfig();
  config.anycastIpv4.push(ip4(PLAN.anycastIp));
  if (opts.ipv6 === true) config.anycastIpv6.push(Uint32Array.from(ip6(PLAN.anycastIp6)));
  config.anycastMacs.push(macNum(PLAN.anycastMac));
  if (opts.gateways === true) {
    config.gateways.push({ name: 'gw1', macs: [macNum(PLAN.gw1.mac)], ipv4: [ip4(PLAN.gw1.ip)] });
    config.gateways.push({ name: 'gw2', macs: [macNum(PLAN.gw2.mac)], ipv4: [ip4(PLAN.gw2.ip)] });
  }
  config.source = 'flags';
  return config;
}

export interface DetectorRun<D extends Detector> {
  detector: D;
  ctx: DetectContext;
  /** Findings in the order raised. */
  findings: Finding[];
  /** Frames the definition's `needs` let through to `observe`. */
  observed: number;
}

/** Runs one detector over `frames` (numbered from 1) and finishes it. */
export function runDetector<D extends Detector>(
  definition: Pick<DetectorDefinition, 'needs'> & { create(): D },
  config: AnycastConfig,
  frames: readonly TestFrame[],
): DetectorRun<D> {
  const ctx: DetectContext = {
    config,
    anycast: new AnycastAddresses(config),
    gateways: new GatewayRegistry(config),
    findings: new FindingStore(),
    now: 0,
  };
  const detector = definition.create();
  const d = new FrameDecoder();
  let observed = 0;
  frames.forEach((f, i) => {
    d.decodeBytes(f.bytes, 0, f.bytes.length, LinkType.ethernet);
    d.number = i + 1;
    d.tsSec = Math.floor(f.t);
    d.tsNsec = Math.round((f.t - Math.floor(f.t)) * 1e9);
    d.wireLen = f.bytes.length;
    ctx.now = f.t;
    recordFacts(d, ctx);
    if (definition.needs !== 0 && (d.layers & definition.needs) === 0) return;
    observed++;
    detector.observe(d, ctx);
  });
  detector.finish(ctx);
  return { detector, ctx, findings: ctx.findings.all(), observed };
}

// ---------------------------------------------------------------- frames

export interface ArpFrame {
  op: 'request' | 'reply';
  /** Ethernet source (default: sha) and destination (default: tha for a reply, broadcast for a request). */
  ethSrc?: string;
  ethDst?: string;
  sha: string;
  spa: string;
  tha?: string;
  tpa: string;
}

export function arpFrame(o: ArpFrame, t: number): TestFrame {
  const isReply = o.op === 'reply';
  const tha = o.tha ?? (isReply ? PLAN.broadcast : '00:00:00:00:00:00');
  return {
    bytes: ethernet({
      src: o.ethSrc ?? o.sha,
      dst: o.ethDst ?? (isReply ? tha : PLAN.broadcast),
      type: ETHERTYPE.ARP,
      payload: arp({ op: isReply ? ARP_OP.REPLY : ARP_OP.REQUEST, sha: o.sha, spa: o.spa, tha, tpa: o.tpa }),
    }),
    t,
  };
}

export interface EchoFrame {
  type: 'request' | 'reply';
  ethSrc: string;
  ethDst: string;
  src: string;
  dst: string;
  id?: number;
  seq?: number;
}

export function echoFrame(o: EchoFrame, t: number): TestFrame {
  const payload = icmpEcho({ type: o.type === 'request' ? ICMP_TYPE.ECHO_REQUEST : ICMP_TYPE.ECHO_REPLY, id: o.id ?? 1, seq: o.seq ?? 1 });
  return {
    bytes: ethernet({ src: o.ethSrc, dst: o.ethDst, type: ETHERTYPE.IPV4, payload: ipv4({ src: o.src, dst: o.dst, proto: IP_PROTO.ICMP, payload }) }),
    t,
  };
}

export function echo6Frame(o: EchoFrame, t: number): TestFrame {
  const payload = icmpv6Echo({ type: o.type === 'request' ? ICMPV6_TYPE.ECHO_REQUEST : ICMPV6_TYPE.ECHO_REPLY, id: o.id ?? 1, seq: o.seq ?? 1 });
  return {
    bytes: ethernet({ src: o.ethSrc, dst: o.ethDst, type: ETHERTYPE.IPV6, payload: ipv6({ src: o.src, dst: o.dst, next: IP_PROTO.ICMPV6, payload }) }),
    t,
  };
}

export interface SegmentFrame {
  ethSrc: string;
  ethDst: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto?: 'tcp' | 'udp';
  bytes?: number;
  /** TCP only: flag bits (TCP_FLAGS; default ACK) and sequence number (default 0). */
  flags?: number;
  seq?: number;
}

export function segmentFrame(o: SegmentFrame, t: number): TestFrame {
  const body = Buffer.alloc(o.bytes ?? 0);
  const isUdp = o.proto === 'udp';
  const payload = isUdp
    ? udp({ sport: o.sport, dport: o.dport, payload: body })
    : tcp({ sport: o.sport, dport: o.dport, flags: o.flags ?? TCP_FLAGS.ACK, seq: o.seq ?? 0, payload: body });
  return {
    bytes: ethernet({
      src: o.ethSrc,
      dst: o.ethDst,
      type: ETHERTYPE.IPV4,
      payload: ipv4({ src: o.src, dst: o.dst, proto: isUdp ? IP_PROTO.UDP : IP_PROTO.TCP, payload }),
    }),
    t,
  };
}

export interface NaFrame {
  ethSrc: string;
  ethDst: string;
  src: string;
  dst: string;
  target: string;
  tlla?: string;
  override?: boolean;
}

export function neighborAdvertFrame(o: NaFrame, t: number): TestFrame {
  const payload = neighborAdvert({
    target: o.target,
    flags: { router: false, solicited: true, override: o.override ?? true },
    ...(o.tlla !== undefined ? { tlla: o.tlla } : {}),
  });
  return {
    bytes: ethernet({
      src: o.ethSrc,
      dst: o.ethDst,
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: o.src, dst: o.dst, next: IP_PROTO.ICMPV6, hlim: 255, payload }),
    }),
    t,
  };
}

export interface RaFrame {
  ethSrc: string;
  /** IPv6 source: default the link-local derived from ethSrc (EUI-64), as the kernel gives an interface. */
  src?: string;
  /** Default all nodes (ff02::1 on 33:33:00:00:00:01). */
  ethDst?: string;
  dst?: string;
  /** What the RA says; default the plan's: fd00::/64, RDNSS fd00::10, MTU 1280, router lifetime 1800 s. */
  settings?: Partial<RouterAdvertOptions>;
}

export const RA_SETTINGS: RouterAdvertOptions = {
  hopLimit: 64,
  lifetime: 1800,
  prefix: { prefix: 'fd00::', length: 64, validLifetime: 86400, preferredLifetime: 14400 },
  rdnss: { lifetime: 1200, addrs: ['fd00::10'] },
  mtu: 1280,
};

/** The link-local an interface with this MAC gets (EUI-64). */
export function linkLocalOf(mac: string): string {
  return formatIpv6(linkLocalFromMac(macNum(mac), new Uint32Array(4)));
}

export function routerAdvertFrame(o: RaFrame, t: number): TestFrame {
  const payload = routerAdvert({ ...RA_SETTINGS, slla: o.ethSrc, ...o.settings });
  return {
    bytes: ethernet({
      src: o.ethSrc,
      dst: o.ethDst ?? '33:33:00:00:00:01',
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: o.src ?? linkLocalOf(o.ethSrc), dst: o.dst ?? 'ff02::1', next: IP_PROTO.ICMPV6, hlim: 255, payload }),
    }),
    t,
  };
}

export interface DhcpReplyFrame {
  /** Ethernet source: the server's MAC (a gateway's bridge, or the anycast MAC). */
  ethSrc: string;
  /** The client the reply is for (chaddr, Ethernet destination, offered address). */
  client: { mac: string; ip: string };
  type: 'offer' | 'ack';
  /** Option 54, and the IP source of the reply. */
  serverId?: string;
  routers?: readonly string[];
  dns?: readonly string[];
}

/** A DHCP server's OFFER or ACK to a client, 67 → 68. */
export function dhcpReplyFrame(o: DhcpReplyFrame, t: number): TestFrame {
  return {
    bytes: dhcpFrame({
      ethSrc: o.ethSrc,
      ethDst: o.client.mac,
      src: o.serverId ?? '10.172.0.250',
      dst: o.client.ip,
      message: {
        type: o.type === 'offer' ? DHCP_MESSAGE.OFFER : DHCP_MESSAGE.ACK,
        xid: 0x5e00 + Math.round(t * 10),
        chaddr: o.client.mac,
        yiaddr: o.client.ip,
        leaseTime: 600,
        subnetMask: '255.255.0.0',
        ...(o.serverId !== undefined ? { serverId: o.serverId } : {}),
        ...(o.routers !== undefined ? { routers: o.routers } : {}),
        ...(o.dns !== undefined ? { dns: o.dns } : {}),
      },
    }),
    t,
  };
}

export interface NsFrame {
  ethSrc: string;
  /** IPv6 source (:: for duplicate address detection). */
  src: string;
  target: string;
}

/** A neighbor solicitation for `target` to its solicited-node group, with the sender's link-layer address. */
export function neighborSolicitFrame(o: NsFrame, t: number): TestFrame {
  const group = solicitedNode(o.target);
  return {
    bytes: ethernet({
      src: o.ethSrc,
      dst: ipv6MulticastMac(group),
      type: ETHERTYPE.IPV6,
      payload: ipv6({ src: o.src, dst: group, next: IP_PROTO.ICMPV6, hlim: 255, payload: neighborSolicit({ target: o.target, slla: o.ethSrc }) }),
    }),
    t,
  };
}
