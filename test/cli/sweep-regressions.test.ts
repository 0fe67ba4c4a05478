import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir } from '../support/paths.js';
import { jsonLines, runCli } from '../support/run-cli.js';

/**
 * What a length-field sweep over the fixtures found, each kept as the
 * mutated fixture that showed it (test/regress/).
 */

const hasTcpdump = spawnSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' }).status === 0;

function tcpdumpCount(file: string): number {
  const r = spawnSync('tcpdump', ['--count', '-r', file], { encoding: 'utf8' });
  return Number(/^(\d+) packets?$/m.exec(r.stdout)?.[1] ?? 0);
}

// arp-icmp.pcapng with the section header's trailing length set to 0; big-endian.pcapng with a
// section header option claiming 65,535 bytes. libpcap reads the first section header without
// checking either, so tcpdump shows all 8 frames, where anycast-probe stopped at byte 0 with none.
for (const file of ['test/regress/shb-trailer-mismatch.pcapng', 'test/regress/shb-option-overrun.pcapng']) {
  test(`${file}: a fault only in the first section header costs no frame, as in tcpdump`, () => {
    const r = runCli(['frames', '--json', '--all', '-q', file]);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(jsonLines(r.stdout).length, 8);
  });
}

test('the first section header is checked no more than tcpdump checks it, and never fewer frames than tcpdump come out', {
  skip: hasTcpdump ? false : 'tcpdump not installed',
}, () => {
  for (const file of ['test/regress/shb-trailer-mismatch.pcapng', 'test/regress/shb-option-overrun.pcapng']) {
    assert.equal(jsonLines(runCli(['frames', '--json', '--all', file]).stdout).length, tcpdumpCount(file), file);
  }
});

// A length field claiming one byte more than the frame held on the wire: tcpdump says
// "truncated-ip - 1 bytes missing!", "truncated-ip6 - 1 bytes missing!", "UDP, bad length 19 > 13"; anycast-probe decoded
// each as a whole packet and counted nothing. Now the frame keeps its layers and is flagged malformed.
const OVERLONG = [
  { file: 'test/regress/ipv4-total-length-past-frame.pcap', frame: 4, layer: 'ipv4', need: 61, have: 60 },
  { file: 'test/regress/ipv6-payload-length-past-frame.pcap', frame: 1, layer: 'ipv6', need: 81, have: 80 },
  { file: 'test/regress/udp-length-past-ip.pcap', frame: 7, layer: 'udp', need: 27, have: 21 },
] as const;

for (const { file, frame, layer, need, have } of OVERLONG) {
  test(`${file}: frame ${frame} is flagged malformed, with its layers kept, when its ${layer} length claims more than the frame held on the wire`, () => {
    const r = runCli(['frames', '--json', '--all', file]);
    assert.equal(r.status, 0, r.stderr);
    const frames = jsonLines(r.stdout);
    const f = frames[frame - 1]!;
    assert.deepEqual(f.stop, { layer, reason: 'malformed', need, have });
    assert.ok(layer === 'ipv6' ? f.ip6 !== undefined : f.ip !== undefined, 'the IP layer is still there');
    assert.equal(frames.filter((x) => x.stop !== undefined).length, 1, 'no other frame flagged');
    assert.match(r.stderr, /, 0 truncated, 1 malformed$/m);
  });
}

const payloadCut = path.join(corpusDir, 'zeek__trunc_icmp-payload-trunc.pcap');

test('a frame cut by the snap length is not malformed: its IP length claims no more than the frame held on the wire', {
  skip: fs.existsSync(payloadCut) ? false : `${payloadCut} absent`,
}, () => {
  const r = runCli(['frames', '--all', payloadCut]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /: 4 frames read \(pcap\), 4 shown, 0 truncated, 0 malformed$/m);
});
