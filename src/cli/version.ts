import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * This package's version, from its package.json, found by walking up from
 * this module: dist/src/cli/ and the bundle in dist/bundle/ sit at
 * different depths. yargs' own lookup starts from its node_modules path,
 * which the bundle no longer has, and then from the working directory,
 * where it found whatever project the operator stood in.
 */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'anycast-probe' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: look one directory up
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
