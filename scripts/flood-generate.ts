/**
 * Writes the hostile captures of bench/flood.sh: what anyone on the mesh can
 * send a gateway's `watch` (or put in a capture sent in for analysis), each
 * built to grow one kind of per-address state without bound if a detector
 * kept it without one.
 *
 * Usage: node dist/scripts/flood-generate.js --kind KIND --frames N --out FILE.pcap
 *
 *   macs       every frame from a MAC never seen before (half ARP who-has for
 *              the anycast IP, half ICMP echo to the anycast MAC): one entry
 *              per client in every per-client table.
 *   echo       ICMP echo requests to the anycast IP from 4,096 clients, ids and
 *              sequence numbers never repeated, none answered: the pending
 *              request tables.
 *   flows      UDP and TCP flows that never repeat (client port × 65,536
 *              clients), each sent to the anycast MAC and answered from one of
 *              three gateways' unicast MACs at random: the flow table, and a
 *              gateway-switch per client.
 *   arp-storm  ARP replies and gratuitous ARP from random MACs for random
 *              addresses, a tenth of them for the anycast IP: the claims and
 *              inference tables, learned gateways.
 *   flip-flop  the anycast IP answered to 4,096 clients by the anycast MAC and
 *              by 64 gateways' unicast MACs in turn, every 1.5 s per client:
 *              the neighbour-cache model, flip-flop and pinned-client findings.
 *
 * Every flood starts with the same short healthy prelude (clients ask for the
 * anycast IP; two gateways answer with the anycast MAC), so an unconfigured
 * run infers 10.172.0.10 / 02:ca:fe:00:00:01 as a configured one is told.
 * Deterministic (seeded PRNG, fixed start time); constant memory.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { openPcapFile, type PcapFileWriter } from '../src/source/pcap-writer.js';
import { ARP_OP, ETHERTYPE, IP_PROTO, TCP_FLAGS, arp, ethernet, icmpEcho, ipv4, tcp, udp } from '../test/support/frame-builder.js';

export const FLOOD_KINDS = ['macs', 'echo', 'flows', 'arp-storm', 'flip-flop'] as const;
export type FloodKind = (typeof FLOOD_KINDS)[number];

const BASE_SEC = 1_700_000_000;
const ANYCAST_MAC = '02:ca:fe:00:00:01';
const ANYCAST_IP = '10.172.0.10';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const PRELUDE_CLIENTS = 16;

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** A MAC from a 32-bit number under a 16-bit prefix (locally administered). */
function macOf(prefix: number, n: number): string {
  return `${hex2(prefix >> 8)}:${hex2(prefix)}:${hex2(n >>> 24)}:${hex2(n >>> 16)}:${hex2(n >>> 8)}:${hex2(n)}`;
}

/** A client address in 10.172.0.0/16 (or beyond, for numbers past 65,000), never a gateway's or the anycast one. */
function clientIp(n: number): string {
  const m = n + 256;
  return `10.${172 + ((m >>> 16) & 0x3f)}.${(m >>> 8) & 0xff}.${m & 0xff}`;
}

function gatewayMac(g: number): string {
  return `02:00:00:00:${hex2(g)}:01`;
}

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Clock {
  private ns = 0;
  constructor(private readonly stepNs: number) {}
  tick(): [number, number] {
    this.ns += this.stepNs;
    return [BASE_SEC + Math.floor(this.ns / 1e9), this.ns % 1e9];
  }
}

function arpFrame(op: number, src: string, dst: string, sha: string, spa: string, tha: string, tpa: string): Buffer {
  return ethernet({ dst, src, type: ETHERTYPE.ARP, payload: arp({ op, sha, spa, tha, tpa }) });
}

function echoFrame(src: string, dst: string, ipSrc: string, ipDst: string, id: number, seq: number, type: 8 | 0 = 8): Buffer {
  return ethernet({ dst, src, type: ETHERTYPE.IPV4, payload: ipv4({ src: ipSrc, dst: ipDst, proto: IP_PROTO.ICMP, payload: icmpEcho({ type, id, seq }) }) });
}

