import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Layer } from '../../src/decode/layer.js';
import { DETECTORS, FINDING_CAUSES, FINDING_KINDS, selectDetectors, unknownDetectorIds } from '../../src/detect/registry.js';
import type { Schema } from '../support/json-schema.js';
import { repoRoot } from '../support/paths.js';

/**
 * The registry is the one place a detector is declared; everything else is
 * derived from it. These tests fail when a copy elsewhere (the JSON schema,
 * the README's anchors) has not followed a new or renamed detector.
 */

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'analysis.schema.json'), 'utf8')) as Schema;
const findingSchema = schema.properties!.findings!.items!;
const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

test("the schema's finding kinds are exactly the registry's", () => {
  assert.deepEqual([...(findingSchema.properties!.kind!.enum as string[])].sort(), [...FINDING_KINDS].sort());
});

test("the schema's causes are exactly the registry's", () => {
  assert.deepEqual([...(findingSchema.properties!.cause!.enum as string[])].sort(), [...FINDING_CAUSES].sort());
});

test('the schema describes the evidence (detail) of every finding kind once', () => {
  const branches = (findingSchema.oneOf ?? []).map((b) => b.properties!.kind!.const as string);
  assert.deepEqual([...branches].sort(), [...FINDING_KINDS].sort());
});

test('detector ids and finding kinds are unique, and each detector says what it needs and where it is documented', () => {
  const ids = DETECTORS.map((d) => d.id);
  assert.equal(new Set(ids).size, ids.length, ids.join(', '));
  assert.equal(new Set(FINDING_KINDS).size, FINDING_KINDS.length, FINDING_KINDS.join(', '));
  const allLayers = Object.values(Layer).reduce((m, l) => m | l, 0);
  for (const d of DETECTORS) {
    assert.ok(d.title.length > 10 && !d.title.includes('\n'), `${d.id}: one-line title`);
    assert.equal(d.needs & ~allLayers, 0, `${d.id}: needs only layer bits`);
    const anchor = /^README\.md#(.+)$/.exec(d.docs);
    assert.ok(anchor !== null, `${d.id}: docs ${d.docs} is a README anchor`);
    assert.ok(readme.includes(`<a id="${anchor[1]}"></a>`), `${d.id}: README has no anchor ${anchor[1]}`);
    for (const kind of d.kinds) assert.ok(FINDING_KINDS.includes(kind));
  }
});

test('selecting detectors keeps registry order; skipping removes; unknown ids are named', () => {
  assert.deepEqual(
    selectDetectors(undefined).map((d) => d.id),
    DETECTORS.filter((d) => d.onByDefault !== false).map((d) => d.id),
  );
  assert.deepEqual(
    selectDetectors(['anycast-claims', 'unicast-arp-reply']).map((d) => d.id),
    ['unicast-arp-reply', 'anycast-claims'],
  );
  assert.deepEqual(
    selectDetectors(undefined, ['asymmetric-reply'])
      .map((d) => d.id)
      .includes('asymmetric-reply'),
    false,
  );
  assert.deepEqual(unknownDetectorIds(['unicast-arp-reply', 'flip-flop', '+unanswered-anycast', '+nope']), ['flip-flop', '+nope']);
  // Off by default, added with +ID; named alone, only it runs.
  assert.equal(
    selectDetectors(undefined).some((d) => d.id === 'unanswered-anycast'),
    false,
  );
  assert.deepEqual(
    selectDetectors(['+unanswered-anycast']).map((d) => d.id),
    // In registry order, not appended.
    DETECTORS.filter((d) => d.onByDefault !== false || d.id === 'unanswered-anycast').map((d) => d.id),
  );
  assert.deepEqual(
    selectDetectors(['unanswered-anycast']).map((d) => d.id),
    ['unanswered-anycast'],
  );
});
