import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultSeedFiles, runFuzz, saveCrash } from '../test/support/fuzz/run.js';
import { TARGETS } from '../test/support/fuzz/targets.js';
import { repoRoot } from '../test/support/paths.js';

/**
 * The long fuzzing run (`npm run fuzz -- --minutes 30`): the time is shared
 * between the targets (reader, decoder, pipeline, or the one --target
 * names); each crash is written to --out (default fuzz-crashes/) as a
 * capture with its message beside it. A round that ends on a hang or an
 * out-of-memory input starts again with the next seed for the time left.
 * Exit code 1 when anything crashed.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    target: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    out: { type: 'string', default: path.join(repoRoot, 'fuzz-crashes') },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, not ${values.minutes}`);
const targets = values.target === undefined ? TARGETS : TARGETS.filter((t) => t.name === values.target);
if (targets.length === 0) throw new Error(`--target is one of ${TARGETS.map((t) => t.name).join(', ')}`);
let seed = Number(values.seed);
let crashed = 0;
for (const target of targets) {
  const end = Date.now() + (minutes * 60_000) / targets.length;
  let iterations = 0;
  while (Date.now() < end - 1000) {
    const report = await runFuzz({
      target: target.name,
      seedFiles: defaultSeedFiles(),
      seed: seed++,
      iterations: Number.MAX_SAFE_INTEGER,
      seconds: (end - Date.now()) / 1000,
      deepRuns: 1000,
      onProgress: (s) =>
        process.stderr.write(`\r${target.name}: ${s.iterations} inputs, ${Math.round(s.iterations / s.seconds)}/s, corpus ${s.corpus}, ${s.blocks} blocks   `),
    });
    iterations += report.stats?.iterations ?? 0;
    for (const crash of report.crashes) {
      crashed++;
      process.stderr.write(`\n${target.name}: CRASH saved as ${saveCrash(values.out, crash)}\n${crash.message}\n`);
    }
    const s = report.stats;
    if (s !== undefined)
      process.stderr.write(
        `\n${target.name}: ${s.iterations} inputs in ${s.seconds.toFixed(0)} s (seed ${seed - 1}), corpus ${s.corpus}, ${s.blocks} blocks, ${s.functionsRun} of ${s.functionsLoaded} functions, heap ≤ ${(s.maxHeapBytes / 1e6).toFixed(0)} MB\n`,
      );
  }
  process.stderr.write(`${target.name}: ${iterations} inputs in all\n`);
}
process.exitCode = crashed > 0 ? 1 : 0;
