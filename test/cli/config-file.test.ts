import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONFIG_KEYS } from '../../src/cli/anycast-options.js';
import { validate, type Schema } from '../support/json-schema.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * The config file (anycast-probe.json, --config) has a schema
 * (schema/config.schema.json); a key the program does not know — a typo —
 * is an error naming it, never a silent fallback to inference.
 */
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'config.schema.json'), 'utf8')) as Schema;

function withConfig(content: unknown, run: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-config-'));
  try {
    const file = path.join(dir, 'anycast-probe.json');
    fs.writeFileSync(file, JSON.stringify(content));
    run(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a typo in the config file is an error naming the key, exit 2, nothing analysed', () => {
  withConfig({ anycst: { ipv4: ['10.172.0.10'] } }, (file) => {
    const r = runCli(['analyze', 'fixtures/lab/no-source-route.pcap', '--config', file]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /unknown key "anycst" \(known here: anycast, gateways, interGatewayThreshold, maxFlows, flipFlopWindow; see schema\/config.schema.json\)/,
    );
  });
  withConfig({ anycast: { ipv4: ['10.172.0.10'], macs: ['02:ca:fe:00:00:01'] } }, (file) => {
    const r = runCli(['analyze', 'fixtures/lab/no-source-route.pcap', '--config', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown key "anycast\.macs" \(known here: ipv4, ipv6, mac;/);
  });
  withConfig({ gateways: { gw1: { mac: ['02:00:00:00:01:01'], ip: ['10.172.0.1'] } } }, (file) => {
    assert.match(runCli(['analyze', 'fixtures/lab/no-source-route.pcap', '--config', file]).stderr, /unknown key "gateways\.gw1\.ip"/);
  });
  withConfig({ maxFlows: 3 }, (file) => {
    assert.match(runCli(['analyze', 'fixtures/lab/no-source-route.pcap', '--config', file]).stderr, /maxFlows 3: expected an integer between 16 and 16777216/);
  });
});

test('a valid config file is used: the anycast address comes from it', () => {
  withConfig({ anycast: { ipv4: ['10.172.0.10'], mac: ['02:ca:fe:00:00:01'] }, gateways: { gw1: { mac: ['02:00:00:00:01:01'] } } }, (file) => {
    const r = runCli(['analyze', '--json', 'fixtures/lab/no-source-route.pcap', '--config', file]);
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { anycast: { source: string }; gateways: { name: string }[] };
    assert.equal(doc.anycast.source, 'config-file');
    assert.equal(doc.gateways[0]?.name, 'gw1');
  });
});

test('the config schema names exactly the keys the program reads, and the README example validates against it', () => {
  const props = schema.properties!;
  assert.deepEqual(Object.keys(props).sort(), [...CONFIG_KEYS.top].sort());
  assert.deepEqual(Object.keys(props['anycast']!.properties!).sort(), [...CONFIG_KEYS.anycast].sort());
  const gateway = props['gateways']!.additionalProperties as Schema;
  assert.deepEqual(Object.keys(gateway.properties!).sort(), [...CONFIG_KEYS.gateway].sort());
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const example = /#### Configuration[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(example !== null, 'README has a JSON config example under "Configuration"');
  assert.deepEqual(validate(schema, JSON.parse(example[1]!)), []);
  assert.notDeepEqual(validate(schema, { anycst: {} }), []);
});
