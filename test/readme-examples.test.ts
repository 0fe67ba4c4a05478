import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './support/paths.js';

/**
 * Every example in the README that shows a command (`$ anycast-probe …`) and
 * its output is run and compared with what the program prints, so the
 * README cannot drift from the program. Commands run as the README tells a
 * new user to run them after `npm ci`: `npx anycast-probe …` in the clone.
 * Expected text is stdout, then stderr; a line "…" (or "…anything…")
 * stands for any number of lines.
 */

interface Example {
  line: number;
  command: string;
  expected: string[];
}

function examples(): Example[] {
  const lines = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n');
  const out: Example[] = [];
  let inBlock = false;
  let current: Example | undefined;
  lines.forEach((text, i) => {
    if (text.startsWith('```')) {
      if (current !== undefined) out.push(current);
      current = undefined;
      inBlock = !inBlock;
      return;
    }
    if (!inBlock) return;
    if (text.startsWith('$ ')) {
      if (current !== undefined) out.push(current);
      current = { line: i + 1, command: text.slice(2), expected: [] };
    } else if (current !== undefined) current.expected.push(text);
  });
  return out;
}

const WILDCARD = /^….*…?$/;

/** `expected` (with wildcard lines) matches `actual` exactly. */
function matches(expected: string[], actual: string[]): boolean {
  const go = (e: number, a: number): boolean => {
    if (e === expected.length) return a === actual.length;
    if (WILDCARD.test(expected[e]!)) {
      for (let k = a; k <= actual.length; k++) if (go(e + 1, k)) return true;
      return false;
    }
    return a < actual.length && expected[e] === actual[a] && go(e + 1, a + 1);
  };
  return go(0, 0);
}

test('every README example prints what the README shows', () => {
  const all = examples();
  assert.ok(all.length >= 4, `examples found: ${all.length}`);
  for (const ex of all) {
    assert.match(ex.command, /^anycast-probe /, `README.md:${ex.line}: examples are written as a user types them after npm ci + npx`);
    const r = spawnSync('sh', ['-c', `npx --no-install ${ex.command}`], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      timeout: 60_000,
    });
    const actual = `${r.stdout}${r.stderr}`.replace(/\n$/, '').split('\n');
    const expected = ex.expected.join('\n').replace(/\n+$/, '').split('\n');
    if (!matches(expected, actual)) assert.deepEqual(actual, expected, `README.md:${ex.line}: $ ${ex.command}`);
  }
});

test('the wildcard line matches any lines, and only there', () => {
  assert.ok(matches(['a', '…three frames…', 'z'], ['a', 'b', 'c', 'z']));
  assert.ok(matches(['a', '…', 'z'], ['a', 'z']));
  assert.ok(!matches(['a', 'z'], ['a', 'b', 'z']));
  assert.ok(!matches(['a', '…'], ['b']));
});
