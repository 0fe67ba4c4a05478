import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DecodedFrame } from '../../src/decode/decoded-frame.js';
import { FRAME_ROW_WORDS, FrameRowView, loadRow, writeFrameRow } from '../../src/pipeline/frame-row.js';
import { Layer } from '../../src/decode/layer.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { LinkType } from '../../src/core/link-type.js';
import { readFrames } from '../../src/pipeline/read-frames.js';
import { captureFiles, corpusDir, fixturesDir } from '../support/paths.js';

/**
 * The row a decode thread writes must carry every field detectors read:
 * each frame of every fixture (and corpus capture, when the corpus is
 * beside the clone) goes decoder → row → view, and the view must equal the
 * decoder field by field for the layers the frame has.
 */

/** What detectors may read of a frame, as plain data, only for the layers present. */
function detectorFields(d: DecodedFrame): Record<string, unknown> {
  const l = d.layers;
  const out: Record<string, unknown> = {
    number: d.number,
    tsSec: d.tsSec,
    tsNsec: d.tsNsec,
    tsDigits: d.tsDigits,
    wireLen: d.wireLen,
    layers: l,
    l2Src: d.l2Src,
    l2Dst: d.l2Dst,
  };
  if (l & Layer.arp) {
    const a = d.arp;
    out.arp = { complete: a.complete, op: a.op, sha: a.sha, spa: a.spa, tha: a.tha, tpa: a.tpa, ethernetIpv4: a.isEthernetIpv4() };
  }
  if (l & Layer.ipv4) out.ipv4 = { src: d.ipv4.src, dst: d.ipv4.dst, protocol: d.ipv4.protocol };
  if (l & Layer.ipv6) out.ipv6 = { src: [...d.ipv6.src], dst: [...d.ipv6.dst], nextHeader: d.ipv6.nextHeader };
  if (l & Layer.icmp) out.icmp = { type: d.icmp.type, id: d.icmp.id, seq: d.icmp.seq };
  if (l & Layer.icmpv6) {
    const n = d.icmpv6;
    out.icmpv6 = {
      type: n.type,
      id: n.id,
      seq: n.seq,
      hasTarget: n.hasTarget,
      target: n.hasTarget ? [...n.target] : null,
      targetLinkAddr: n.targetLinkAddr,
      naFlags: n.naFlags,
    };
    if (n.type === 134) {
      out.ra = {
        hopLimit: n.raHopLimit,
        flags: n.raFlags,
        lifetime: n.raLifetime,
        mtu: n.raMtu,
        digest: n.raDigest,
        prefixCount: n.prefixCount,
        prefix: [...n.raPrefix],
        prefixLength: n.raPrefixLength,
        prefixValid: n.raPrefixValid,
        prefixPreferred: n.raPrefixPreferred,
        rdnssCount: n.rdnssCount,
        rdnss: [...n.raRdnss],
      };
    }
  }
  if (l & Layer.tcp) out.tcp = { srcPort: d.tcp.srcPort, dstPort: d.tcp.dstPort, seq: d.tcp.seq, flags: d.tcp.flags, payloadLength: d.tcp.payloadLength };
  if (l & Layer.udp) out.udp = { srcPort: d.udp.srcPort, dstPort: d.udp.dstPort };
  if (l & Layer.dhcp) {
    const h = d.dhcp;
    out.dhcp = {
      messageType: h.messageType,
      router: h.router,
      routerCount: h.routerCount,
      dns: h.dns,
      dnsCount: h.dnsCount,
      serverId: h.serverId,
      chaddr: h.chaddr,
    };
  }
  return out;
}

test('a frame row carries every field detectors read, into a row view and into a decoder, for every frame of the fixtures and corpus', async () => {
  const rows = new Int32Array(FRAME_ROW_WORDS * 2);
  const view = new FrameRowView();
  // A decoder that last held another frame: loading must overwrite every field detectors read.
  const spare = new FrameDecoder();
  const seen = { frames: 0, arp: 0, ipv6: 0, icmpv6: 0, tcp: 0, udp: 0, icmp: 0, dhcp: 0, broadcastIp: 0, routerAdvertWithRdnss: 0, neighborAdvert: 0 };
  for (const file of [...captureFiles(fixturesDir), ...captureFiles(corpusDir)]) {
    const read = await readFrames({
      input: file,
      keepDuplicates: true,
      count: 0,
      onFrame(d) {
        // Odd offset and a dirty row: the view must not depend on zeroed memory.
        rows.fill(-7);
        writeFrameRow(d, rows, FRAME_ROW_WORDS);
        view.load(rows, FRAME_ROW_WORDS);
        assert.deepEqual(detectorFields(view), detectorFields(d), `${path.basename(file)} frame ${d.number}`);
        loadRow(spare, rows, FRAME_ROW_WORDS);
        assert.deepEqual(detectorFields(spare), detectorFields(d), `${path.basename(file)} frame ${d.number}, loaded into a decoder`);
        seen.frames++;
        if (d.layers & Layer.arp) seen.arp++;
        if (d.layers & Layer.ipv6) seen.ipv6++;
        if (d.layers & Layer.icmpv6) seen.icmpv6++;
        if (d.layers & Layer.tcp) seen.tcp++;
        if (d.layers & Layer.udp) seen.udp++;
        if (d.layers & Layer.icmp) seen.icmp++;
        if (d.layers & Layer.dhcp) seen.dhcp++;
        if (d.layers & Layer.ipv4 && d.ipv4.dst >= 0x80000000) seen.broadcastIp++;
        if (d.layers & Layer.icmpv6 && d.icmpv6.type === 134 && d.icmpv6.rdnssCount > 0) seen.routerAdvertWithRdnss++;
        if (d.layers & Layer.icmpv6 && d.icmpv6.type === 136) seen.neighborAdvert++;
      },
    });
    // readFrames hands an exception thrown by onFrame back as the read's error: a failed assertion must still fail the test.
    if (read.error instanceof assert.AssertionError) throw read.error;
  }
  // The captures exercise every branch of the row layout, including addresses with the top bit set.
  for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `no ${what} frames checked`);
});

test('timestamps beyond 32 bits cross the row exactly (pcapng offsets, a corrupt µs field in ns)', () => {
  const d = new FrameDecoder();
  d.decodeBytes(new Uint8Array(60), 0, 60, LinkType.ethernet);
  const rows = new Int32Array(FRAME_ROW_WORDS);
  const view = new FrameRowView();
  for (const [sec, nsec] of [
    [0, 0],
    [2 ** 31, 999_999_999],
    [2 ** 32 - 1, 2 ** 31],
    [2 ** 32 + 7, (2 ** 32 - 1) * 1000],
    [2 ** 52, 1],
  ] as const) {
    d.tsSec = sec;
    d.tsNsec = nsec;
    writeFrameRow(d, rows, 0);
    view.load(rows, 0);
    assert.deepEqual([view.tsSec, view.tsNsec], [sec, nsec]);
  }
});
