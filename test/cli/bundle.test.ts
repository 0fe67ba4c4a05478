import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPath, repoRoot } from '../support/paths.js';

/**
 * bin/anycast-probe runs the esbuild bundle (dist/bundle); the tests at large
 * run it through bin. Here: it prints exactly what the tsc output it was built
 * from (dist/src) prints, colours and help included, and what depends on where
 * the code sits on disk (the version, yargs' strings) is right in both.
 */

const unbundled = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(entry: string, args: string[], env: Record<string, string | undefined> = {}, cwd = repoRoot): Run {
  const merged: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: '0', ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const r = spawnSync(process.execPath, [entry, ...args], { cwd, env: merged as NodeJS.ProcessEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const cases: [string, string[], Record<string, string>][] = [
  ['analyze, text with colour (tables from cli-table3)', ['analyze', 'fixtures/scenarios/inter-gateway.pcap'], { FORCE_COLOR: '1' }],
  ['analyze --json', ['analyze', 'fixtures/scenarios/arp-filter-off-one.pcap', '--json'], {}],
  ['analyze --threads 2', ['analyze', 'fixtures/scenarios/gateway-switch.pcap', '--threads', '2'], {}],
  ['frames', ['frames', 'fixtures/scenarios/healthy.pcap'], {}],
  ['--help', ['--help'], {}],
  ['analyze --help', ['analyze', '--help'], {}],
  ['no command', [], {}],
  ['an unknown flag', ['analyze', 'fixtures/scenarios/healthy.pcap', '--bogus'], {}],
  ['a bad flag value', ['analyze', 'fixtures/scenarios/healthy.pcap', '--threads', '3'], {}],
  ['a missing file', ['analyze', 'no-such-capture.pcap'], {}],
];

for (const [what, args, env] of cases) {
  test(`the bundled CLI prints what dist/src prints: ${what}`, () => {
    const bundled = run(cliPath, args, env);
    const plain = run(unbundled, args, env);
    assert.deepEqual(bundled, plain);
    assert.ok(bundled.stdout !== '' || bundled.stderr !== '', 'it printed something');
  });
}

test('colour reaches the tables: cli-table3 draws its borders in grey when colour is on', () => {
  const r = run(cliPath, ['analyze', 'fixtures/scenarios/inter-gateway.pcap'], { FORCE_COLOR: '1' });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for terminal escapes is the point.
  assert.match(r.stdout, /\u001b\[90m/);
});

test("--version is this package's, whatever directory it is run from", () => {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-version-'));
  try {
    // Another npm project's package.json in the working directory must not be read.
    fs.writeFileSync(path.join(elsewhere, 'package.json'), JSON.stringify({ name: 'something-else', version: '9.9.9' }));
    for (const entry of [cliPath, unbundled]) {
      for (const cwd of [repoRoot, elsewhere]) {
        const r = run(entry, ['--version'], {}, cwd);
        assert.equal(r.stdout.trim(), version, `${path.relative(repoRoot, entry)} from ${cwd}`);
        assert.equal(r.status, 0);
      }
    }
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});

test("yargs' messages are English under another locale, as every message of the tool", () => {
  for (const entry of [cliPath, unbundled]) {
    const german = run(entry, ['analyze', 'x.pcap', '--threads', '7'], { LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' });
    const plain = run(entry, ['analyze', 'x.pcap', '--threads', '7'], { LC_ALL: 'C', LANG: 'C' });
    assert.equal(german.stderr, plain.stderr);
    assert.match(german.stderr, /Invalid values:/);
  }
});
