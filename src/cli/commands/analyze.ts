import type { Argv, CommandModule } from 'yargs';
import { writeJsonText } from '../../report/json-text.js';
import { analyzeCapture, type Threads } from '../../pipeline/analyze-capture.js';
import { analysisJson } from '../../report/analysis-json.js';
import { analysisText } from '../../report/analysis-text.js';
import { describeError } from '../../report/error-text.js';
import { CaptureFormatError } from '../../core/errors.js';
import { anycastConfigFrom, anycastFlagsBuilder, detectorsFrom, type AnycastFlags } from '../anycast-options.js';
import { ExitCode, type ExitCodeValue, verdictExitCode } from '../exit-code.js';
import { LineWriter, warn } from '../output.js';
import { useColor } from '../terminal.js';
import { checkFrameCount } from '../bounds.js';

export interface AnalyzeOptions extends AnycastFlags {
  input: string;
  json: boolean;
  keepDuplicates: boolean;
  count: number;
  threads: Threads;
}

/**
 * analyze: options → configuration → one pass over the capture (file or
 * pipe, read once; the anycast address inferred on the way when not given)
 * → the report → the exit code.
 */
export async function runAnalyze(opts: AnalyzeOptions): Promise<ExitCodeValue> {
  checkFrameCount(opts.count);
  const detectors = detectorsFrom(opts);
  const config = anycastConfigFrom(opts);
  const run = await analyzeCapture({ input: opts.input, config, detectors, keepDuplicates: opts.keepDuplicates, count: opts.count, threads: opts.threads });
  const { read, analysis } = run;
  const shown = opts.input;
  if (analysis === undefined) {
    warn(describeError(read.error, shown));
    return ExitCode.usageOrInput;
  }
  const doc = analysisJson(analysis, read.stats, {
    input: opts.input,
    format: read.format,
    duplicates: read.duplicates,
    error: read.error === undefined ? undefined : describeError(read.error, shown),
    warnings: read.warnings,
    tsDigits: run.tsDigits,
    judgedFromFrame: run.judgement.judgedFromFrame,
  });
  // A reader that went away (`| head -1`) only ends the output: the verdict's exit code stands.
  const out = new LineWriter(1, () => undefined);
  const cutShort = read.error instanceof CaptureFormatError && read.error.cutShort;
  // JSON in pieces: the report of a big capture is megabytes, and one string of it (with its copies) was the run's peak.
  if (opts.json) writeJsonText(doc, 2, (piece) => out.line(piece));
  else out.line(analysisText(doc, { color: useColor(1), cutShort }));
  out.flush();
  for (const w of read.warnings) warn(`${shown}: ${w}`);
  if (read.error !== undefined) {
    warn(describeError(read.error, shown));
    return ExitCode.usageOrInput;
  }
  return verdictExitCode(analysis.verdict);
}

export const analyzeCommand: CommandModule<object, AnalyzeOptions> = {
  command: 'analyze <input>',
  describe:
    'judge a capture against the anycast recipe: ARP/NDP answers with a unicast MAC, flip-flops, pinned clients, replies from the wrong gateway, RAs and DHCP options, traffic between gateways',
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
          describe:
            'threads: 2 decodes on a second core while this one judges; auto = 2 when there are 2 CPUs and the input is a pipe or a file of 1 GiB or more',
        }),
    ) as unknown as Argv<AnalyzeOptions>,
  handler: async (argv) => {
    process.exitCode = await runAnalyze(argv);
  },
};
