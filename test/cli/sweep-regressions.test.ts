import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
