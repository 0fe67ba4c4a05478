import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validate, type Schema } from '../support/json-schema.js';
import { corpusDir, repoRoot } from '../support/paths.js';
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

test('a word or an out-of-range value given to a number flag is one line naming the flag and the range, exit 2', () => {
  for (const [flag, value, want] of [
    ['--flip-flop-window', 'soon', /^anycast-probe: --flip-flop-window \(not a number\): expected seconds, more than 0 and at most 86400\n$/],
    ['--flip-flop-window', '0', /^anycast-probe: --flip-flop-window 0: expected seconds, more than 0 and at most 86400\n$/],
    ['--max-flows', 'many', /^anycast-probe: --max-flows \(not a number\): expected an integer between 16 and 16777216\n$/],
  ] as const) {
    const r = runCli(['analyze', flag, value, 'fixtures/lab/healthy.pcap']);
    assert.equal(r.status, 2, `${flag} ${value}`);
    assert.match(r.stderr, want);
    assert.equal(r.stdout, '');
  }
});

test('--count and --duration take whole frames and seconds only: a word, a fraction or a negative is one line naming it, exit 2, nothing read', () => {
  const F = 'fixtures/lab/healthy.pcap';
  for (const [args, want] of [
    [['analyze', F, '--count', '-1'], /^anycast-probe: --count -1: expected a whole number of frames \(0 = all\)\n$/],
    [['analyze', F, '--count', '1.5'], /^anycast-probe: --count 1\.5: expected a whole number of frames \(0 = all\)\n$/],
    [['frames', F, '--count', 'all'], /^anycast-probe: --count \(not a number\): expected a whole number of frames \(0 = all\)\n$/],
    [['replay', '--fast', F, '--count', '-2'], /^anycast-probe: --count -2: expected a whole number of frames \(0 = all\)\n$/],
    [['replay', '--fast', F, '--duration', '-3'], /^anycast-probe: --duration -3: expected seconds \(0 = no limit\)\n$/],
    [['replay', '--fast', F, '--duration', 'long'], /^anycast-probe: --duration \(not a number\): expected seconds \(0 = no limit\)\n$/],
    [['watch', 'lo', '--count', '2.5'], /^anycast-probe: --count 2\.5: expected a whole number of frames \(0 = all\)\n$/],
    [['probe', 'lo', '--count', '1.5'], /^anycast-probe: --count 1\.5: expected a whole number of rounds from 1 to \d+\n$/],
  ] as const) {
    const r = runCli([...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, want, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  // 0 is "all", and a whole number stops there.
  assert.equal(runCli(['frames', F, '--count', '0', '-q']).stdout.trim().split('\n').length, runCli(['frames', F, '-q']).stdout.trim().split('\n').length);
  assert.equal(runCli(['frames', F, '--count', '3', '-q']).stdout.trim().split('\n').length, 3);
});

const oobr = path.join(corpusDir, 'tcpdump__arp-oobr.pcap');

test('--flip-flop-window is read: a change back 53.75 s after the change is a flip-flop within 60 s, not within 50 s', {
  skip: !fs.existsSync(oobr) && `the shared corpus is not at ${corpusDir}`,
}, () => {
  const flips = (window: string): number =>
    // Told the address: inferred, it is only a candidate (two MACs answer, neither settles as the shared one).
    (
      JSON.parse(
        runCli(['analyze', '--json', '--flip-flop-window', window, '--anycast-ip', '170.170.170.170', '--anycast-mac', '00:21:aa:aa:aa:aa', oobr]).stdout,
      ) as {
        findings: { kind: string }[];
      }
    ).findings.filter((f) => f.kind === 'arp-flip-flop').length;
  assert.equal(flips('60'), 1);
  assert.equal(flips('50'), 0);
});

test("--client tells one client's story: the report's Client section and the document's client object, valid against the schema", () => {
  const text = runCli(['analyze', '--client', '10.172.1.1', 'fixtures/lab/arp-filter-off-expiry.pcap']);
  assert.equal(text.status, 1, text.stderr);
  assert.match(text.stdout, /^Client 10\.172\.1\.1 \(02:00:00:00:0c:01\): 7 frames sent, 7 received$/m);
  assert.match(text.stdout, /frame 2 {2}learned 10\.172\.0\.10 is at 02:00:00:00:01:01 \(gateway 10\.172\.0\.1\), from an ARP reply/);
  const json = runCli(['analyze', '--json', '--client', '02:00:00:00:0c:01', 'fixtures/lab/arp-filter-off-expiry.pcap']);
  const doc = JSON.parse(json.stdout) as { client?: { ip: string; events: { frame: number; text: string }[] } };
  assert.equal(doc.client?.ip, '10.172.1.1');
  assert.equal(doc.client?.events.filter((e) => e.text.startsWith('learned')).length, 6);
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'analysis.schema.json'), 'utf8')) as Schema;
  assert.deepEqual(validate(schema, doc), []);
  // Without --client the document has no client object.
  const plain = JSON.parse(runCli(['analyze', '--json', 'fixtures/lab/arp-filter-off-expiry.pcap']).stdout) as { client?: unknown };
  assert.equal(plain.client, undefined);
});

test('--client with something that is neither an IPv4 address nor a MAC is one line naming it, exit 2', () => {
  const r = runCli(['analyze', '--client', 'alice', 'fixtures/lab/healthy.pcap']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^anycast-probe: --client "alice": expected the client's IPv4 address or MAC/);
});

test('an anycast address given that nothing in the capture answered for is not said to be answered only by the anycast MAC (and no empty MAC is printed)', () => {
  for (const mac of [[], ['--anycast-mac', '02:ca:fe:00:00:01']]) {
    const r = runCli(['analyze', 'fixtures/arp-icmp-eth-us.pcap', '--anycast-ip', '10.9.9.9', ...mac]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout.split('\n')[0],
      'HEALTHY: no problem seen for anycast 10.9.9.9, though nothing in these 8 frames answered for it; 0 frames between gateways.',
    );
  }
});
