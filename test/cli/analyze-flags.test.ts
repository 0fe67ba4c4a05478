import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/run-cli.js';

interface Report {
  anycast: { source: string; ipv4: string[]; macs: string[] };
  gateways: { name: string }[];
  findings: { kind: string; gateway: string | null; severity: string }[];
}

test('anycast flags may come before the capture path, repeated or comma-separated', () => {
  const r = runCli([
    'analyze',
    '--anycast-ip',
    '10.172.0.10',
    '--anycast-mac',
    '02:ca:fe:00:00:01',
    '--gateway',
    'gw1=02:00:00:00:01:01',
    '--gateway',
    'gw2=02:00:00:00:02:01',
    '--json',
    'fixtures/lab/no-source-route.pcap',
  ]);
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as Report;
  assert.equal(doc.anycast.source, 'flags');
  assert.deepEqual(doc.anycast.ipv4, ['10.172.0.10']);
  assert.deepEqual(
    doc.gateways.map((g) => g.name),
    ['gw1', 'gw2'],
  );
  assert.ok(doc.findings.some((f) => f.kind === 'anycast-reply-unicast-mac' && f.gateway === 'gw1'));
  const two = JSON.parse(runCli(['analyze', '--anycast-ip', '10.172.0.10,10.172.0.11', '--json', 'fixtures/lab/healthy.pcap']).stdout) as Report;
  assert.deepEqual(two.anycast.ipv4, ['10.172.0.10', '10.172.0.11']);
});

test('a bad --anycast-mac is one line naming the flag and the value, exit 2', () => {
  const r = runCli(['analyze', '--anycast-mac', '02:ca:fe', 'fixtures/lab/healthy.pcap']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'anycast-probe: --anycast-mac: "02:ca:fe" is not a MAC address (expected aa:bb:cc:dd:ee:ff)\n');
});
