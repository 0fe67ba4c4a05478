import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_KEYWORDS, validate, type Schema } from '../support/json-schema.js';
import { execFile } from 'node:child_process';
import { captureFiles, cliPath, corpusDir, fixturesDir, repoRoot } from '../support/paths.js';

/**
 * schema/frame.schema.json documents the `frames --json` object. Every line
 * the CLI prints for every fixture (and for the shared corpus, when it is
 * there) must validate against it, and the schema must describe every field.
 */

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'frame.schema.json'), 'utf8')) as Schema;

/** `frames --json --all` over each file, several CLIs at a time (each run starts a Node process). */
async function linesOf(files: string[]): Promise<{ file: string; status: number; lines: string[] }[]> {
  const run = (file: string): Promise<{ file: string; status: number; lines: string[] }> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [cliPath, 'frames', '--json', '--all', '-q', file],
        { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
        (err, stdout) => {
          const status = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
          resolve({ file, status, lines: stdout.split('\n').filter((l) => l !== '') });
        },
      );
    });
  const results: { file: string; status: number; lines: string[] }[] = [];
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) results.push(await run(f));
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return results;
}

function assertValid(file: string, lines: string[]): void {
  for (const line of lines) {
    const errors = validate(schema, JSON.parse(line));
    assert.deepEqual(errors, [], `${path.relative(repoRoot, file)}: ${line}`);
  }
}

const valid = {
  frame: 1,
  time: '2023-11-14T22:13:20.000000Z',
  ts: '1700000000.000000',
  caplen: 60,
  len: 60,
  linktype: 1,
  eth: { src: '02:00:00:00:00:0a', dst: 'ff:ff:ff:ff:ff:ff', type: 2054 },
  vlan: [{ tpid: 33024, id: 10, pcp: 0, dei: 0 }],
  arp: { etherType: 2054, htype: 1, ptype: 2048, hlen: 6, plen: 4, op: 1, complete: false },
  stop: { layer: 'arp', reason: 'truncated', need: 28, have: 20 },
};

test('the schema validator accepts a valid frame and names every fault of an invalid one', () => {
  assert.deepEqual(validate(schema, valid), []);
  const invalid = {
    ...valid,
    frame: 0,
    caplen: '60',
    extra: true,
    eth: { src: '02:00:00:00:00:0a', type: 2054 },
    vlan: [{ tpid: 33024, id: 10, pcp: 0, dei: 0, prio: 1 }],
    arp: { ...valid.arp, etherType: 2048 },
    stop: { layer: 'arp', reason: 'cut', need: 28, have: 20.5 },
  } as Record<string, unknown>;
  delete invalid.linktype;
  assert.deepEqual(validate(schema, invalid).sort(), [
    '$.arp.etherType: 2048 is not one of [2054,32821]',
    '$.caplen: expected integer, got string',
    '$.eth: missing required property "dst"',
    '$.frame: 0 is below the minimum 1',
    '$.stop.have: expected integer, got number',
    '$.stop.reason: "cut" is not one of ["truncated","malformed","unsupported version","unsupported link type"]',
    '$.vlan[0]: property "prio" is not allowed',
    '$: missing required property "linktype"',
    '$: property "extra" is not allowed',
  ]);
  assert.deepEqual(validate(schema, [valid]), ['$: expected object, got array']);
});

test('the schema uses only keywords the validator checks, and describes every property', () => {
  const walk = (s: Schema, at: string): void => {
    assert.deepEqual(
      Object.keys(s).filter((k) => !SUPPORTED_KEYWORDS.has(k)),
      [],
      `${at} uses only supported keywords`,
    );
    for (const [name, sub] of Object.entries(s.properties ?? {})) {
      assert.ok(sub.description !== undefined && sub.description !== '', `${at}.${name} has a description`);
      walk(sub, `${at}.${name}`);
    }
    if (s.items !== undefined) walk(s.items, `${at}[]`);
    if (s.type === 'object') assert.equal(s.additionalProperties, false, `${at} lists all its properties`);
  };
  walk(schema, '$');
  // An unknown keyword is reported, not silently skipped.
  assert.deepEqual(validate({ pattern: '^x' } as unknown as Schema, 'y'), ['$: schema keyword "pattern" is not supported by this validator']);
});

test('every line of frames --json --all over every fixture validates against schema/frame.schema.json', async () => {
  const files = captureFiles(fixturesDir);
  assert.ok(files.length >= 13, 'the fixtures are there');
  let lines = 0;
  // Broken fixtures still print the frames before the fault: those must be valid too.
  for (const r of await linesOf(files)) {
    assertValid(r.file, r.lines);
    lines += r.lines.length;
  }
  assert.ok(lines > 50, `validated ${lines} lines`);
});

test('every line of frames --json --all over the shared corpus validates, skipping captures the CLI refuses', async (t) => {
  const files = captureFiles(corpusDir);
  if (files.length === 0) {
    t.skip(`no corpus at ${corpusDir}`);
    return;
  }
  let checked = 0;
  for (const r of await linesOf(files)) {
    if (r.status !== 0) continue;
    assertValid(r.file, r.lines);
    checked++;
  }
  assert.ok(checked > 0, 'at least one corpus capture was read');
});
