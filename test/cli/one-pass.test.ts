import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisJson } from '../../src/report/analysis-json.js';
import { captureFiles, cliPath, fixturesDir, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';

/**
 * Unconfigured runs read their input once: a pipe is analysed as it
 * streams (no copy on disk first), and the live path (replay, watch) gets
 * the verdict analyze gives for the same frames.
 */

function comparable(doc: AnalysisJson): unknown {
  return { verdict: doc.verdict, anycast: doc.anycast, gateways: doc.gateways, findings: doc.findings, interGateway: doc.interGateway, claims: doc.claims };
}

test('an unconfigured analyze of a pipe prints what the file gives and leaves nothing in TMPDIR', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-tmpdir-'));
  try {
    for (const file of ['fixtures/lab/no-source-route.pcap', 'fixtures/scenarios/arp-filter-off-one.pcapng']) {
      const piped = spawnSync(process.execPath, [cliPath, 'analyze', '--json', '-'], {
        cwd: repoRoot,
        input: fs.readFileSync(path.join(repoRoot, file)),
        env: { ...process.env, TMPDIR: tmp },
        encoding: 'utf8',
      });
      const direct = runCli(['analyze', '--json', file]);
      assert.equal(piped.status, direct.status, piped.stderr);
      assert.deepEqual(comparable(JSON.parse(piped.stdout) as AnalysisJson), comparable(JSON.parse(direct.stdout) as AnalysisJson), file);
      assert.equal((JSON.parse(piped.stdout) as AnalysisJson).anycast.source, 'inferred');
    }
    assert.deepEqual(fs.readdirSync(tmp), [], 'files left in TMPDIR');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('replay reaches the verdict, findings and exit code analyze gives on every lab and scenario capture, unconfigured', () => {
  const files = [...captureFiles(path.join(fixturesDir, 'lab')), ...captureFiles(path.join(fixturesDir, 'scenarios'))].map((f) => path.relative(repoRoot, f));
  assert.ok(files.length >= 15);
  for (const file of files) {
    const analyzed = runCli(['analyze', '--json', file]);
    const replayed = runCli(['replay', '--fast', '--json', file]);
    assert.equal(replayed.status, analyzed.status, `${file}: ${replayed.stderr}`);
    assert.deepEqual(comparable(JSON.parse(replayed.stdout) as AnalysisJson), comparable(JSON.parse(analyzed.stdout) as AnalysisJson), file);
  }
});
