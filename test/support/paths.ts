import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding package.json), whether this runs from test/ or dist/test/. */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return dir;
})();

/** The shared corpus of public captures, beside the clone in this project's CI (override with ANYCAST_PROBE_CORPUS). */
export const corpusDir = process.env.ANYCAST_PROBE_CORPUS ?? path.resolve(repoRoot, '..', 'shared', 'corpus');

export const fixturesDir = path.join(repoRoot, 'fixtures');

export const cliPath = path.join(repoRoot, 'bin', 'anycast-probe');

/** Every .pcap/.pcapng under `dir` (recursively), sorted; none when the folder is absent. */
export function captureFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
