import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './support/paths.js';

/**
 * Imports go one way (README, "Architecture"):
 *
 *   cli → pipeline → source, detect → decode → core
 *   cli → report → detect, decode, core
 *   cli → doctor → host, source (interface discovery), core;  report → doctor
 *
 * Each folder of src/ may import only the folders listed for it here; a
 * new import that crosses backwards fails this test, naming the file.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  decode: ['core'],
  source: ['core'],
  detect: ['core', 'decode'],
  report: ['core', 'decode', 'detect', 'doctor', 'host'],
  pipeline: ['core', 'decode', 'detect', 'source'],
  host: ['core'],
  doctor: ['core', 'host', 'source'],
  cli: ['core', 'decode', 'detect', 'source', 'report', 'pipeline', 'host', 'doctor'],
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g;

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Relative imports of a file, as repository paths of the .ts files they name. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => path.relative(repoRoot, path.resolve(path.dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

function folderOf(repoPath: string): string {
  return repoPath.split(path.sep)[1] ?? '';
}

test('every import in src/ follows the layering', () => {
  const src = path.join(repoRoot, 'src');
  const crossings: string[] = [];
  for (const file of tsFiles(src)) {
    const own = folderOf(path.relative(repoRoot, file));
    assert.ok(own in ALLOWED, `${path.relative(repoRoot, file)}: folder src/${own} has no place in the layering (add it to ALLOWED)`);
    for (const target of importsOf(file)) {
      const to = folderOf(target);
      if (to === own) continue;
      if (!ALLOWED[own]!.includes(to)) crossings.push(`${path.relative(repoRoot, file)} imports ${target} (${own} → ${to})`);
    }
  }
  assert.deepEqual(crossings, []);
});

test('no test outside test/cli and test/lab imports the command line', () => {
  const offenders: string[] = [];
  for (const file of tsFiles(path.join(repoRoot, 'test'))) {
    const rel = path.relative(repoRoot, file);
    if (rel.startsWith(`test${path.sep}cli${path.sep}`) || rel.startsWith(`test${path.sep}lab${path.sep}`)) continue;
    for (const target of importsOf(file)) if (target.startsWith(`src${path.sep}cli${path.sep}`)) offenders.push(`${rel} imports ${target}`);
  }
  assert.deepEqual(offenders, []);
});
