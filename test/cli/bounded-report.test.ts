import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arp, ARP_OP, ETHERTYPE, ethernet } from '../support/frame-builder.js';
import { PcapngBuilder } from '../support/pcapng-writer.js';
import { runCli } from '../support/run-cli.js';

/**
 * However many gateways and MACs a capture holds, the human report stays
 * readable: bounded lists say how many were left out, a full table says it
 * is full, and no line grows with the data.
 */

test('64 gateways claiming the anycast IP: short verdict and gateway lines that say how many more there are', () => {
  const r = runCli(['analyze', '--anycast-ip', '10.172.0.10', '--anycast-mac', '02:00:00:00:00:00', 'test/regress/epipe-big-report.pcap']);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^PROBLEMS: 65 findings on 02:00:00:00:00:01, 02:00:00:00:00:02, 02:00:00:00:00:03 \+6\d more gateways — worst: /);
  assert.ok(lines[0]!.length < 200, `verdict line of ${lines[0]!.length} characters`);
  const gateways = lines.indexOf('Gateways:');
  assert.ok(gateways > 0);
  assert.match(lines[gateways + 9]!, /^ {2}… and \d+ more \(--json lists them all\)$/);
  assert.match(r.stdout, /^ {2}… and \d+ more MACs \(--json lists them all\)$/m);
  assert.match(r.stdout, /Likely cause \(02:00:00:00:00:01, 02:00:00:00:00:02, 02:00:00:00:00:03 \+\d+ more gateways\)/);
  // No line grows with the data: the widest are the fixed-width tables and the cause sentences.
  for (const line of lines) assert.ok([...line].length <= 320, `a line of ${[...line].length} characters: ${line.slice(0, 80)}`);
  // The cause sentences are wrapped as a paragraph at 100 columns.
  const causes = lines.filter((l) => l.startsWith('  Likely cause'));
  assert.ok(causes.length > 0);
  for (const line of causes) assert.ok(line.length <= 100, `a cause line of ${line.length} characters: ${line.slice(0, 80)}`);
});

test('2000 MACs claiming an address, not told which is the anycast one: a bounded no-verdict line and anycast line, exit 3', () => {
  const r = runCli(['analyze', 'test/regress/epipe-big-report.pcap']);
  assert.equal(r.status, 3, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(
    lines[0]!,
    /^NO VERDICT: 10\.172\.0\.10 \(claimed by 02:00:00:00:00:00, 02:00:00:00:00:01, 02:00:00:00:00:02, 02:00:00:00:00:03 \+1996 more MACs\)/,
  );
  assert.ok(lines[0]!.length < 450, `verdict line of ${lines[0]!.length} characters`);
  const anycast = lines.find((l) => l.startsWith('Anycast:'));
  assert.ok(anycast !== undefined && anycast.length < 400, `anycast line: ${anycast?.slice(0, 80)}`);
});

test('a full who-claimed table says so and counts the claims it could not keep', () => {
  const b = new PcapngBuilder().shb();
  b.idb({ linkType: 1 });
  for (let i = 0; i < 1100; i++) {
    const mac = `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
    const frame = ethernet({
      dst: '02:00:00:00:ff:01',
      src: mac,
      type: ETHERTYPE.ARP,
      payload: arp({ op: ARP_OP.REPLY, sha: mac, spa: '10.172.0.10', tha: '02:00:00:00:ff:01', tpa: '10.172.1.1' }),
    });
    b.epb({ interfaceId: 0, tsSec: 1700000000, tsNsec: i * 1000, data: frame });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-claims-'));
  try {
    const file = path.join(dir, 'claims.pcapng');
    fs.writeFileSync(file, b.build());
    const text = runCli(['analyze', file, '--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01']);
    assert.match(text.stdout, /The table is full \(1024 MAC\/address pairs\): 76 claims by further MACs were not counted\./);
    const json = JSON.parse(runCli(['analyze', '--json', file, '--anycast-ip', '10.172.0.10', '--anycast-mac', '02:ca:fe:00:00:01']).stdout) as {
      claims: unknown[];
      stats: { claimsNotTracked?: number };
    };
    assert.equal(json.claims.length, 1024);
    assert.equal(json.stats.claimsNotTracked, 76);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
