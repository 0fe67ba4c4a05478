import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';
import { spawnSync } from 'node:child_process';
import { cliPath, repoRoot } from '../support/paths.js';

test('-h is --help, and the help shows examples and the exit codes', () => {
  const h = runCli(['-h']);
  assert.equal(h.status, 0, h.stderr);
  assert.equal(h.stdout, runCli(['--help']).stdout);
  assert.match(h.stdout, /Examples:/);
  assert.match(h.stdout, /Exit codes:\n {2}0 {2}read completely/);
  assert.match(
    h.stdout,
    /\n {2}3 {2}no verdict: analyze\/watch\/replay: no anycast address[\s\S]*?; probe: the answers do not tell which MAC is the\s+anycast one/,
  );
  const analyze = runCli(['analyze', '--help']);
  assert.match(analyze.stdout, /Exit codes:/);
  assert.match(analyze.stdout, /16 to 16777216/);
  assert.match(runCli(['watch', '--help']).stdout, /64 to 262144[\s\S]*CAP_NET_RAW|CAP_NET_RAW[\s\S]*64 to 262144/);
});

test('a missing argument is named, with what it should be', () => {
  for (const [command, what] of [
    ['analyze', /^anycast-probe: analyze: missing <input>: the capture to read/],
    ['frames', /^anycast-probe: frames: missing <input>/],
    ['replay', /^anycast-probe: replay: missing <input>/],
    ['watch', /^anycast-probe: watch: missing <interface>: the interface to capture on/],
  ] as const) {
    const r = runCli([command]);
    assert.equal(r.status, 2, command);
    assert.match(r.stderr, what, r.stderr);
  }
});

test('TERM=dumb gets no colour, even on a terminal that FORCE_COLOR does not force', () => {
  // script(1) gives the CLI a terminal; without it isatty is false and the test would prove nothing.
  const haveScript = spawnSync('sh', ['-c', 'command -v script'], { stdio: 'ignore' }).status === 0;
  if (!haveScript) return;
  const run = (term: string): string => {
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '', TERM: term };
    return spawnSync('script', ['-qec', `"${process.execPath}" "${cliPath}" analyze fixtures/lab/no-source-route.pcap`, '/dev/null'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
    }).stdout;
  };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for terminal escapes is the point.
  assert.match(run('xterm'), /\u001b\[/, 'colour on a capable terminal');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for terminal escapes is the point.
  assert.doesNotMatch(run('dumb'), /\u001b\[/);
});
