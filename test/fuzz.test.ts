import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockCoverage } from './support/fuzz/coverage.js';
import { defaultSeedFiles, runFuzz, saveCrash, type FuzzReport } from './support/fuzz/run.js';
import { fixturesDir } from './support/paths.js';

/**
 * The bounded fuzzing run of `npm test` (the long one is `npm run fuzz`):
 * each target gets a fixed seed, an iteration bound and a time bound, so a
 * fast machine runs exactly the same inputs every time and a slow one stops
 * on time. A crash is written to a temporary folder named in the failure,
 * to be kept under test/regress/ with a test once fixed.
 */

function assertNoCrash(report: FuzzReport): void {
  if (report.crashes.length === 0) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-fuzz-crash-'));
  const lines = report.crashes.map((c) => `${saveCrash(dir, c)}:\n${c.message}`);
  assert.fail(`${report.target}: ${report.crashes.length} crash(es):\n${lines.join('\n\n')}`);
}

/** Per target: iterations and seconds (whichever ends first), and how many inputs it must at least run to count as a run. */
const BOUNDS = [
  { target: 'reader', iterations: 12_000, seconds: 15, atLeast: 1_000 },
  { target: 'decoder', iterations: 5_000, seconds: 15, atLeast: 400 },
  { target: 'pipeline', iterations: 500, seconds: 25, atLeast: 100 },
] as const;

for (const { target, iterations, seconds, atLeast } of BOUNDS) {
  test(`fuzzing the ${target} from the fixtures and the corpus finds no crash, hang or runaway heap`, { timeout: (seconds + 60) * 1000 }, async () => {
    const seedFiles = defaultSeedFiles();
    const report = await runFuzz({ target, seedFiles, seed: 14, iterations, seconds, deepRuns: target === 'pipeline' ? 8 : 50 });
    assertNoCrash(report);
    const s = report.stats;
    assert.ok(s !== undefined, 'the fuzzer reported no statistics');
    assert.ok(s.iterations >= atLeast, `only ${s.iterations} inputs in ${s.seconds.toFixed(1)} s`);
    // Coverage feedback works: mutants that reached new blocks were kept beside the seeds.
    assert.ok(s.corpus > seedFiles.length, `corpus ${s.corpus} did not grow past the ${seedFiles.length} seeds`);
    assert.ok(s.maxHeapBytes < 256 * 1024 * 1024, `heap reached ${s.maxHeapBytes} bytes`);
    console.log(
      `# ${target}: ${s.iterations} inputs in ${s.seconds.toFixed(1)} s (${Math.round(s.iterations / s.seconds)}/s), corpus ${s.corpus}, ${s.blocks} blocks, ${s.functionsRun} of ${s.functionsLoaded} functions, heap ≤ ${(s.maxHeapBytes / 1e6).toFixed(0)} MB`,
    );
  });
}

const SEED = [path.join(fixturesDir, 'vlan.pcap')];

test('an input that never returns is reported as a hang, with the input', async () => {
  const report = await runFuzz({ target: 'self-test-hang', seedFiles: SEED, iterations: 10_000, seconds: 20, hangSeconds: 1 });
  assert.equal(report.crashes.length, 1);
  assert.match(report.crashes[0]!.message, /^hang: /);
  assert.ok(report.crashes[0]!.input.length < 8, 'the input running when it hung');
});

test('an input that takes the heap is reported as memory, with the input', async () => {
  const report = await runFuzz({ target: 'self-test-memory', seedFiles: SEED, iterations: 10_000, seconds: 20, heapMb: 64 });
  assert.equal(report.crashes.length, 1);
  assert.match(report.crashes[0]!.message, /^memory: /);
  assert.ok(report.crashes[0]!.input.length < 8);
});

test('an exception is reported once per place, with its input, and fuzzing goes on', async () => {
  const report = await runFuzz({ target: 'self-test-throw', seedFiles: SEED, iterations: 300, seconds: 20 });
  assert.equal(report.crashes.length, 1, 'one crash however often the same fault is hit');
  assert.match(report.crashes[0]!.message, /^TypeError: planted fault/);
  assert.ok(report.crashes[0]!.input.length < 8);
  assert.equal(report.stats?.iterations, 300);
});

test('block coverage counts a branch the first time it runs, and only then', async () => {
  // A module of its own, so that only its blocks count (not this test's, which is still running).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-coverage-'));
  const file = path.join(dir, 'branchy.mjs');
  fs.writeFileSync(file, "export function branchy(n) {\n  if (n > 10) return 'big';\n  return 'small';\n}\n");
  try {
    const coverage = new BlockCoverage((url) => url.endsWith('/branchy.mjs'));
    const { branchy } = (await import(pathToFileURL(file).href)) as { branchy: (n: number) => string };
    coverage.reset();
    branchy(1);
    assert.ok(coverage.take() > 0, 'the first call reached new blocks');
    branchy(2);
    assert.equal(coverage.take(), 0, 'the same path again: nothing new');
    branchy(20);
    assert.ok(coverage.take() > 0, 'the other branch is new');
    branchy(30);
    assert.equal(coverage.take(), 0, 'and then old');
    coverage.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
