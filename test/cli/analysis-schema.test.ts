import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SUPPORTED_KEYWORDS, validate, type Schema } from '../support/json-schema.js';
import { cliPath, fixturesDir, repoRoot } from '../support/paths.js';

/**
 * schema/analysis.schema.json is the versioned contract of `analyze --json`.
 * Every document analyze prints for the scenario and lab fixtures — healthy,
 * faulty, and one cut short by a corrupt record — must validate against it.
 */
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'analysis.schema.json'), 'utf8')) as Schema;

function analyzeJson(file: string, extra: string[] = []): Promise<{ status: number; doc: unknown }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, 'analyze', '--json', file, ...extra],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (err, stdout) => {
        const status = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ status, doc: JSON.parse(stdout) as unknown });
      },
    );
  });
}

function keywordsOf(s: Schema, at: string, out: string[]): void {
  for (const key of Object.keys(s)) if (!SUPPORTED_KEYWORDS.has(key)) out.push(`${at}: ${key}`);
  for (const [name, sub] of Object.entries(s.properties ?? {})) keywordsOf(sub, `${at}.${name}`, out);
  if (s.items !== undefined) keywordsOf(s.items, `${at}[]`, out);
  s.oneOf?.forEach((branch, i) => {
    keywordsOf(branch, `${at}.oneOf[${i}]`, out);
  });
}

test('the analysis schema uses only keywords the validator checks', () => {
  const unsupported: string[] = [];
  keywordsOf(schema, '$', unsupported);
  assert.deepEqual(unsupported, []);
});

test('the validator rejects a document that breaks the analysis schema', () => {
  const errors = validate(schema, { schema: 'anycast-probe/analysis/v0', verdict: 'fine', findings: [{ kind: 'nonsense' }] });
  assert.ok(
    errors.some((e) => e.includes('$.schema')),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => e.includes('$.verdict')),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => e.includes('missing required property "stats"')),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => e.includes('$.findings[0]')),
    errors.join('\n'),
  );
});

test('every analyze --json document over the scenario and lab fixtures validates against schema/analysis.schema.json', async () => {
  const files = ['scenarios', 'lab'].flatMap((sub) =>
    fs
      .readdirSync(path.join(fixturesDir, sub))
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .map((f) => path.join(fixturesDir, sub, f)),
  );
  assert.ok(files.length >= 15, `fixtures found: ${files.length}`);
  const results: { file: string; status: number; doc: unknown }[] = [];
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) results.push({ file: f, ...(await analyzeJson(f)) });
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  for (const r of results) {
    assert.ok(r.status === 0 || r.status === 1 || r.status === 3, `${r.file}: exit ${r.status}`);
    assert.deepEqual(validate(schema, r.doc), [], r.file);
  }
});

test('a document cut short by a corrupt record still validates, with the error in it', async () => {
  const r = await analyzeJson(path.join(fixturesDir, 'broken-truncated-record.pcap'), ['--anycast-ip', '10.172.0.1']);
  assert.equal(r.status, 2);
  assert.deepEqual(validate(schema, r.doc), []);
  assert.match(String((r.doc as { error: string }).error), /record 4 truncated/);
  assert.equal((r.doc as { stats: { frames: number } }).stats.frames, 3);
});

test('a capture with no anycast in it says so on the Anycast line, and what would settle it; its --json still validates', async () => {
  for (const file of [path.join(fixturesDir, 'arp-icmp-eth-us.pcap'), path.join(fixturesDir, 'sll2.pcap')]) {
    const text = await new Promise<{ status: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [cliPath, 'analyze', file], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout) =>
        resolve({ status: err === null ? 0 : Number(err.code), stdout }),
      );
    });
    assert.equal(text.status, 3, file);
    const line = text.stdout.split('\n').find((l) => l.startsWith('Anycast:'));
    assert.equal(
      line,
      'Anycast: none found (no address answered ARP or neighbor solicitations as an anycast one does — one MAC answering each request several times, or several MACs claiming it with the gateways’ own MACs forwarding — and no DHCP offer or router advertisement named one) — give --anycast-ip and --anycast-mac to judge the capture with them',
      file,
    );
    const json = await analyzeJson(file);
    assert.equal(json.status, 3);
    assert.deepEqual(validate(schema, json.doc), [], file);
    assert.equal((json.doc as { verdict: string }).verdict, 'no-anycast');
  }
});
