import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CaptureFormatError } from '../../../src/core/errors.js';
import type { FrameRecord } from '../../../src/core/frame-record.js';
import { FrameDecoder } from '../../../src/decode/frame-decoder.js';
import { emptyConfig } from '../../../src/detect/config.js';
import { selectDetectors } from '../../../src/detect/registry.js';
import { analyzeCapture, type Threads } from '../../../src/pipeline/analyze-capture.js';
import { analysisJson } from '../../../src/report/analysis-json.js';
import { analysisText } from '../../../src/report/analysis-text.js';
import { describeError } from '../../../src/report/error-text.js';
import { frameJson } from '../../../src/report/frame-json.js';
import { frameLine } from '../../../src/report/frame-text.js';
import { readCaptureStream, type ReadResult } from '../../../src/source/capture-reader.js';
import { MAX_PCAPNG_BLOCK_BYTES } from '../../../src/source/parser.js';

/**
 * What the fuzzer runs each input through, and the properties it checks on
 * the way. A target returns normally for any input it handled well — a
 * typed CaptureFormatError naming a byte offset inside the input is
 * handling it well — and throws for everything else: an exception of any
 * other kind, a record outside the input, a loop that did not advance, a
 * pipe read that differs from a file read, two threads that disagree.
 */
export interface FuzzTarget {
  readonly name: string;
  /** `deep`: also run the expensive cross-checks (the fuzzer asks for them on inputs that reached new code). */
  run(input: Uint8Array, deep: boolean): Promise<void>;
}

/** A property that did not hold; the message says which. */
export class PropertyViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropertyViolation';
  }
}

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new PropertyViolation(message);
}

/** The smallest record either format has (a pcap record header; a pcapng block is 12 or more): the bound on records per byte. */
const MIN_RECORD_BYTES = 12;

/** The reader's error is typed and points into the input; anything else is rethrown as it came (a crash). */
function expectTypedError(err: unknown, inputLength: number): CaptureFormatError {
  if (!(err instanceof CaptureFormatError)) throw err;
  check(err.message.length > 0, 'a CaptureFormatError with no message');
  // The offset may name the end of the input (where it was cut) but nothing past it.
  check(
    Number.isInteger(err.offset) && err.offset >= 0 && err.offset <= inputLength,
    `error offset ${err.offset} outside the ${inputLength}-byte input: ${err.message}`,
  );
  return err;
}

async function* chunks(input: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < input.length; at += size) yield input.subarray(at, at + size);
}

interface ReadOutcome {
  records: number;
  /** Sum of capLen, a cheap fingerprint of which records were read. */
  bytes: number;
  error: string | undefined;
}

/**
 * Reads the input through the real reader (the same buffer logic a file or
 * a pipe goes through), checking every record it hands over.
 */
async function readChecked(input: Uint8Array, chunkSize: number, onRecord?: (rec: FrameRecord) => void): Promise<ReadOutcome> {
  let records = 0;
  let bytes = 0;
  let lastFileOffset = -1;
  let error: string | undefined;
  let result: ReadResult | undefined;
  try {
    result = await readCaptureStream(chunks(input, chunkSize), {
      frame(rec) {
        records++;
        bytes += rec.capLen;
        // Every loop advances: each record starts past the one before, inside the input.
        check(rec.fileOffset > lastFileOffset, `record ${rec.number} at byte ${rec.fileOffset} does not come after the previous one (${lastFileOffset})`);
        check(rec.fileOffset + MIN_RECORD_BYTES <= input.length, `record ${rec.number} at byte ${rec.fileOffset} past the input's end`);
        check(rec.number === records, `record numbered ${rec.number} is the ${records}th delivered`);
        check(rec.offset >= 0 && rec.offset + rec.capLen <= rec.data.length, `record ${rec.number}'s bytes lie outside the reader's buffer`);
        check(rec.capLen <= MAX_PCAPNG_BLOCK_BYTES, `record ${rec.number} claims ${rec.capLen} bytes`);
        lastFileOffset = rec.fileOffset;
        onRecord?.(rec);
      },
    });
  } catch (err) {
    if (err instanceof PropertyViolation) throw err;
    error = expectTypedError(err, input.length).message;
  }
  check(records * MIN_RECORD_BYTES <= input.length, `${records} records from ${input.length} bytes`);
  if (result !== undefined) check(result.records === records, `the reader counted ${result.records} records and delivered ${records}`);
  return { records, bytes, error };
}

