import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFixtures, writeFixtures } from '../scripts/build-fixtures.js';
import type { FixtureFile } from '../scripts/build-fixtures.js';
import { PcapWriter, openPcapFile } from '../src/source/pcap-writer.js';
import { ETHERTYPE, IP_PROTO, LINKTYPE, icmpError, ipv4, ipv4Addr, ipv6Addr, udp } from './support/frame-builder.js';
import { PcapngBuilder } from './support/pcapng-writer.js';

// ------------------------------------------------------------------ helpers

/**
 * Independent RFC 1071 sum (word-wise over one concatenated buffer, unlike the
 * builder's byte-pair streaming) so a shared bug cannot hide itself.
 * Returns the folded sum; a region with a correct checksum sums to 0xffff.
 */
function onesSum(...parts: Uint8Array[]): number {
  const b = Buffer.concat(parts);
  const even = b.length & ~1;
  let sum = 0;
  for (let i = 0; i < even; i += 2) sum += b.readUInt16BE(i);
  if (b.length !== even) sum += (b[even] ?? 0) << 8;
  while (sum >>> 16) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

interface Packet {
  linkType: number;
  data: Buffer;
  capLen: number;
  wireLen: number;
}

/** Minimal classic-pcap walker (either byte order, either precision). */
function readPcap(b: Buffer): Packet[] {
  const magicLE = b.readUInt32LE(0);
  const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20);
  const out: Packet[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const capLen = u32(o + 8);
    out.push({ linkType, capLen, wireLen: u32(o + 12), data: b.subarray(o + 16, o + 16 + capLen) });
    o += 16 + capLen;
  }
  return out;
}

/** Minimal pcapng walker: EPBs and SPBs, skipping everything else. */
function readPcapng(b: Buffer): Packet[] {
  let le = true;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  let links: number[] = [];
  const out: Packet[] = [];
  for (let o = 0; o + 12 <= b.length; ) {
    if (b.readUInt32LE(o) === 0x0a0d0d0a) {
      le = b.readUInt32LE(o + 8) === 0x1a2b3c4d;
      links = [];
    }
    const type = u32(o);
    const len = u32(o + 4);
    if (type === 1) links.push(u16(o + 8));
    if (type === 6) {
      const capLen = u32(o + 20);
      out.push({ linkType: links[u32(o + 8)] ?? -1, capLen, wireLen: u32(o + 24), data: b.subarray(o + 28, o + 28 + capLen) });
    }
    if (type === 3) {
      const wireLen = u32(o + 8);
      out.push({ linkType: links[0] ?? -1, capLen: wireLen, wireLen, data: b.subarray(o + 12, o + 12 + wireLen) });
    }
    o += len;
  }
  return out;
}

function packetsOf(f: FixtureFile): Packet[] {
  return f.format === 'pcapng' ? readPcapng(f.bytes) : readPcap(f.bytes);
}

interface ChecksumTally {
  ipv4Header: number;
  icmp: number;
  icmpQuotedHeader: number;
  tcp: number;
  udp: number;
  icmpv6: number;
}

function newTally(): ChecksumTally {
  return { ipv4Header: 0, icmp: 0, icmpQuotedHeader: 0, tcp: 0, udp: 0, icmpv6: 0 };
}

function pseudo4(ip: Buffer, proto: number, len: number): Buffer {
  const p = Buffer.alloc(12);
  ip.copy(p, 0, 12, 20);
  p[9] = proto;
  p.writeUInt16BE(len, 10);
  return p;
}

function pseudo6(ip: Buffer, next: number, len: number): Buffer {
  const p = Buffer.alloc(40);
  ip.copy(p, 0, 8, 40);
  p.writeUInt32BE(len, 32);
  p[39] = next;
  return p;
}

function checkL4(where: string, pseudo: Buffer, proto: number, seg: Buffer, t: ChecksumTally): void {
  if (proto === IP_PROTO.TCP) {
    assert.equal(onesSum(pseudo, seg), 0xffff, `${where}: TCP checksum`);
    t.tcp += 1;
  } else if (proto === IP_PROTO.UDP) {
    assert.notEqual(seg.readUInt16BE(6), 0, `${where}: UDP checksum must be present`);
    assert.equal(onesSum(pseudo, seg), 0xffff, `${where}: UDP checksum`);
    t.udp += 1;
  } else if (proto === IP_PROTO.ICMPV6) {
    assert.equal(onesSum(pseudo, seg), 0xffff, `${where}: ICMPv6 checksum`);
    t.icmpv6 += 1;
  }
}

