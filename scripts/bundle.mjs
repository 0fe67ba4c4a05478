// Bundles the compiled CLI (dist/src) into dist/bundle: main.js for the CLI,
// decode-thread.js for analyze's decode thread (found beside main.js, as in
// dist/src/cli), and early-start.js, which the bin shim loads first so that
// analyze's decode thread boots while main.js (550 KB, ~60 ms) is still
// loading. Code they share is split into chunk files, loaded once: the shim's
// early start and main.js's take of the thread see the same module.
//
// Why: loading 132 separate ES modules (ours, yargs and its helpers) cost ~300 ms
// before the first frame was read, on top of node's own ~140 ms; `--version`
// took 0.44 s. tcpdump starts in milliseconds, and on the 5M-frame benchmark
// (~1.7 s) that start-up alone was a sixth of the run. Bundled, `--version`
// takes 0.20 s (BENCHMARKS.md, "Start-up").
//
// The bundle is the same code as dist/src (tsc's output, unminified, with
// names kept); test/cli/bundle.test.ts checks that both print the same.
// `cap` stays external: it is a native addon, loaded with createRequire only
// when the cap engine is chosen.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * string-width (three copies: yargs', cliui's, wrap-ansi's) builds an
 * `Intl.Segmenter` when its module is evaluated: 13-15 ms each for ICU's
 * data, 28 ms of every start, though only help and table output measure
 * strings. Built on first use instead. The rewrite is exact text: if a new
 * version words it differently the file is bundled as it is, only slower,
 * and the build says so.
 */
const SEGMENTER_AT_LOAD = 'const segmenter = new Intl.Segmenter();';
const lazySegmenter = {
  name: 'lazy-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('Intl.Segmenter')) return undefined;
      if (!source.includes(SEGMENTER_AT_LOAD) || !source.includes('segmenter.segment(')) {
        return { contents: source, loader: 'js', warnings: [{ text: `${args.path}: Intl.Segmenter not built lazily (source changed)` }] };
      }
      const contents = source.replace(SEGMENTER_AT_LOAD, 'let segmenter;').replaceAll('segmenter.segment(', '(segmenter ??= new Intl.Segmenter()).segment(');
      return { contents, loader: 'js' };
    });
  },
};

// Chunk names carry a content hash: without a clean start old chunks would pile up.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  // Named entries: the sources live in two folders (cli/, pipeline/), the outputs side by side.
  entryPoints: { main: 'dist/src/cli/main.js', 'decode-thread': 'dist/src/pipeline/decode-thread.js', 'early-start': 'dist/src/cli/early-start.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  // Chunks beside the entries: decode-thread-start.js, wherever it lands, finds decode-thread.js as './decode-thread.js'.
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['cap'],
  logLevel: 'warning',
  plugins: [lazySegmenter],
  // CommonJS dependencies (@colors/colors, under cli-table3) call require('util'); in an ES
  // module bundle esbuild's require shim throws, and cli-table3 silently drops its colours.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
