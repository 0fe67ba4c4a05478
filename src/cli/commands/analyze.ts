import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Argv, CommandModule } from 'yargs';
import { Analysis } from '../../detect/analysis.js';
import { hasAnycast, type AnycastConfig } from '../../detect/config.js';
import { AnycastInference } from '../../detect/inference.js';
import { analysisJson } from '../../report/analysis-json.js';
import { analysisText } from '../../report/analysis-text.js';
import { anycastConfigFrom, anycastFlagsBuilder, detectorsFrom, withInferred, type AnycastFlags } from '../anycast-options.js';
import { describeError } from '../../report/error-text.js';
import { ExitCode, type ExitCodeValue } from '../exit-code.js';
import { LineWriter, warn } from '../output.js';
import { readFrames } from '../../pipeline/read-frames.js';
import { readFramesThreaded } from '../../pipeline/read-frames-threaded.js';
import { dropStandbyDecodeThread } from '../../pipeline/decode-thread-start.js';
import type { DecodedFrame } from '../../decode/decoded-frame.js';
import { mayCarryArp } from '../../source/frame-peek.js';
import { useColor } from '../terminal.js';

export interface AnalyzeOptions extends AnycastFlags {
  input: string;
  json: boolean;
  keepDuplicates: boolean;
  count: number;
  threads: Threads;
}

export type Threads = 'auto' | '1' | '2';

/**
 * Regular files smaller than this are analysed on one thread. The decode
 * thread is started with the CLI (decode-thread-start.ts), so its ~100 ms
 * boot overlaps the CLI's own start-up, but on small files its JIT warm-up
 * and the hand-over still cost what the second core saves: 500k frames
 * (280 MB) took 0.61 s with it and 0.59 s without; 5M frames (2.8 GB)
 * 1.7 s with it and 2.3 s without.
 */
const THREADED_MIN_BYTES = 1024 * 1024 * 1024;

/**
 * Whether the judging pass runs with a decode thread: `--threads 2` always,
 * `1` never, `auto` when there is a second CPU and the input is a pipe or a
 * file of at least THREADED_MIN_BYTES.
 */
function useDecodeThread(threads: Threads, input: string): boolean {
  if (threads !== 'auto') return threads === '2';
  if (os.availableParallelism() < 2) return false;
  if (input === '-') return true;
  try {
    const st = fs.statSync(input);
    return !st.isFile() || st.size >= THREADED_MIN_BYTES;
  } catch {
    return false; // the one-thread reader words the error
  }
}

/**
 * analyze: read the capture, run every detector, print the verdict. Without
 * an anycast IP (flags or config file) a file is read twice: once to infer
 * the anycast IP/MAC from ARP, then to judge every frame with them; stdin
 * and pipes are first copied to a temporary file (deleted afterwards), since
 * they can be read only once.
 */
export async function runAnalyze(opts: AnalyzeOptions): Promise<ExitCodeValue> {
  detectorsFrom(opts); // a bad --detectors is a usage error before anything is read
  const config = anycastConfigFrom(opts);
  if (hasAnycast(config) || isRegularFile(opts.input)) return analyzeFile(opts, opts.input, config);
  // Inference needs two passes, and a pipe can be read once: keep a copy on disk for the second.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-probe-'));
  const copy = path.join(dir, 'stdin.pcap');
  try {
    try {
      await pipeline(opts.input === '-' ? process.stdin : fs.createReadStream(opts.input), fs.createWriteStream(copy));
    } catch (err) {
      warn(describeError(err, opts.input));
      return ExitCode.usageOrInput;
    }
    return await analyzeFile(opts, copy, config);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isRegularFile(input: string): boolean {
  if (input === '-') return false;
  try {
    return fs.statSync(input).isFile();
  } catch {
    return true; // let the reader report the missing file in its own words
  }
}

async function analyzeFile(opts: AnalyzeOptions, readPath: string, initial: AnycastConfig): Promise<ExitCodeValue> {
  let config = initial;
  const inference = new AnycastInference();
  let inferred = inference.result();
  const shown = opts.input;
  if (!hasAnycast(config)) {
    // The inference pass reads ARP only: IP frames are skipped before decoding.
    const first = await readFrames({ input: readPath, keepDuplicates: opts.keepDuplicates, count: opts.count, wants: mayCarryArp, onFrame: (d) => inference.observe(d) });
    inferred = inference.result();
    if (inferred.length > 0) config = withInferred(config, inferred.map((i) => i.ipv4), [...new Set(inferred.map((i) => i.mac))]);
    if (first.error !== undefined && first.stats.frames === 0) {
      warn(describeError(first.error, shown));
      return ExitCode.usageOrInput;
    }
  }
  const analysis = new Analysis(config, inferred, detectorsFrom(opts));
  const streamInference = !hasAnycast(config);
  let tsDigits = 6;
  const judge = {
    input: readPath,
    keepDuplicates: opts.keepDuplicates,
    count: opts.count,
    onFrame(d: DecodedFrame): void {
      tsDigits = d.tsDigits;
      if (streamInference) inference.observe(d);
      analysis.observe(d);
    },
  };
  const threaded = useDecodeThread(opts.threads, readPath);
  if (!threaded) dropStandbyDecodeThread();
  const result = threaded ? await readFramesThreaded(judge) : await readFrames(judge);
  if (result.error !== undefined && result.stats.frames === 0) {
    // Nothing was read (no such file, not a capture, the decode thread failed): a verdict on zero frames would read as "healthy".
    warn(describeError(result.error, shown));
    return ExitCode.usageOrInput;
  }
  const report = analysis.finish();
  if (streamInference) report.inferred = inference.result();
  const doc = analysisJson(report, result.stats, {
    input: opts.input,
    format: result.format,
    duplicates: result.duplicates,
    error: result.error === undefined ? undefined : describeError(result.error, shown),
    warnings: result.warnings,
    tsDigits,
  });
  const out = new LineWriter(1);
  out.line(opts.json ? JSON.stringify(doc, null, 2) : analysisText(doc, { color: useColor(1) }));
  out.flush();
  for (const w of result.warnings) warn(`${shown}: ${w}`);
  if (result.error !== undefined) {
    warn(describeError(result.error, shown));
    return ExitCode.usageOrInput;
  }
  if (result.warnings.length > 0) return ExitCode.usageOrInput;
  return report.verdict === 'problems' ? ExitCode.problems : ExitCode.ok;
}

export const analyzeCommand: CommandModule<object, AnalyzeOptions> = {
  command: 'analyze <input>',
  describe: 'judge a capture: unicast ARP answers for the anycast IP, replies from the wrong gateway, traffic between gateways',
  builder: (y: Argv) =>
    anycastFlagsBuilder(
      y
        .positional('input', { type: 'string', demandOption: true, describe: 'pcap or pcapng file, or - for stdin' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON document (schema/analysis.schema.json)' })
        .option('keep-duplicates', { type: 'boolean', default: false, describe: "keep every copy a 'tcpdump -i any' capture holds of a frame" })
        .option('count', { alias: 'c', type: 'number', default: 0, describe: 'stop after this many frames (0 = all)' })
        .option('threads', {
          type: 'string',
          choices: ['auto', '1', '2'] as const,
          default: 'auto' as Threads,
          describe: 'threads for the judging pass: 2 decodes on a second core while this one judges; auto = 2 when there are 2 CPUs and the input is a file of 1 GiB or more, or a pipe with the anycast IP given (without it a pipe is first copied to a file)',
        }),
    ) as unknown as Argv<AnalyzeOptions>,
  handler: async (argv) => {
    process.exitCode = await runAnalyze(argv);
  },
};