function checkIpv4(where: string, ip: Buffer, t: ChecksumTally): void {
  const ihl = (ip[0] ?? 0) & 0x0f;
  assert.equal(onesSum(ip.subarray(0, ihl * 4)), 0xffff, `${where}: IPv4 header checksum`);
  t.ipv4Header += 1;
  const total = ip.readUInt16BE(2);
  const proto = ip[9] ?? -1;
  const seg = ip.subarray(ihl * 4, total);
  if (proto === IP_PROTO.ICMP) {
    assert.equal(onesSum(seg), 0xffff, `${where}: ICMP checksum`);
    t.icmp += 1;
    const type = seg[0];
    if (type === 3 || type === 11) {
      // The quoted datagram's header must still carry its own valid checksum.
      assert.equal(onesSum(seg.subarray(8, 28)), 0xffff, `${where}: quoted IPv4 header checksum`);
      t.icmpQuotedHeader += 1;
    }
  } else {
    checkL4(where, pseudo4(ip, proto, seg.length), proto, seg, t);
  }
}

function checkIpv6(where: string, ip: Buffer, t: ChecksumTally): void {
  let next = ip[6] ?? -1;
  let off = 40;
  const end = 40 + ip.readUInt16BE(4);
  // Hop-by-Hop, Routing and Destination Options share the (next, len) layout.
  while (next === 0 || next === 43 || next === 60) {
    next = ip[off] ?? -1;
    off += ((ip[off + 1] ?? 0) + 1) * 8;
  }
  const seg = ip.subarray(off, end);
  checkL4(where, pseudo6(ip, next, seg.length), next, seg, t);
}

function checkEthertype(where: string, type: number, payload: Buffer, t: ChecksumTally): void {
  if (type === ETHERTYPE.IPV4) checkIpv4(where, payload, t);
  else if (type === ETHERTYPE.IPV6) checkIpv6(where, payload, t);
  else if (type === ETHERTYPE.BATADV) {
    const headerLen: Record<number, number> = { 1: 14, 64: 10, 66: 18 };
    const len = headerLen[payload[0] ?? -1];
    assert.ok(len !== undefined, `${where}: unexpected batman-adv packet type ${payload[0]}`);
    assert.equal(payload[1], 15, `${where}: batman-adv compat version`);
    checkEthernet(`${where} (inner)`, payload.subarray(len), t);
  }
}

function checkEthernet(where: string, frame: Buffer, t: ChecksumTally): void {
  let off = 12;
  let type = frame.readUInt16BE(off);
  while (type === ETHERTYPE.VLAN || type === ETHERTYPE.QINQ) {
    off += 4;
    type = frame.readUInt16BE(off);
  }
  checkEthertype(where, type, frame.subarray(off + 2), t);
}

function checkPacket(where: string, p: Packet, t: ChecksumTally): void {
  if (p.linkType === LINKTYPE.ETHERNET) checkEthernet(where, p.data, t);
  else if (p.linkType === LINKTYPE.LINUX_SLL) checkEthertype(where, p.data.readUInt16BE(14), p.data.subarray(16), t);
  else if (p.linkType === LINKTYPE.LINUX_SLL2) checkEthertype(where, p.data.readUInt16BE(0), p.data.subarray(20), t);
  else assert.fail(`${where}: unexpected link type ${p.linkType}`);
}

function onPath(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

function run(cmd: string, args: readonly string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** tcpdump packet lines start with the time; hex-dump continuation lines start with a tab. */
function packetLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l));
}

const fixtures = buildFixtures();
const wellFormed = fixtures.filter((f) => !f.broken);
const here = dirname(fileURLToPath(import.meta.url));
const HAS_TCPDUMP = onPath('tcpdump');
const HAS_TSHARK = onPath('tshark');
const HAS_MERGECAP = onPath('mergecap');

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'anycast-probe-fixtures-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ tests

