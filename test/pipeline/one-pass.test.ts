import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';
import { DecodeStats } from '../../src/decode/stats.js';
import { Analysis, type AnalysisResult } from '../../src/detect/analysis.js';
import { emptyConfig, withInferred } from '../../src/detect/config.js';
import { AnycastInference } from '../../src/detect/inference.js';
import { DETECTORS } from '../../src/detect/registry.js';
import { writeFrameRow } from '../../src/pipeline/frame-row.js';
import { OnePassAnalysis } from '../../src/pipeline/one-pass.js';
import { readFrames } from '../../src/pipeline/read-frames.js';
import { analysisJson } from '../../src/report/analysis-json.js';
import { captureFiles, corpusDir, fixturesDir } from '../support/paths.js';
import { LinkType } from '../../src/core/link-type.js';
import { PLAN, planConfig, routerAdvertFrame } from '../support/detect.js';

/**
 * One pass over a capture must judge exactly as two passes would: first
 * infer the anycast address from every frame, then judge every frame with
 * it. Two passes are written out here as the reference.
 */

async function twoPasses(file: string): Promise<AnalysisResult> {
  const inference = new AnycastInference();
  await readFrames({
    input: file,
    keepDuplicates: false,
    count: 0,
    onFrame: (d) => {
      inference.observe(d);
      inference.observeTraffic(d);
    },
  });
  const { anycast, candidates } = inference.decide();
  const config =
    anycast.length > 0
      ? withInferred(
          emptyConfig(),
          anycast.filter((i) => i.ipv6 === null).map((i) => i.ipv4),
          [...new Set(anycast.filter((i) => i.mac >= 0).map((i) => i.mac))],
          anycast.flatMap((i) => (i.ipv6 === null ? [] : [i.ipv6])),
        )
      : emptyConfig();
  const analysis = new Analysis(config, anycast, DETECTORS);
  await readFrames({ input: file, keepDuplicates: false, count: 0, onFrame: (d) => analysis.observe(d) });
  const result = analysis.finish();
  result.inferred = anycast;
  result.candidates = candidates;
  if (result.verdict === 'no-anycast' && candidates.length > 0) result.verdict = 'unsure';
  return result;
}

async function onePass(file: string, lookBackFrames?: number): Promise<{ result: AnalysisResult; judgedFromFrame: number }> {
  const judge = new OnePassAnalysis({
    config: emptyConfig(),
    detectors: DETECTORS,
    writeRow: (frame, rows, at) => writeFrameRow(frame as FrameDecoder, rows, at),
    replayFrame: new FrameDecoder(),
    ...(lookBackFrames !== undefined ? { lookBackFrames } : {}),
  });
  await readFrames({ input: file, keepDuplicates: false, count: 0, onFrame: (d) => judge.observe(d) });
  const { result, judgement } = judge.finish();
  return { result, judgedFromFrame: judgement.judgedFromFrame };
}

/** The result as the report shows it (names, times, evidence), without the read statistics. */
function shown(r: AnalysisResult): unknown {
  const { stats: _stats, ...doc } = analysisJson(r, new DecodeStats(), {
    input: '',
    format: undefined,
    duplicates: 0,
    error: undefined,
    warnings: [],
    tsDigits: 9,
  });
  return doc;
}

test('one pass judges every fixture and corpus capture exactly as inferring first, then judging, would', async () => {
  const files = [...captureFiles(fixturesDir), ...captureFiles(corpusDir)];
  let inferredSomewhere = 0;
  for (const file of files) {
    const reference = await twoPasses(file);
    const { result, judgedFromFrame } = await onePass(file);
    assert.deepEqual(shown(result), shown(reference), path.relative(fixturesDir, file));
    assert.equal(judgedFromFrame, 1);
    if (reference.inferred.length > 0) inferredSomewhere++;
  }
  assert.ok(inferredSomewhere >= 10, `captures with an inferred anycast address: ${inferredSomewhere}`);
});

test('frames before the inference are judged with it: the unicast ARP answer at frame 2 of no-source-route, the anycast MAC seen at frame 5', async () => {
  const { result } = await onePass(path.join(fixturesDir, 'lab', 'no-source-route.pcap'));
  const arp = result.findings.find((f) => f.kind === 'unicast-arp-reply');
  assert.ok(arp !== undefined);
  assert.equal(arp.frames[0], 2);
  assert.equal(result.config.source, 'inferred');
});

test('an inference made after the look-back filled is judged from that frame on, and says so', async () => {
  // A capture its ARP answers settle (traffic evidence is read only while frames are kept).
  const file = path.join(fixturesDir, 'lab', 'arp-filter-off-one.pcap');
  const { result, judgedFromFrame } = await onePass(file, 1);
  assert.ok(judgedFromFrame > 2, `judged from frame ${judgedFromFrame}`);
  assert.equal(result.config.source, 'inferred');
  // The unicast answer at frame 2 came before the anycast address was known: not judged.
  const arp = result.findings.find((f) => f.kind === 'unicast-arp-reply');
  assert.ok(arp === undefined || arp.frames[0]! >= judgedFromFrame, JSON.stringify(arp?.frames));
  // With the whole capture in the look-back, it is.
  assert.equal((await onePass(file, 1 << 16)).judgedFromFrame, 1);
});

test('each problem is announced once as it is first seen, also where one MAC raises several: two router addresses and two RA contents behind the anycast MAC', () => {
  const announced: string[] = [];
  const judge = new OnePassAnalysis({
    config: planConfig(),
    detectors: DETECTORS,
    writeRow: (frame, rows, at) => writeFrameRow(frame as FrameDecoder, rows, at),
    replayFrame: new FrameDecoder(),
    onFinding: (f) => announced.push(`${f.kind} frame ${f.frames[0]}`),
  });
  const d = new FrameDecoder();
  const frames = [
    routerAdvertFrame({ ethSrc: PLAN.anycastMac }, 1),
    routerAdvertFrame({ ethSrc: PLAN.anycastMac, src: 'fe80::a' }, 2),
    routerAdvertFrame({ ethSrc: PLAN.anycastMac, src: 'fe80::b' }, 3),
    routerAdvertFrame({ ethSrc: PLAN.anycastMac, settings: { mtu: 1400 } }, 4),
    routerAdvertFrame({ ethSrc: PLAN.anycastMac, settings: { mtu: 1500 } }, 5),
    routerAdvertFrame({ ethSrc: PLAN.anycastMac, settings: { mtu: 1500 } }, 6),
  ];
  frames.forEach((f, i) => {
    d.decodeBytes(f.bytes, 0, f.bytes.length, LinkType.ethernet);
    d.number = i + 1;
    d.tsSec = f.t;
    judge.observe(d);
  });
  assert.deepEqual(announced, ['ra-not-from-anycast frame 2', 'ra-not-from-anycast frame 3', 'ra-inconsistent frame 4', 'ra-inconsistent frame 5']);
});
