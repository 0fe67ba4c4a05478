import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTORS } from '../../src/detect/registry.js';
import type { AnalysisJson } from '../../src/report/analysis-json.js';
import { runCli } from '../support/run-cli.js';

const CAPTURE = 'fixtures/lab/no-source-route.pcap';

function kinds(args: string[]): string[] {
  const r = runCli(['analyze', '--json', CAPTURE, ...args]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return [...new Set((JSON.parse(r.stdout) as AnalysisJson).findings.map((f) => f.kind))].sort();
}

test('detectors lists every registered detector, in text and as JSON', () => {
  const text = runCli(['detectors']);
  assert.equal(text.status, 0, text.stderr);
  for (const d of DETECTORS) assert.match(text.stdout, new RegExp(`^${d.id}: ${d.title.replace(/[()]/g, '\\$&')}$`, 'm'));
  const json = runCli(['detectors', '--json']);
  assert.equal(json.status, 0, json.stderr);
  const list = JSON.parse(json.stdout) as { id: string; kinds: string[]; needs: string[]; docs: string }[];
  assert.deepEqual(
    list.map((d) => d.id),
    DETECTORS.map((d) => d.id),
  );
  assert.deepEqual(list.find((d) => d.id === 'asymmetric-reply')?.kinds, ['asymmetric-reply', 'gateway-switch']);
  assert.deepEqual(list.find((d) => d.id === 'unicast-arp-reply')?.needs, ['arp']);
});

test('--skip-detectors and --detectors choose which detectors judge the capture', () => {
  assert.deepEqual(kinds([]), ['anycast-reply-unicast-mac', 'asymmetric-reply', 'client-pinned', 'inter-gateway-traffic', 'unicast-arp-reply']);
  assert.deepEqual(kinds(['--skip-detectors', 'unicast-arp-reply']), [
    'anycast-reply-unicast-mac',
    'asymmetric-reply',
    'client-pinned',
    'inter-gateway-traffic',
  ]);
  assert.deepEqual(kinds(['--detectors', 'unicast-arp-reply,anycast-claims']), ['unicast-arp-reply']);
});

test('an unknown detector id is a usage error naming it and the known ones', () => {
  const r = runCli(['analyze', CAPTURE, '--detectors', 'flip-flap']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--detectors: no detector "flip-flap"; known: anycast-reply-unicast-mac, unicast-arp-reply/);
  const none = runCli(['analyze', CAPTURE, '--detectors', 'unicast-arp-reply', '--skip-detectors', 'unicast-arp-reply']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /leave no detector to run/);
});