describe('fixture builder', () => {
  it('writes byte-identical files when run twice into two directories', () => {
    const a = mkdtempSync(join(tmpdir(), 'anycast-probe-fixtures-a-'));
    const b = mkdtempSync(join(tmpdir(), 'anycast-probe-fixtures-b-'));
    try {
      writeFixtures(a, { readme: false });
      writeFixtures(b, { readme: false });
      const names = readdirSync(a).sort();
      assert.deepEqual(names, readdirSync(b).sort());
      assert.equal(names.length, fixtures.length);
      for (const n of names) assert.ok(readFileSync(join(a, n)).equals(readFileSync(join(b, n))), `${n} differs`);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  it('matches the captures checked into fixtures/ (regenerate with npm run fixtures)', (t) => {
    const dir = resolve(here, '../../fixtures');
    if (!existsSync(join(dir, 'arp-icmp-eth-us.pcap'))) {
      t.skip('fixtures/ has not been generated');
      return;
    }
    for (const f of fixtures) {
      assert.ok(readFileSync(join(dir, f.name)).equals(f.bytes), `fixtures/${f.name} is stale`);
    }
  });

  it('keeps every fixture under 4 KiB', () => {
    for (const f of fixtures) assert.ok(f.bytes.length < 4096, `${f.name} is ${f.bytes.length} bytes`);
  });

  it('holds as many packets as each well-formed fixture claims', () => {
    for (const f of wellFormed) assert.equal(packetsOf(f).length, f.frames, f.name);
  });

  it('computes correct IPv4, ICMP, TCP, UDP and ICMPv6 checksums in every complete frame', () => {
    const tally = newTally();
    for (const f of wellFormed) {
      packetsOf(f).forEach((p, i) => {
        if (p.capLen === p.wireLen) checkPacket(`${f.name} #${i + 1}`, p, tally);
      });
    }
    // Every kind of checksum the builder writes must actually have been checked.
    for (const [kind, n] of Object.entries(tally)) assert.ok(n > 0, `no ${kind} checksum was checked`);
  });

  it('fills a UDP checksum that computes to zero as 0xffff', () => {
    // Search the source port for a datagram whose checksum computes to 0: it must be sent as 0xffff.
    let found = false;
    for (let sport = 1; sport < 65536 && !found; sport++) {
      const ip = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IP_PROTO.UDP, payload: udp({ sport, dport: 9, payload: Buffer.alloc(0) }) });
      if (ip.readUInt16BE(26) === 0xffff) {
        found = true;
        assert.equal(onesSum(pseudo4(ip, IP_PROTO.UDP, 8), ip.subarray(20)), 0xffff);
      }
      assert.notEqual(ip.readUInt16BE(26), 0, "UDP checksum 0 means 'none'");
    }
    assert.ok(found);
  });

  it('quotes the offending datagram in an ICMP error with a valid ICMP checksum', () => {
    const original = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IP_PROTO.UDP, payload: udp({ sport: 1, dport: 2, payload: Buffer.from('x') }) });
    const msg = icmpError({ type: 3, code: 3, original: original.subarray(0, 28) });
    assert.equal(msg.length, 8 + 28);
    assert.equal(onesSum(msg), 0xffff);
    assert.ok(msg.subarray(8).equals(original.subarray(0, 28)));
  });

  it('parses IPv4 and compressed IPv6 addresses', () => {
    assert.deepEqual([...ipv4Addr('10.172.0.10')], [10, 172, 0, 10]);
    assert.equal(ipv6Addr('fe80::1').toString('hex'), 'fe800000000000000000000000000001');
    assert.equal(ipv6Addr('2001:db8:ac::a').toString('hex'), '20010db800ac0000000000000000000a');
    assert.equal(ipv6Addr('::').toString('hex'), '0'.repeat(32));
    assert.throws(() => ipv6Addr('1::2::3'));
    assert.throws(() => ipv4Addr('10.0.0.256'));
  });

  it('lets tcpdump -nne read each well-formed fixture, one line per frame', (t) => {
    if (!HAS_TCPDUMP) {
      t.skip('tcpdump is not on PATH');
      return;
    }
    withTempDir((dir) => {
      writeFixtures(dir, { readme: false });
      for (const f of wellFormed.filter((x) => x.tcpdumpReadable)) {
        const r = run('tcpdump', ['-nne', '-r', f.name], dir);
        assert.equal(r.status, 0, `${f.name}: ${r.stderr}`);
        assert.equal(packetLines(r.stdout).length, f.frames, `${f.name}:\n${r.stdout}`);
      }
    });
  });

  it('makes tcpdump stop with an error after the good frames of the broken captures libpcap rejects', (t) => {
    if (!HAS_TCPDUMP) {
      t.skip('tcpdump is not on PATH');
      return;
    }
    // libpcap itself tolerates caplen > snaplen (it reads the record) and unknown link types.
    const tolerated = new Set(['broken-caplen-over-snaplen.pcap', 'broken-unknown-linktype.pcap']);
    withTempDir((dir) => {
      writeFixtures(dir, { readme: false });
      for (const f of fixtures.filter((x) => x.broken && !tolerated.has(x.name))) {
        const r = run('tcpdump', ['-nne', '-r', f.name], dir);
        assert.notEqual(r.status, 0, `${f.name} should fail`);
        assert.equal(packetLines(r.stdout).length, f.frames, `${f.name}:\n${r.stdout}`);
      }
    });
  });

  it('lets tshark read every well-formed fixture without malformed packets or bad checksums', (t) => {
    if (!HAS_TSHARK) {
      t.skip('tshark is not on PATH');
      return;
    }
    const problems =
      '_ws.malformed || _ws.expert.severity >= "Warning" || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || ' +
      'icmpv6.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad"';
    withTempDir((dir) => {
      writeFixtures(dir, { readme: false });
      // Each tshark start costs ~0.5 s, so check one merged file when mergecap is there.
      const merged = HAS_MERGECAP ? run('mergecap', ['-a', '-w', 'all.pcapng', ...wellFormed.map((f) => f.name)], dir) : null;
      if (merged !== null) assert.equal(merged.status, 0, merged.stderr);
      const targets =
        merged !== null
          ? [{ name: 'all.pcapng', frames: wellFormed.reduce((n, f) => n + f.frames, 0) }]
          : wellFormed.map((f) => ({ name: f.name, frames: f.frames }));
      for (const f of targets) {
        const all = run('tshark', ['-r', f.name], dir);
        assert.equal(all.status, 0, `${f.name}: ${all.stderr}`);
        // multi-interface.pcapng's Custom Block is listed by tshark but is no packet.
        const rows = all.stdout.split('\n').filter((l) => l.trim() !== '' && !/ PCAPNG \d+ /.test(l));
        assert.equal(rows.length, f.frames, `${f.name}:\n${all.stdout}`);
        const bad = run(
          'tshark',
          ['-r', f.name, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', problems],
          dir,
        );
        assert.equal(bad.status, 0, `${f.name}: ${bad.stderr}`);
        assert.equal(bad.stdout.trim(), '', `${f.name} has problems:\n${bad.stdout}`);
      }
    });
  });
});

