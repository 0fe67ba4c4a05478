// Bundles the compiled CLI (dist/src) into dist/bundle: main.js for the CLI,
// decode-thread.js for analyze's decode thread (found beside main.js, as in dist/src/cli).
//
// Why: loading 132 separate ES modules (ours, yargs and its helpers) cost ~300 ms
// before the first frame was read, on top of node's own ~140 ms; `--version`
// took 0.44 s. tcpdump starts in milliseconds, and on the 5M-frame benchmark
// (~1.7 s) that start-up alone was a sixth of the run. Bundled, `--version`
// takes 0.20 s (BENCHMARKS.md, "Start-up").
//
// The bundle is the same code as dist/src (tsc's output, unminified, with
// names kept): tests run both, through bin/anycast-probe and through dist/src.
// `cap` stays external: it is a native addon, loaded with createRequire only
// when the cap engine is chosen.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/main.js', 'dist/src/cli/decode-thread.js'],
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['cap'],
  logLevel: 'warning',
});
