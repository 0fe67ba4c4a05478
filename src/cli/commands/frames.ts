import type { Argv, CommandModule } from 'yargs';
import { isArpOrIcmp } from '../../decode/arp-icmp-filter.js';
import { Layer } from '../../decode/layer.js';
import { frameLine } from '../../report/frame-text.js';
import { frameJson } from '../../report/frame-json.js';
import { describeError } from '../../report/error-text.js';
import { ExitCode, type ExitCodeValue } from '../exit-code.js';
import { LineWriter, OutputClosed, warn } from '../output.js';
import { readFrames } from '../../pipeline/read-frames.js';
import { checkFrameCount } from '../bounds.js';

export interface FramesOptions {
  input: string;
  json: boolean;
  all: boolean;
  keepDuplicates: boolean;
  duplicates: 'show' | 'mark' | 'hide';
  count: number;
  quiet: boolean;
}

export async function runFrames(opts: FramesOptions): Promise<ExitCodeValue> {
  checkFrameCount(opts.count);
  const out = new LineWriter(1);
  let shown = 0;
  const duplicates = opts.keepDuplicates ? 'show' : opts.duplicates;
  const result = await readFrames({
    input: opts.input,
    keepDuplicates: duplicates !== 'hide',
    markDuplicates: duplicates === 'mark',
    count: opts.count,
    onFrame(d, copy) {
      // DHCP too: the offers tell which gateway a client talked to and what router it was told.
      if (!opts.all && !isArpOrIcmp(d) && !d.has(Layer.dhcp) && d.stopLayer !== Layer.dhcp) return;
      shown++;
      if (opts.json) out.line(JSON.stringify(copy ? { ...frameJson(d), copy: true } : frameJson(d)));
      else out.line(copy ? `${frameLine(d)} [copy of an earlier frame: -i any]` : frameLine(d));
    },
  });
  try {
    out.flush();
  } catch (err) {
    if (err instanceof OutputClosed) return ExitCode.ok;
    throw err;
  }
  // readFrames never rejects: a reader that went away (| head) comes back as its error.
  if (result.error instanceof OutputClosed) return ExitCode.ok;
  for (const w of result.warnings) warn(`${opts.input}: ${w}`);
  if (!opts.quiet && (result.stats.frames > 0 || result.error === undefined)) {
    const s = result.stats;
    const dup =
      result.duplicates === 0
        ? ''
        : duplicates === 'hide'
          ? `, ${result.duplicates} copies of earlier frames (an -i any capture) hidden`
          : `, ${result.duplicates} of them copies of earlier frames (an -i any capture), marked`;
    const over =
      (result.read?.recordsOverSnapLen ?? 0) > 0 ? `, ${result.read!.recordsOverSnapLen} longer than the file's snap length (read whole, as tcpdump does)` : '';
    warn(
      `${opts.input}: ${s.frames} frames read (${result.format ?? 'unknown format'}), ${shown} shown, ${s.truncated} truncated, ${s.malformed} malformed${dup}${over}`,
    );
  }
  if (result.error !== undefined) {
    warn(describeError(result.error, opts.input));
    return ExitCode.usageOrInput;
  }
  return ExitCode.ok;
}

export const framesCommand: CommandModule<object, FramesOptions> = {
  command: 'frames <input>',
  describe: 'print every ARP, ICMP, ICMPv6 and DHCP frame of a capture, one line each (like tcpdump -nne)',
  builder: (y: Argv) =>
    y
      .positional('input', { type: 'string', demandOption: true, describe: 'pcap or pcapng file, or - for stdin' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per frame (schema/frame.schema.json)' })
      .option('all', { type: 'boolean', default: false, describe: 'print every frame, not only ARP/ICMP/ICMPv6/DHCP' })
      .option('duplicates', {
        choices: ['show', 'mark', 'hide'] as const,
        default: 'show' as const,
        describe: "copies of one frame in a 'tcpdump -i any' capture (one per interface it crossed): show them as tcpdump does, mark them, or hide them",
      })
      .option('keep-duplicates', { type: 'boolean', default: false, hidden: true, describe: 'the default now (--duplicates show)' })
      .option('count', { alias: 'c', type: 'number', default: 0, describe: 'stop after this many frames read (0 = all)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no summary line on stderr' }) as unknown as Argv<FramesOptions>,
  handler: async (argv) => {
    process.exitCode = await runFrames(argv);
  },
};
