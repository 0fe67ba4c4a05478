import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnalysisJson } from '../../src/report/analysis-json.js';
import { captureFiles, cliPath, fixturesDir, repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { ARP_OP, ETHERTYPE, IP_PROTO, arp, ethernet, icmpEcho, ipv4 } from '../support/frame-builder.js';
import { PcapngBuilder } from '../support/pcapng-writer.js';

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

test('--anycast-ip without --anycast-mac infers the anycast MAC instead of taking it for a gateway', () => {
  const plain = JSON.parse(runCli(['analyze', '--json', 'fixtures/lab/no-source-route.pcap']).stdout) as AnalysisJson;
  const r = runCli(['analyze', '--json', 'fixtures/lab/no-source-route.pcap', '--anycast-ip', '10.172.0.10']);
  assert.equal(r.status, 1, r.stderr);
  const doc = JSON.parse(r.stdout) as AnalysisJson;
  assert.equal(doc.anycast.source, 'flags');
  assert.deepEqual(doc.anycast.macs, ['02:ca:fe:00:00:01']);
  assert.deepEqual(
    doc.anycast.inferred.map((i) => i.mac),
    ['02:ca:fe:00:00:01'],
  );
  assert.ok(!doc.gateways.some((g) => g.macs.includes('02:ca:fe:00:00:01')), JSON.stringify(doc.gateways));
  assert.deepEqual(
    doc.findings.map((f) => `${f.kind}@${f.gateway}`),
    plain.findings.map((f) => `${f.kind}@${f.gateway}`),
  );
  assert.equal(doc.findings.filter((f) => f.severity !== 'info').length, 4);
});

test('every finding replay announces as it goes is one its final report holds, under the name the stream last gave its gateway, unconfigured, on every lab and scenario capture', () => {
  // A line raised while the anycast MAC was still a coin toss (the anycast MAC itself named a gateway
  // answering with a unicast MAC) cannot be taken back by the report that follows it; a gateway the
  // stream named by its MAC before its own IP was seen is renamed once, by a `gateway` line.
  const files = [...captureFiles(path.join(fixturesDir, 'lab')), ...captureFiles(path.join(fixturesDir, 'scenarios'))].map((f) => path.relative(repoRoot, f));
  type Line = { type: string; kind?: string; mac?: string | null; gateway?: string | null; gatewayMac?: string | null; name?: string; report?: AnalysisJson };
  let announced = 0;
  let renamed = 0;
  for (const file of files) {
    const r = runCli(['replay', '--fast', '--ndjson', file]);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
    const report = lines.find((l) => l.type === 'report')?.report;
    assert.ok(report !== undefined, `${file}: no report line`);
    const inReport = report.findings.map((f) => `${f.kind} ${f.mac} ${f.gatewayMac}`);
    const reportName = new Map(report.findings.map((f) => [`${f.kind} ${f.mac} ${f.gatewayMac}`, f.gateway]));
    const announcedKeys: string[] = [];
    for (const l of lines.filter((x) => x.type === 'finding')) {
      announced++;
      const key = `${l.kind} ${l.mac} ${l.gatewayMac}`;
      // A gateway the finding could only be put on at the end (anycast-mac-for-unicast-ip's owner) is
      // announced without one; the report then says more, never something else.
      const matching = l.gatewayMac === null ? inReport.filter((k) => k.startsWith(`${l.kind} ${l.mac} `)) : inReport.filter((k) => k === key);
      assert.ok(matching.length > 0, `${file}: announced ${key}, not in the report: ${inReport.join('; ')}`);
      if (l.gatewayMac !== null) {
        let name = l.gateway;
        for (const g of lines.slice(lines.indexOf(l))) if (g.type === 'gateway' && g.mac === l.gatewayMac) name = g.name;
        assert.equal(name, reportName.get(key), `${file}: ${key} announced for ${l.gateway}, reported for ${reportName.get(key)}, no gateway line between`);
      }
      announcedKeys.push(key);
    }
    renamed += lines.filter((x) => x.type === 'gateway').length;
    // And nothing the report holds went unannounced.
    assert.equal(announcedKeys.length, report.findings.length, `${file}: announced ${announcedKeys.join('; ')}; reported ${inReport.join('; ')}`);
  }
  assert.ok(announced >= 20, `only ${announced} findings announced in all`);
  assert.ok(renamed >= 2, `only ${renamed} gateway lines in all`);
});

test('each client whose pings go unanswered is announced on the stream, as the report lists it', () => {
  // The announcement key once ignored the client: three findings in the report, one line on the stream.
  const b = new PcapngBuilder().shb();
  b.idb({ linkType: 1 });
  const anycastMac = '02:ca:fe:00:00:01';
  const frame = (t: number, data: Buffer): void => {
    b.epb({ interfaceId: 0, tsSec: 1700000000 + Math.floor(t), tsNsec: Math.round((t % 1) * 1e9), data });
  };
  // Two gateways answer a who-has with the anycast MAC: the inference names it.
  frame(
    0,
    ethernet({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: '02:00:00:00:0c:01',
      type: ETHERTYPE.ARP,
      payload: arp({ op: ARP_OP.REQUEST, sha: '02:00:00:00:0c:01', spa: '10.172.1.1', tha: '00:00:00:00:00:00', tpa: '10.172.0.10' }),
    }),
  );
  for (let g = 0; g < 2; g++)
    frame(
      0.001,
      ethernet({
        dst: '02:00:00:00:0c:01',
        src: anycastMac,
        type: ETHERTYPE.ARP,
        payload: arp({ op: ARP_OP.REPLY, sha: anycastMac, spa: '10.172.0.10', tha: '02:00:00:00:0c:01', tpa: '10.172.1.1' }),
      }),
    );
  for (let c = 1; c <= 3; c++)
    for (let seq = 1; seq <= 3; seq++) {
      const src = `02:00:00:00:0c:0${c}`;
      frame(
        c * 0.1 + seq,
        ethernet({
          dst: anycastMac,
          src,
          type: ETHERTYPE.IPV4,
          payload: ipv4({ src: `10.172.1.${c}`, dst: '10.172.0.10', proto: IP_PROTO.ICMP, payload: icmpEcho({ type: 8, id: c, seq }) }),
        }),
      );
    }
  frame(
    6,
    ethernet({
      dst: 'ff:ff:ff:ff:ff:ff',
      src: '02:00:00:00:0c:09',
      type: ETHERTYPE.ARP,
      payload: arp({ op: ARP_OP.REQUEST, sha: '02:00:00:00:0c:09', spa: '10.172.1.9', tha: '00:00:00:00:00:00', tpa: '10.172.1.1' }),
    }),
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acp-unanswered-'));
  try {
    const file = path.join(dir, 'unanswered.pcapng');
    fs.writeFileSync(file, b.build());
    const r = runCli(['replay', '--fast', '--ndjson', file, '--detectors', '+unanswered-anycast']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; report?: AnalysisJson });
    const announced = lines.filter((l) => l.type === 'finding' && l.kind === 'unanswered-anycast');
    const reported = lines.find((l) => l.type === 'report')!.report!.findings.filter((f) => f.kind === 'unanswered-anycast');
    assert.equal(reported.length, 3, r.stdout);
    assert.equal(announced.length, 3, r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
