import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cliPath, repoRoot } from '../support/paths.js';

/**
 * A reader that goes away (`| head -1`) ends the program quietly: no
 * "internal error", and the exit code of what was found. The capture
 * (test/regress/epipe-big-report.pcap, from ../shared/repros) makes a
 * report over 64 KiB, past the pipe's buffer.
 */
const CAPTURE = 'test/regress/epipe-big-report.pcap';
/** Two thousand MACs claim the address; told which is the anycast MAC, every other one is a finding. */
const TOLD = '--anycast-ip 10.172.0.10 --anycast-mac 02:00:00:00:00:00';

function intoHead(args: string): { firstLine: string; status: number; stderr: string } {
  const script = `"${process.execPath}" "${cliPath}" ${args} 2>stderr.txt | head -1; echo "exit=\${PIPESTATUS[0]}"; cat stderr.txt >&2; rm -f stderr.txt`;
  const r = spawnSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', TMPDIR: repoRoot } });
  const lines = r.stdout.split('\n');
  const exit = /exit=(\d+)/.exec(r.stdout);
  return { firstLine: lines[0] ?? '', status: Number(exit?.[1] ?? -1), stderr: r.stderr };
}

for (const [args, first, status] of [
  [`analyze ${TOLD} ${CAPTURE}`, /^PROBLEMS: /, 1],
  [`analyze --json ${TOLD} ${CAPTURE}`, /^\{$/, 1],
  [`replay --fast ${TOLD} ${CAPTURE}`, /ERROR unicast-arp-reply/, 1],
  // Not told, the frames cannot say which of the claiming MACs is the shared one: no verdict, exit 3.
  [`analyze ${CAPTURE}`, /^NO VERDICT: /, 3],
  [`frames ${CAPTURE}`, /^\s+1 /, 0],
] as const) {
  test(`${args.replace(` ${CAPTURE}`, '').replace(TOLD, '(told)')} into head -1 ends quietly with the exit code of what it found`, () => {
    const r = intoHead(args);
    assert.match(r.firstLine, first);
    assert.doesNotMatch(r.stderr, /internal error|output closed/, r.stderr);
    assert.equal(r.status, status, r.stderr);
  });
}
