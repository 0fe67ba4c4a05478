import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureFormatError } from '../../src/core/errors.js';
import { emptyFrameRecord, type FrameRecord } from '../../src/core/frame-record.js';
import type { InterfaceInfo } from '../../src/source/parser.js';
import { PcapParser } from '../../src/source/pcap.js';
import { PcapngParser } from '../../src/source/pcapng.js';
import { PCAPNG_OPTION, PcapngBuilder, TSRESOL } from '../support/pcapng-writer.js';

/**
 * The pcap and pcapng parsers on bytes built here, without the reader or
 * the CLI: the records they hand out field by field, input fed in pieces
 * (as the reader's chunks cut it anywhere), and the errors with their byte
 * offsets.
 */

interface Seen {
  number: number;
  tsSec: number;
  tsNsec: number;
  capLen: number;
  wireLen: number;
  linkType: number;
  interfaceId: number;
  bytes: number[];
}

type Parser = PcapParser | PcapngParser;

/** Feeds `file` to a fresh parser in pieces of `chunk` bytes (keeping unconsumed bytes, as the reader does); returns the records and interfaces. */
function parse(
  make: (rec: FrameRecord, onInterface: (info: InterfaceInfo) => void) => Parser,
  file: Buffer,
  chunk = file.length,
): { seen: Seen[]; interfaces: InterfaceInfo[]; parser: Parser } {
  const seen: Seen[] = [];
  const interfaces: InterfaceInfo[] = [];
  const parser = make(emptyFrameRecord(), (info) => interfaces.push(info));
  const sink = {
    frame(r: FrameRecord) {
      seen.push({
        number: r.number,
        tsSec: r.tsSec,
        tsNsec: r.tsNsec,
        capLen: r.capLen,
        wireLen: r.wireLen,
        linkType: r.linkType,
        interfaceId: r.interfaceId,
        bytes: [...r.data.subarray(r.offset, r.offset + r.capLen)],
      });
    },
  };
  let pending = Buffer.alloc(0);
  let consumed = 0;
  for (let at = 0; at < file.length; at += chunk) {
    const buf = Buffer.concat([pending, file.subarray(at, at + chunk)]);
    const next = parser.parse(buf, 0, buf.length, consumed, sink);
    consumed += next;
    pending = buf.subarray(next);
  }
  parser.finish(pending.length, consumed);
  return { seen, interfaces, parser };
}

const makePcap = (rec: FrameRecord, on: (info: InterfaceInfo) => void): Parser => new PcapParser(rec, on);
const makePcapng = (rec: FrameRecord, on: (info: InterfaceInfo) => void): Parser => new PcapngParser(rec, on);

