import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECK_IDS } from '../../src/doctor/check.js';
import { doctorJson } from '../../src/report/doctor-json.js';
import { validate, type Schema } from '../support/json-schema.js';
import { doctorOn, recording, setSysctl } from '../support/host.js';
import { repoRoot } from '../support/paths.js';

/** schema/doctor.schema.json is the contract of `doctor --json`. */
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'doctor.schema.json'), 'utf8')) as Schema;

test('the schema lists exactly the check ids doctor has', () => {
  const checks = schema.properties?.checks?.items?.properties?.id?.enum;
  assert.deepEqual(checks, [...CHECK_IDS]);
});

test('doctor --json documents of healthy, field-deployed, broken and unreadable gateways validate against the schema', () => {
  const broken = recording('healthy-gateway');
  setSysctl(broken, 'net.ipv4.conf.all.arp_filter', 0);
  const unreadable = recording('healthy-gateway');
  unreadable.commands['iptables-save'] = { kind: 'failed', message: 'Permission denied (you must be root)' };
  for (const rec of [recording('healthy-gateway'), recording('field-gateway'), recording('nft-field-gateway'), broken, unreadable]) {
    const r = doctorOn(rec);
    assert.deepEqual(validate(schema, JSON.parse(JSON.stringify(doctorJson(r.setup, r)))), []);
  }
  assert.notDeepEqual(validate(schema, { schema: 'anycast-probe/doctor/v1', verdict: 'fine', setup: {}, checks: [] }), []);
});
