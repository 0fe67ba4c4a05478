import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureFormatError } from '../../src/core/errors.js';
import { Layer, Stop } from '../../src/decode/layer.js';
import { readFrames } from '../../src/pipeline/read-frames.js';
import { frameJson } from '../../src/report/frame-json.js';
import { frameLine } from '../../src/report/frame-text.js';
import { readCapture } from '../../src/source/capture-reader.js';
import { edgeValues, lengthFields, recordSpans, withField, type LengthField } from '../support/capture-fields.js';
import { fixturesDir } from '../support/paths.js';

/**
 * Truncation and length-field sweeps over every small fixture, in process
 * (one read per case, no CLI spawned): each fixture cut at every length,
 * and each length field of its container and of its frames set to 0, 1,
 * its maximum and one past the bytes there are. Every case must end in
 * frames (flagged where they are cut or contradict themselves) or a typed
 * error naming a byte inside the file — never an internal error — and must
 * not show fewer frames than tcpdump reads from the same bytes.
 */

const FIXTURES = fs
  .readdirSync(fixturesDir)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .sort()
  .map((f) => path.join(fixturesDir, f));

const scratch = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'acp-sweep-'));
process.once('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));

const hasTcpdump = spawnSync('sh', ['-c', 'command -v tcpdump'], { stdio: 'ignore' }).status === 0;

interface Outcome {
  frames: number;
  /** Per frame, in order: whether it is flagged (a stop reason, or an NDP option that contradicts its message). */
  flagged: boolean[];
  error: CaptureFormatError | undefined;
}

/** What `frames --all` would read and print from these bytes, through the real pipeline and both renderers. */
async function sweepRead(bytes: Uint8Array, label: string): Promise<Outcome> {
  const file = path.join(scratch, 'case.pcap');
  fs.writeFileSync(file, bytes);
  const flagged: boolean[] = [];
  const result = await readFrames({
    input: file,
    keepDuplicates: true,
    count: 0,
    onFrame(d) {
      flagged.push(d.stopCode !== Stop.none || (d.has(Layer.icmpv6) && d.icmpv6.badOption));
      frameLine(d);
      JSON.stringify(frameJson(d));
    },
  });
  const err = result.error;
  if (err !== undefined && !(err instanceof CaptureFormatError)) {
    assert.fail(`${label}: not a typed capture error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  if (err !== undefined) assert.ok(err.offset >= 0 && err.offset <= bytes.length, `${label}: error at byte ${err.offset} of ${bytes.length}: ${err.message}`);
  assert.equal(result.stats.frames, flagged.length, `${label}: frames counted and delivered`);
  return { frames: flagged.length, flagged, error: err };
}

/** How many records tcpdump reads from these bytes (its --count: lines would over-count, batman-adv takes several). */
function tcpdumpFrames(bytes: Uint8Array): number {
  const file = path.join(scratch, 'tcpdump.pcap');
  fs.writeFileSync(file, bytes);
  const r = spawnSync('tcpdump', ['--count', '-r', file], { encoding: 'utf8', timeout: 10_000 });
  // A file tcpdump cannot open prints no count: it read nothing.
  return Number(/^(\d+) packets?$/m.exec(r.stdout)?.[1] ?? 0);
}

/** The end offset of each frame's record (its pcap record or pcapng block), in the order the reader delivers them. */
async function frameEnds(file: string): Promise<number[]> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const spans = recordSpans(bytes);
  const ends: number[] = [];
  try {
    await readCapture(file, {
      frame(rec) {
        ends.push(spans.find(([from]) => from === rec.fileOffset)?.[1] ?? Number.POSITIVE_INFINITY);
      },
    });
  } catch {
    // A broken fixture: the frames before its fault are the ones a cut can keep.
  }
  return ends;
}

test('each fixture cut at every length keeps exactly the frames whose records end before the cut, and says where it was cut', async () => {
  let cases = 0;
  for (const file of FIXTURES) {
    const whole = new Uint8Array(fs.readFileSync(file));
    // Frames after a broken fixture's fault, or of a link type it refuses, are never shown.
    const shown = (await sweepRead(whole, path.basename(file))).frames;
    const ends = (await frameEnds(file)).slice(0, shown);
    // Where a cut leaves no partial header or record behind: the pcap file header's end, each record's or block's end.
    const boundaries = new Set(recordSpans(whole).map(([, end]) => end));
    if (path.extname(file) === '.pcap') boundaries.add(24);
    for (let cut = 0; cut < whole.length; cut++) {
      const label = `${path.basename(file)} cut at ${cut}`;
      const got = await sweepRead(whole.subarray(0, cut), label);
      cases++;
      assert.equal(got.frames, ends.filter((e) => e <= cut).length, `${label}: frames`);
      if (!boundaries.has(cut)) assert.ok(got.error !== undefined, `${label}: a cut inside a header or record must be named`);
    }
  }
  assert.ok(cases > 5000, `only ${cases} cuts`);
  console.log(`# ${cases} cuts of ${FIXTURES.length} fixtures`);
});

/** The cases of one fixture: each length field at each edge value. */
function fieldCases(whole: Uint8Array): { field: LengthField; value: number; bytes: Uint8Array }[] {
  return lengthFields(whole).flatMap((field) => edgeValues(field).map((value) => ({ field, value, bytes: withField(whole, field, value) })));
}

test('each length field of each fixture set to 0, 1, its maximum or one past the buffer reads to flagged frames or a typed error, never an internal error', async () => {
  let cases = 0;
  const kinds = new Set<string>();
  for (const file of FIXTURES) {
    const whole = new Uint8Array(fs.readFileSync(file));
    const original = await sweepRead(whole, path.basename(file));
    for (const { field, value, bytes } of fieldCases(whole)) {
      const label = `${path.basename(file)}: ${field.name} = ${value}`;
      const got = await sweepRead(bytes, label);
      cases++;
      kinds.add(field.name.replace(/^(frame|record|block) \d+ /, '').replace(/option \d+/, 'option'));
      const frame = /^frame (\d+) /.exec(field.name);
      if (frame === null) continue;
      // A field inside a frame cannot cost a frame: the container around it is untouched.
      assert.equal(got.frames, original.frames, `${label}: frames`);
      assert.equal(got.error?.message, original.error?.message, `${label}: error`);
      // A length that claims more than the frame holds leaves the frame flagged as cut or malformed.
      const n = Number(frame[1]);
      if (n <= original.frames && value >= Math.floor(field.room / field.unit) + 1 && PAYLOAD_BOUNDS.test(field.name)) {
        assert.ok(got.flagged[n - 1], `${label}: frame ${n} not flagged`);
      }
    }
  }
  // The sweep reaches the fields it is meant to reach.
  for (const kind of [
    'incl_len',
    'orig_len',
    'total length',
    'captured length',
    'IPv4 total length',
    'IPv4 IHL',
    'IPv6 payload length',
    'ARP hlen',
    'ARP plen',
    'VLAN tag 1 type/length',
    'UDP length',
    'NDP option length',
  ]) {
    assert.ok(
      [...kinds].some((k) => k.includes(kind)),
      `no fixture has a ${kind} field: ${[...kinds].join(', ')}`,
    );
  }
  assert.ok(cases > 1000, `only ${cases} cases`);
  console.log(`# ${cases} length-field cases of ${FIXTURES.length} fixtures`);
});

/** Fields that bound a payload: claiming more than the bytes there are must be flagged, not read past or silently clamped. */
const PAYLOAD_BOUNDS = /IPv4 total length|IPv6 payload length|UDP length|NDP option/;

/**
 * Fixtures left out of the comparison with tcpdump: a pcap whose link type
 * anycast-probe does not decode is refused at its header
 * (test/cli/frames-bad-input.test.ts), where tcpdump prints the frames raw.
 */
const REFUSED = new Set(['broken-unknown-linktype.pcap']);

test('no truncation or container length field shows fewer frames than tcpdump reads from the same bytes', {
  skip: hasTcpdump ? false : 'tcpdump not installed',
}, async () => {
  let compared = 0;
  for (const file of FIXTURES.filter((f) => !REFUSED.has(path.basename(f)))) {
    const whole = new Uint8Array(fs.readFileSync(file));
    // A bounded sample, one tcpdump per case (~25 ms each): the pcap file header and first record,
    // the first three pcapng blocks (section, interface, packet), and cuts one byte either side of
    // the first two records' or blocks' ends. The in-process tests above cover every case.
    const sample = fieldCases(whole)
      .filter(({ field }) => /^(file header|record 1 |block [123] )/.test(field.name))
      .map(({ field, value, bytes }) => ({ label: `${field.name} = ${value}`, bytes }));
    for (const [, end] of recordSpans(whole).slice(0, 2)) {
      for (const cut of [end - 1, end + 1]) if (cut > 0 && cut < whole.length) sample.push({ label: `cut at ${cut}`, bytes: whole.subarray(0, cut) });
    }
    for (const { label, bytes } of sample) {
      const ours = await sweepRead(bytes, `${path.basename(file)}: ${label}`);
      const theirs = tcpdumpFrames(bytes);
      compared++;
      assert.ok(
        ours.frames >= theirs,
        `${path.basename(file)}: ${label}: ${ours.frames} frames, tcpdump ${theirs}${ours.error ? ` (${ours.error.message})` : ''}`,
      );
    }
  }
  assert.ok(compared > 150, `only ${compared} cases compared with tcpdump`);
  console.log(`# ${compared} cases compared with tcpdump`);
});