function pcap(o: {
  bigEndian?: boolean;
  nano?: boolean;
  snapLen?: number;
  linkType?: number;
  records: { sec: number; sub: number; data: Buffer; wireLen?: number }[];
}): Buffer {
  const w32 = (b: Buffer, v: number, at: number): void => {
    if (o.bigEndian) b.writeUInt32BE(v >>> 0, at);
    else b.writeUInt32LE(v >>> 0, at);
  };
  const header = Buffer.alloc(24);
  w32(header, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  if (o.bigEndian) {
    header.writeUInt16BE(2, 4);
    header.writeUInt16BE(4, 6);
  } else {
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
  }
  w32(header, o.snapLen ?? 262144, 16);
  w32(header, o.linkType ?? 1, 20);
  const records = o.records.map((r) => {
    const h = Buffer.alloc(16);
    w32(h, r.sec, 0);
    w32(h, r.sub, 4);
    w32(h, r.data.length, 8);
    w32(h, r.wireLen ?? r.data.length, 12);
    return Buffer.concat([h, r.data]);
  });
  return Buffer.concat([header, ...records]);
}

const A = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
const B = Buffer.alloc(61, 0xab);

test('pcap: little- and big-endian, micro- and nanosecond files give the same records, in any chunking', () => {
  for (const bigEndian of [false, true]) {
    for (const nano of [false, true]) {
      const file = pcap({
        bigEndian,
        nano,
        records: [
          { sec: 1700000000, sub: nano ? 123456789 : 123456, data: A, wireLen: 60 },
          { sec: 1700000001, sub: 0, data: B },
        ],
      });
      for (const chunk of [file.length, 17, 1]) {
        const { seen, interfaces } = parse(makePcap, file, chunk);
        const at = `${bigEndian ? 'BE' : 'LE'} ${nano ? 'ns' : 'µs'} chunk ${chunk}`;
        assert.deepEqual(
          seen.map((s) => [s.number, s.tsSec, s.tsNsec, s.capLen, s.wireLen, s.linkType, s.bytes.length]),
          [
            [1, 1700000000, nano ? 123456789 : 123456000, 10, 60, 1, 10],
            [2, 1700000001, 0, 61, 61, 1, 61],
          ],
          at,
        );
        assert.deepEqual(seen[0]!.bytes, [...A], at);
        assert.deepEqual(
          interfaces.map((i) => [i.linkType, i.declaredAt]),
          [[1, 20]],
          at,
        );
      }
    }
  }
});

test('pcap: a record longer than the snap length is read whole and counted; one longer than libpcap allows is an error at its offset', () => {
  const { seen, parser } = parse(
    makePcap,
    pcap({
      snapLen: 16,
      records: [
        { sec: 1, sub: 0, data: B },
        { sec: 2, sub: 0, data: A },
      ],
    }),
  );
  assert.deepEqual(
    seen.map((s) => s.capLen),
    [61, 10],
  );
  assert.equal(parser.recordsOverSnapLen, 1);
  const absurd = pcap({ records: [{ sec: 1, sub: 0, data: A }] });
  absurd.writeUInt32LE(0x7fffffff, 24 + 8);
  assert.throws(
    () => parse(makePcap, absurd),
    (e: unknown) => e instanceof CaptureFormatError && e.offset === 24 && /captured length 2147483647 is absurd/.test(e.message),
  );
});

test('pcap: a file cut inside a record is an error naming the record and its offset, after the records before it', () => {
  const file = pcap({
    records: [
      { sec: 1, sub: 0, data: A },
      { sec: 2, sub: 0, data: B },
    ],
  });
  const cut = file.subarray(0, file.length - 5);
  const seen: number[] = [];
  const parser = new PcapParser(emptyFrameRecord(), () => undefined);
  const next = parser.parse(cut, 0, cut.length, 0, { frame: (r) => seen.push(r.number) });
  assert.deepEqual(seen, [1]);
  assert.throws(
    () => parser.finish(cut.length - next, next),
    (e: unknown) => e instanceof CaptureFormatError && e.offset === 24 + 16 + 10 && /record 2 truncated/.test(e.message),
  );
});

test('pcapng: interfaces with their own link type and resolution, if_tsoffset, simple packets, unknown blocks skipped, both byte orders', () => {
  for (const bigEndian of [false, true]) {
    const b = new PcapngBuilder().shb({ bigEndian });
    const eth = b.idb({ linkType: 1, tsresol: TSRESOL.MICRO });
    const offset = Buffer.alloc(8);
    if (bigEndian) offset.writeBigInt64BE(100n);
    else offset.writeBigInt64LE(100n);
    const sll = b.idb({ linkType: 113, tsresol: TSRESOL.NANO, options: [{ code: PCAPNG_OPTION.IF_TSOFFSET, value: offset }] });
    b.epb({ interfaceId: eth, tsSec: 1700000000, tsNsec: 5000, data: A });
    b.unknown(0x0bad);
    b.epb({ interfaceId: sll, tsSec: 1700000000, tsNsec: 7, data: B, wireLen: 100 });
    b.spb({ data: A });
    const file = b.build();
    for (const chunk of [file.length, 13]) {
      const { seen, interfaces } = parse(makePcapng, file, chunk);
      const at = `${bigEndian ? 'BE' : 'LE'} chunk ${chunk}`;
      assert.deepEqual(
        interfaces.map((i) => i.linkType),
        [1, 113],
        at,
      );
      // A simple packet block has no timestamp: only its interface and lengths are checked.
      assert.deepEqual(
        seen.map((s, i) =>
          i < 2 ? [s.number, s.interfaceId, s.linkType, s.tsSec, s.tsNsec, s.capLen, s.wireLen] : [s.number, s.interfaceId, s.linkType, s.capLen, s.wireLen],
        ),
        [
          [1, 0, 1, 1700000000, 5000, 10, 10],
          [2, 1, 113, 1700000100, 7, 61, 100],
          [3, 0, 1, 10, 10],
        ],
        at,
      );
    }
  }
});

test('pcapng: a block whose header and trailer lengths disagree is an error at that block, after the packets before it', () => {
  const b = new PcapngBuilder().shb();
  b.idb({ linkType: 1 });
  b.epb({ interfaceId: 0, tsSec: 1, tsNsec: 0, data: A });
  const good = b.build().length;
  b.block(6, Buffer.alloc(40), { trailingLength: 99 });
  const seen: number[] = [];
  const parser = new PcapngParser(emptyFrameRecord(), () => undefined);
  const file = b.build();
  assert.throws(
    () => parser.parse(file, 0, file.length, 0, { frame: (r) => seen.push(r.number) }),
    // The offset is the trailer's, the word that disagrees.
    (e: unknown) => e instanceof CaptureFormatError && e.offset === good + 52 - 4 && /header \(52\) and trailer \(99\) don't match/.test(e.message),
  );
  assert.deepEqual(seen, [1]);
});
