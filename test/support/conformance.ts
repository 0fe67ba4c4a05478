import { readFrames } from '../../src/pipeline/read-frames.js';
import { isArpOrIcmp } from '../../src/decode/arp-icmp-filter.js';
import { frameJson, type FrameJson } from '../../src/report/frame-json.js';
import type { OracleRow } from './oracle.js';

/** Decodes a capture with the project's pipeline and keeps the `frames --json` objects of the frames shown. */
export async function decodeShown(path: string): Promise<{ frames: Map<number, FrameJson>; error: unknown; total: number }> {
  const frames = new Map<number, FrameJson>();
  const result = await readFrames({
    input: path,
    keepDuplicates: false,
    count: 0,
    onFrame(d) {
      if (isArpOrIcmp(d)) frames.set(d.number, frameJson(d));
    },
  });
  return { frames, error: result.error, total: result.stats.frames };
}

/** ARPHRD_ETHER, ARPHRD_EETHER, ARPHRD_IEEE802 (Wireshark's ARP_HW_IS_ETHER). */
const ETHER_LIKE_HTYPES = new Set([1, 2, 6]);

/**
 * Field-by-field differences between one oracle row and our frame, as
 * "field: oracle X, ours Y" strings. The first occurrence of a field is the
 * outer header; a second eth.src/eth.dst is the Ethernet frame a batman-adv
 * packet carries.
 */
export function compareRow(row: OracleRow, ours: FrameJson | undefined): string[] {
  if (ours === undefined) return ['frame missing from our output'];
  const diffs: string[] = [];
  const check = (field: string, oracle: string | undefined, mine: string | number | undefined): void => {
    const o = oracle ?? '';
    const m = mine === undefined ? '' : String(mine);
    if (o !== m) diffs.push(`${field}: oracle ${o === '' ? '(none)' : o}, ours ${m === '' ? '(none)' : m}`);
  };
  check('eth.src', row.ethSrc[0], ours.eth?.src);
  check('eth.dst', row.ethDst[0], ours.eth?.dst);
  if (row.ethSrc.length > 1 || ours.batadv?.eth !== undefined) {
    check('inner eth.src', row.ethSrc[1], ours.batadv?.eth?.src);
    check('inner eth.dst', row.ethDst[1], ours.batadv?.eth?.dst);
  }
  check('arp.opcode', row.arpOpcode[0], ours.arp?.op);
  // tshark files hardware addresses under arp.*.hw_mac only for Ethernet-like hardware with 6-byte
  // addresses, and protocol addresses under arp.*.proto_ipv4 only for IPv4 with 4 bytes
  // (packet-arp.c, ARP_HW_IS_ETHER / ARP_PRO_IS_IPv4); other sizes go to fields the oracle did not ask for.
  const a = ours.arp;
  const hwIsEther = a !== undefined && ETHER_LIKE_HTYPES.has(a.htype) && a.hlen === 6;
  const protoIsIpv4 = a !== undefined && (a.ptype === 0x0800 || a.ptype === 0xcc) && a.plen === 4;
  check('arp.src.hw_mac', row.arpSrcHw[0], hwIsEther ? a?.sha : undefined);
  check('arp.src.proto_ipv4', row.arpSrcIp[0], protoIsIpv4 ? a?.spa : undefined);
  check('arp.dst.hw_mac', row.arpDstHw[0], hwIsEther ? a?.tha : undefined);
  check('arp.dst.proto_ipv4', row.arpDstIp[0], protoIsIpv4 ? a?.tpa : undefined);
  check('icmp.type', row.icmpType[0], ours.icmp?.type);
  check('icmp.code', row.icmpCode[0], ours.icmp?.code);
  check('icmp.ident', row.icmpIdent[0], ours.icmp?.id);
  check('icmp.seq', row.icmpSeq[0], ours.icmp?.seq);
  check('icmpv6.type', row.icmpv6Type[0], ours.icmp6?.type);
  return diffs;
}
