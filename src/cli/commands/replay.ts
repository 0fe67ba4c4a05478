import type { Argv, CommandModule } from 'yargs';
import { replayCapture } from '../../source/replay.js';
import { isSupportedLinkType, unsupportedLinkTypeText } from '../../core/link-type.js';
import { CaptureFormatError } from '../../core/errors.js';
import { anycastConfigFrom, anycastFlagsBuilder, detectorsFrom, type AnycastFlags } from '../anycast-options.js';
import { UsageError } from '../../core/errors.js';
import type { ExitCodeValue } from '../exit-code.js';
import { runLive } from '../live-run.js';
import { liveOutputBuilder } from '../live-options.js';
import { openInjector } from '../../source/inject.js';

export interface ReplayCommandOptions extends AnycastFlags {
  input: string;
  speed: number;
  fast: boolean;
  inject?: string;
  json: boolean;
  ndjson: boolean;
  duration: number;
  count: number;
  write?: string;
}

/**
 * replay: a capture through the live pipeline and live view with its
 * original pacing (or --speed N, --fast), so the live path runs without
 * root and fixtures double as demos. With --inject IFACE the frames are
 * also sent out of that interface (bounded by the file, --count and
 * --duration; paced like the capture).
 */
export async function runReplay(opts: ReplayCommandOptions): Promise<ExitCodeValue> {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed)) throw new UsageError(`--speed ${opts.speed}: expected a number above 0 (1 = original pacing)`);
  if (opts.input === '-') throw new UsageError('replay reads a file, not stdin: pacing needs the timestamps up front (use analyze - for stdin)');
  const detectors = detectorsFrom(opts);
  const config = anycastConfigFrom(opts);
  const injector = opts.inject === undefined ? undefined : openInjector(opts.inject);
  try {
    return await runLive(
      {
        input: opts.input,
        title: `anycast-probe replay ${opts.input}${opts.fast ? ' (fast)' : opts.speed !== 1 ? ` (×${opts.speed})` : ''}`,
        config,
        detectors,
        json: opts.json,
        ndjson: opts.ndjson,
        duration: opts.duration,
        count: opts.count,
        write: opts.write,
        format: 'pcap',
      },
      async (sink, shouldStop) => {
        let read = 0;
        const forward =
          injector === undefined
            ? sink
            : {
                frame(rec: Parameters<typeof sink.frame>[0]) {
                  injector.send(rec.data, rec.offset, rec.capLen);
                  sink.frame(rec);
                },
              };
        const counting = {
          frame(rec: Parameters<typeof sink.frame>[0]) {
            read++;
            forward.frame(rec);
          },
        };
        const done = replayCapture(opts.input, counting, {
          speed: opts.speed,
          fast: opts.fast,
          shouldStop,
          onInterface(info, _index, format) {
            if (isSupportedLinkType(info.linkType)) return;
            if (format === 'pcap') throw new CaptureFormatError(unsupportedLinkTypeText(info.linkType), info.declaredAt);
          },
        }).then(() => undefined);
        return {
          stop: () => undefined,
          done,
          counters: () => ({ received: read, dropped: undefined, note: injector !== undefined ? `${injector.sent()} sent out of ${opts.inject}` : 'replay' }),
        };
      },
    );
  } finally {
    injector?.close();
  }
}

export const replayCommand: CommandModule<object, ReplayCommandOptions> = {
  command: 'replay <input>',
  describe: 'feed a capture through the live pipeline with its original pacing (--inject sends it out of an interface)',
  builder: (y: Argv) =>
    anycastFlagsBuilder(
      liveOutputBuilder(
        y
          .positional('input', { type: 'string', demandOption: true, describe: 'pcap or pcapng file' })
          .option('speed', { type: 'number', default: 1, describe: 'pacing factor: 2 plays twice as fast' })
          .option('fast', { type: 'boolean', default: false, describe: 'no pacing at all' })
          .option('inject', { type: 'string', describe: 'also send every frame out of this interface (needs root; lab use)' }),
      ),
    ) as unknown as Argv<ReplayCommandOptions>,
  handler: async (argv) => {
    process.exitCode = await runReplay(argv);
  },
};