/** The capture readers (pcap, pcapng, the buffering reader), read whole and in 7-byte pieces as a slow pipe delivers them. */
export const readerTarget: FuzzTarget = {
  name: 'reader',
  async run(input, deep) {
    const whole = await readChecked(input, 1 << 20);
    if (!deep) return;
    const piecemeal = await readChecked(input, 7);
    check(
      piecemeal.records === whole.records && piecemeal.bytes === whole.bytes && piecemeal.error === whole.error,
      `read in 7-byte pieces: ${JSON.stringify(piecemeal)}; read whole: ${JSON.stringify(whole)}`,
    );
  },
};

const decoder = new FrameDecoder();

/** The frame decoder and the frame renderers (`frames` and `frames --json`) on every record read. */
export const decoderTarget: FuzzTarget = {
  name: 'decoder',
  async run(input) {
    await readChecked(input, 1 << 20, (rec) => {
      decoder.decode(rec);
      check(decoder.number === rec.number, 'decoder lost the frame number');
      frameLine(decoder);
      JSON.stringify(frameJson(decoder));
    });
  },
};

/** Memory-backed where there is one: the pipeline reads a file, and one is written per input. */
const SCRATCH_ROOT = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** One analyze run in process, as the CLI makes it: the JSON document, the text report and the one-line error. */
async function analyzeOnce(file: string, threads: Threads): Promise<string> {
  // Small flow tables: their eviction paths run too, and allocating the default 65,536 entries per input was half the time.
  const config = { ...emptyConfig(), maxFlows: 256 };
  const run = await analyzeCapture({ input: file, config, detectors: selectDetectors(['+unanswered-anycast']), keepDuplicates: false, count: 0, threads });
  const { read, analysis } = run;
  if (read.error !== undefined) expectTypedError(read.error, fs.statSync(file).size);
  if (analysis === undefined) return `no analysis: ${describeError(read.error, file)}`;
  const doc = analysisJson(analysis, read.stats, {
    input: file,
    format: read.format,
    duplicates: read.duplicates,
    error: read.error === undefined ? undefined : describeError(read.error, file),
    warnings: read.warnings,
    tsDigits: run.tsDigits,
    judgedFromFrame: run.judgement.judgedFromFrame,
  });
  const json = JSON.stringify(doc);
  JSON.parse(json);
  analysisText(doc, { color: false });
  return json;
}

/**
 * The whole offline pipeline (read → de-duplicate → decode → one-pass
 * analysis with every detector → both reports) on one thread; with `deep`,
 * also with the decode thread, whose report must be the same.
 */
export const pipelineTarget: FuzzTarget = {
  name: 'pipeline',
  async run(input, deep) {
    // A folder per input, removed after it (a few µs beside the run's milliseconds): a worker
    // the supervisor stops leaves no 'exit' handler to clean up after it.
    const dir = fs.mkdtempSync(path.join(SCRATCH_ROOT, 'acp-fuzz-'));
    try {
      const file = path.join(dir, 'input.pcap');
      fs.writeFileSync(file, input);
      const one = await analyzeOnce(file, '1');
      if (!deep) return;
      const two = await analyzeOnce(file, '2');
      check(two === one, `--threads 2 reports differently from --threads 1:\n1: ${one}\n2: ${two}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const TARGETS: readonly FuzzTarget[] = [readerTarget, decoderTarget, pipelineTarget];

/**
 * Targets with a planted fault, for the fuzzer's own tests: an input cut
 * below 8 bytes (a truncation finds one at once) never returns, takes the
 * heap, or throws — each must come back as a crash with that input.
 */
const retained: unknown[] = [];
export const SELF_TEST_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'self-test-hang',
    async run(input) {
      while (input.length < 8) retained.length = 0;
    },
  },
  {
    name: 'self-test-memory',
    async run(input) {
      while (input.length < 8) retained.push(new Array(1 << 16).fill(retained.length));
    },
  },
  {
    name: 'self-test-throw',
    async run(input) {
      if (input.length < 8) throw new TypeError('planted fault');
    },
  },
];

export function targetByName(name: string): FuzzTarget | undefined {
  return [...TARGETS, ...SELF_TEST_TARGETS].find((t) => t.name === name);
}