describe('pcap writer', () => {
  const frame = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

  it('writes a µs little-endian header with magic a1b2c3d4 and version 2.4', () => {
    const h = new PcapWriter({ linkType: 1 }).header();
    assert.equal(h.toString('hex'), 'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000');
  });

  it('writes a ns big-endian header with magic a1b23c4d', () => {
    const h = new PcapWriter({ linkType: 276, nanosecond: true, bigEndian: true, snapLen: 65535 }).header();
    assert.equal(h.toString('hex'), 'a1b23c4d' + '0002' + '0004' + '00000000' + '00000000' + '0000ffff' + '00000114');
  });

  it('converts nanoseconds to microseconds in µs files and keeps them in ns files', () => {
    const us = new PcapWriter({ linkType: 1 }).record(10, 123_456_789, frame);
    const ns = new PcapWriter({ linkType: 1, nanosecond: true }).record(10, 123_456_789, frame);
    assert.equal(us.readUInt32LE(4), 123_456);
    assert.equal(ns.readUInt32LE(4), 123_456_789);
  });

  it('clips the captured length to the snaplen but keeps the wire length', () => {
    const r = new PcapWriter({ linkType: 1, snapLen: 38 }).record(1, 0, frame, 0, 100, 100);
    assert.equal(r.readUInt32LE(8), 38);
    assert.equal(r.readUInt32LE(12), 100);
    assert.equal(r.length, 16 + 38);
    assert.ok(r.subarray(16).equals(frame.subarray(0, 38)));
  });

  it('rejects a frame range outside the data', () => {
    const w = new PcapWriter({ linkType: 1 });
    assert.throws(() => w.record(1, 0, frame, 90, 20, 20), RangeError);
    assert.throws(() => w.record(1, 1e9, frame), RangeError);
  });

  it('streams the same bytes to a file as the in-memory writer, from Buffers and plain Uint8Arrays', () => {
    withTempDir((dir) => {
      for (const bufferSize of [1 << 20, 64, 24]) {
        const path = join(dir, `s${bufferSize}.pcap`);
        const opts = { linkType: 1, nanosecond: true, bigEndian: true, bufferSize };
        const mem = new PcapWriter(opts);
        const expected: Buffer[] = [mem.header()];
        const shared = new Uint8Array(512);
        const out = openPcapFile(path, opts);
        for (let i = 0; i < 20; i++) {
          const len = 20 + i * 7;
          shared.set(frame.subarray(0, Math.min(len, frame.length)), 7);
          const plain = shared.subarray(3); // a view with a non-zero byteOffset
          out.write(100 + i, i * 1000 + 1, plain, 4, len, len + 2);
          expected.push(mem.record(100 + i, i * 1000 + 1, plain, 4, len, len + 2));
          out.write(200 + i, 5, frame, 1, 50, 60);
          expected.push(mem.record(200 + i, 5, frame, 1, 50, 60));
        }
        assert.equal(out.recordsWritten, 40);
        out.close();
        const want = Buffer.concat(expected);
        assert.equal(out.bytesWritten, want.length);
        assert.ok(readFileSync(path).equals(want), `bufferSize ${bufferSize}`);
      }
    });
  });

  it('produces files that tcpdump reads', (t) => {
    if (!HAS_TCPDUMP) {
      t.skip('tcpdump is not on PATH');
      return;
    }
    withTempDir((dir) => {
      const eth = fixtures.find((f) => f.name === 'arp-icmp-eth-us.pcap');
      assert.ok(eth);
      const out = openPcapFile(join(dir, 'w.pcap'), { linkType: 1, nanosecond: true });
      for (const p of readPcap(eth.bytes)) out.write(1_700_000_000, 1, p.data, 0, p.capLen, p.wireLen);
      out.close();
      const r = run('tcpdump', ['-nne', '-r', 'w.pcap'], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(packetLines(r.stdout).length, eth.frames);
    });
  });
});

describe('pcapng builder', () => {
  it('can forge a block whose trailing length differs from the leading one', () => {
    const b = new PcapngBuilder().shb();
    const before = b.build().length;
    b.block(6, Buffer.alloc(8), { trailingLength: 99 });
    const out = b.build();
    assert.equal(out.readUInt32LE(before + 4), 20);
    assert.equal(out.readUInt32LE(out.length - 4), 99);
  });

  it("encodes EPB timestamps in the interface's if_tsresol units", () => {
    const b = new PcapngBuilder().shb();
    const us = b.idb({ linkType: 1, tsresol: 6 });
    const ns = b.idb({ linkType: 113, tsresol: 9 });
    assert.equal(b.timestampUnits(us, 2, 123_456_789), 2_123_456n);
    assert.equal(b.timestampUnits(ns, 2, 123_456_789), 2_123_456_789n);
  });

  it('writes big-endian sections readable by tcpdump', (t) => {
    if (!HAS_TCPDUMP) {
      t.skip('tcpdump is not on PATH');
      return;
    }
    withTempDir((dir) => {
      const src = fixtures.find((f) => f.name === 'vlan.pcap');
      assert.ok(src);
      const b = new PcapngBuilder().shb({ bigEndian: true });
      const id = b.idb({ linkType: 1, tsresol: 9 });
      for (const p of readPcap(src.bytes)) b.epb({ interfaceId: id, tsSec: 1, tsNsec: 2, data: p.data });
      b.spb({ data: readPcap(src.bytes)[0]?.data ?? Buffer.alloc(0) });
      writeFileSync(join(dir, 'b.pcapng'), b.build());
      const r = run('tcpdump', ['-nne', '-r', 'b.pcapng'], dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(packetLines(r.stdout).length, src.frames + 1);
    });
  });
});
