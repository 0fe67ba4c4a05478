import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/run-cli.js';
import { PcapngBuilder } from '../support/pcapng-writer.js';

/**
 * pcapng files that declare interfaces of a link type anycast-probe does not
 * decode: one warning per link type that carried frames, with counts; none
 * for interfaces that carry nothing (mergecap keeps every input's); the exit
 * code follows the analysis; a million such declarations cost neither memory
 * nor a million lines.
 */

const ARP = Buffer.concat([Buffer.from('ffffffffffff02000000000a0806000108000604000102000000000a0aac000a0000000000000aac0001', 'hex'), Buffer.alloc(18)]);

function withFile(bytes: Buffer, run: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-pcapng-'));
  try {
    const file = path.join(dir, 'x.pcapng');
    fs.writeFileSync(file, bytes);
    run(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('interfaces of an unsupported link type that carry no packet are not warned about; the exit code follows the analysis', () => {
  const b = new PcapngBuilder().shb();
  const eth = b.idb({ linkType: 1 });
  for (let i = 0; i < 16; i++) b.idb({ linkType: 160 });
  for (let i = 0; i < 18; i++) b.epb({ interfaceId: eth, tsSec: 1700000000 + i, tsNsec: 0, data: ARP });
  withFile(b.build(), (file) => {
    const frames = runCli(['frames', file]);
    assert.equal(frames.status, 0, frames.stderr);
    assert.equal(frames.stderr.trim().split('\n').length, 1, frames.stderr);
    assert.equal(frames.stdout.trim().split('\n').length, 18);
    const analyze = runCli(['analyze', file]);
    assert.equal(analyze.status, 3, analyze.stderr);
    assert.equal(analyze.stderr, '');
  });
});

test('a hundred thousand interfaces of an unsupported link type carrying frames give one warning line with counts', () => {
  const b = new PcapngBuilder().shb();
  for (let i = 0; i < 100_000; i++) b.idb({ linkType: 160 });
  b.epb({ interfaceId: 0, tsSec: 1700000000, tsNsec: 0, data: ARP });
  b.epb({ interfaceId: 99_999, tsSec: 1700000001, tsNsec: 0, data: ARP });
  withFile(b.build(), (file) => {
    const r = runCli(['frames', file]);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr.slice(0, 2000));
    assert.match(lines[0]!, /: 100000 interfaces \(the first at byte 28\): link type 160 is not supported: .*; 2 frames on them counted but not decoded$/);
    assert.match(lines[1]!, /2 frames read \(pcapng\), 0 shown/);
    assert.equal(r.status, 0);
  });
});