/** Writes `frames` frames of flood `kind` to `out`; returns how many were written. */
export function writeFlood(kind: FloodKind, frames: number, out: string): number {
  const w: PcapFileWriter = openPcapFile(out, { linkType: 1, nanosecond: true });
  let written = 0;
  const put = (t: [number, number], frame: Buffer): void => {
    w.write(t[0], t[1], frame, 0, frame.length, frame.length);
    written++;
  };
  // 10 µs a frame: 100 k frames/s, a busy mesh; flip-flop's own clock is slower (below).
  const clock = new Clock(kind === 'flip-flop' ? 350_000 : 10_000);
  // The prelude: each client asks, both gateways' macvlans answer with the anycast MAC.
  for (let c = 0; c < PRELUDE_CLIENTS; c++) {
    const cm = macOf(0x0200, 0xcc0000 + c);
    const ip = clientIp(c);
    put(clock.tick(), arpFrame(ARP_OP.REQUEST, cm, BROADCAST, cm, ip, '00:00:00:00:00:00', ANYCAST_IP));
    for (let g = 0; g < 2; g++) put(clock.tick(), arpFrame(ARP_OP.REPLY, ANYCAST_MAC, cm, ANYCAST_MAC, ANYCAST_IP, cm, ip));
  }
  const rand = prng(0x5eed + FLOOD_KINDS.indexOf(kind));
  const left = Math.max(0, frames - written);
  for (let i = 0; i < left; i++) {
    const t = clock.tick();
    switch (kind) {
      case 'macs': {
        const cm = macOf(0x0a00, i);
        const ip = clientIp(i % 4_000_000);
        put(
          t,
          i % 2 === 0
            ? arpFrame(ARP_OP.REQUEST, cm, BROADCAST, cm, ip, '00:00:00:00:00:00', ANYCAST_IP)
            : echoFrame(cm, ANYCAST_MAC, ip, ANYCAST_IP, i & 0xffff, 1),
        );
        break;
      }
      case 'echo': {
        const c = i % 4096;
        put(t, echoFrame(macOf(0x0200, 0xcc0000 + c), ANYCAST_MAC, clientIp(c), ANYCAST_IP, (i >>> 12) & 0xffff, i & 0xffff));
        break;
      }
      case 'flows': {
        const c = i % 65_536;
        const cm = macOf(0x0200, 0xdd0000 + c);
        const ip = clientIp(c);
        const sport = 1024 + ((i >>> 16) % 60_000);
        const server = `198.51.100.${1 + (i % 200)}`;
        const request = i % 2 === 0;
        const g = 1 + Math.floor(rand() * 3);
        const segment =
          i % 4 < 2 ? udp({ sport, dport: 443, payload: Buffer.alloc(16) }) : tcp({ sport, dport: 443, flags: TCP_FLAGS.ACK, payload: Buffer.alloc(16) });
        const proto = i % 4 < 2 ? IP_PROTO.UDP : IP_PROTO.TCP;
        put(
          t,
          request
            ? ethernet({ dst: ANYCAST_MAC, src: cm, type: ETHERTYPE.IPV4, payload: ipv4({ src: ip, dst: server, proto, payload: segment }) })
            : ethernet({
                dst: cm,
                src: gatewayMac(g),
                type: ETHERTYPE.IPV4,
                payload: ipv4({
                  src: server,
                  dst: ip,
                  proto,
                  payload:
                    proto === IP_PROTO.UDP
                      ? udp({ sport: 443, dport: sport, payload: Buffer.alloc(16) })
                      : tcp({ sport: 443, dport: sport, flags: TCP_FLAGS.ACK, payload: Buffer.alloc(16) }),
                }),
              }),
        );
        break;
      }
      case 'arp-storm': {
        const m = macOf(0x0e00, Math.floor(rand() * 0xffffffff));
        const ip = rand() < 0.1 ? ANYCAST_IP : `10.${172 + Math.floor(rand() * 4)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
        const gratuitous = rand() < 0.5;
        put(
          t,
          gratuitous
            ? arpFrame(ARP_OP.REQUEST, m, BROADCAST, m, ip, '00:00:00:00:00:00', ip)
            : arpFrame(ARP_OP.REPLY, m, macOf(0x0200, 0xcc0000), m, ip, macOf(0x0200, 0xcc0000), clientIp(0)),
        );
        break;
      }
      case 'flip-flop': {
        const c = i % 4096;
        const cm = macOf(0x0200, 0xcc0000 + c);
        // Each client hears the anycast MAC, then a gateway's unicast MAC, in turn (its answers are
        // 4096 frames × 0.35 ms = 1.4 s apart: past the 1 s ARP locktime, so each one is taken).
        const round = Math.floor(i / 4096);
        const answer = round % 2 === 0 ? ANYCAST_MAC : gatewayMac(1 + ((round >>> 1) % 64));
        put(t, arpFrame(ARP_OP.REPLY, answer, cm, answer, ANYCAST_IP, cm, clientIp(c)));
        break;
      }
    }
  }
  w.close();
  return written;
}

function main(): void {
  const { values } = parseArgs({ options: { kind: { type: 'string' }, frames: { type: 'string' }, out: { type: 'string' } } });
  const kind = values.kind as FloodKind | undefined;
  const frames = Number(values.frames);
  if (kind === undefined || !FLOOD_KINDS.includes(kind) || !Number.isInteger(frames) || frames < 1 || values.out === undefined) {
    process.stderr.write(`usage: flood-generate --kind ${FLOOD_KINDS.join('|')} --frames N --out FILE.pcap\n`);
    process.exit(2);
  }
  const n = writeFlood(kind, frames, values.out);
  process.stderr.write(`${values.out}: ${n} frames (${kind})\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
