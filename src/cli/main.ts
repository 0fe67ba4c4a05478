// First: starts analyze's decode thread before the modules below are evaluated.
import './early-start.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { framesCommand } from './commands/frames.js';
import { analyzeCommand } from './commands/analyze.js';
import { replayCommand } from './commands/replay.js';
import { watchCommand } from './commands/watch.js';
import { probeCommand } from './commands/probe.js';
import { detectorsCommand } from './commands/detectors.js';
import { doctorCommand } from './commands/doctor.js';
import { describeError } from '../report/error-text.js';
import { EXIT_CODES_TEXT, ExitCode } from './exit-code.js';
import { warn } from './output.js';
import { packageVersion } from './version.js';

/** The only place that reads argv and sets the process exit code. */
/** yargs-parser turns a lone "-" into an empty string; carry it through under a name no path has. */
const STDIN_ARG = '\u0000stdin';

export async function main(rawArgv: string[]): Promise<void> {
  const argv = rawArgv.map((a) => (a === '-' ? STDIN_ARG : a));
  const parser = yargs(argv);
  try {
    // yargs' help cache switched off: after a command's handler is called (and its first await),
    // yargs renders the whole help text to cache it for a later showHelp(), which this CLI never
    // calls. That took 35-45 ms of every run, on the main thread, as analyze's decode thread
    // delivered its first frames. --help prints its text while parsing, without the cache.
    const usage = (parser as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
    if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
    await parser
      .scriptName('anycast-probe')
      .middleware((args) => {
        if (args.input === STDIN_ARG) args.input = '-';
      }, true)
      .command(framesCommand)
      .command(analyzeCommand)
      .command(watchCommand)
      .command(replayCommand)
      .command(probeCommand)
      .command(detectorsCommand)
      .command(doctorCommand)
      .demandCommand(1, 'name a command: analyze, watch, replay, frames, probe, detectors, doctor')
      .strict()
      .help()
      .alias('help', 'h')
      .example('anycast-probe analyze capture.pcap', 'judge a capture; the anycast IP and MAC are inferred from it')
      .example('tcpdump -i br-fftr -w - | anycast-probe analyze -', 'judge a capture as it is taken')
      .example('sudo anycast-probe watch br-fftr', 'live on a gateway: finds the anycast macvlan on the bridge by itself')
      .example('sudo anycast-probe doctor', "check this gateway's configuration against the anycast recipe")
      .example('anycast-probe frames capture.pcap', 'every ARP/ICMP/ICMPv6/DHCP frame, one line each, like tcpdump -nne')
      .epilogue(EXIT_CODES_TEXT)
      .version(packageVersion())
      // yargs' own strings in English, as every message of this tool: its translations are files
      // beside yargs in node_modules, which the bundle does not read.
      .locale('en')
      .wrap(Math.min(100, process.stdout.columns ?? 100))
      .fail((msg, err) => {
        if (err !== undefined && err !== null) throw err;
        // yargs checks positionals before flags: "--bogus FILE" reads as a missing FILE. Name the real mistake.
        const unknown = unknownFlags(argv, (parser as unknown as { getOptions(): ParserOptions }).getOptions());
        if (unknown.length > 0) throw new UsageFailure(`Unknown argument: ${unknown.join(', ')}`);
        throw new UsageFailure(missingArgument(argv[0], msg) ?? msg);
      })
      .parseAsync();
  } catch (err) {
    if (err instanceof UsageFailure) {
      // yargs words some errors over two lines ("Invalid values:\n  Argument: …"): one line each.
      warn(`${err.message.replace(/\s*\n\s*/g, ' ')} (see anycast-probe --help)`);
      process.exitCode = ExitCode.usageOrInput;
      return;
    }
    warn(describeError(err, ''));
    process.exitCode = ExitCode.usageOrInput;
  }
}

class UsageFailure extends Error {}

/** What each command's positional argument is, for "missing …" (yargs says only "Not enough non-option arguments"). */
const POSITIONALS: Readonly<Record<string, string>> = {
  analyze: '<input>: the capture to read (a pcap or pcapng file, or - for stdin)',
  frames: '<input>: the capture to read (a pcap or pcapng file, or - for stdin)',
  replay: '<input>: the capture to replay (a pcap or pcapng file)',
  watch: '<interface>: the interface to capture on (the mesh bridge, e.g. br-fftr)',
};

function missingArgument(command: string | undefined, msg: string): string | undefined {
  if (command === undefined || !/^Not enough non-option arguments/.test(msg)) return undefined;
  const what = POSITIONALS[command];
  return what === undefined ? undefined : `${command}: missing ${what}`;
}

/** The part of yargs' internals (yargs 18, usage.js) that caches help text on every command run. */
interface YargsInternals {
  getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage: () => void } | undefined };
}

interface ParserOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
}

function unknownFlags(argv: string[], options: ParserOptions): string[] {
  const known = new Set<string>(['help', 'version', 'h']);
  for (const key of Object.keys(options.key)) known.add(key);
  for (const [key, aliases] of Object.entries(options.alias)) {
    known.add(key);
    for (const a of aliases) known.add(a);
  }
  const unknown: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    const m = /^--?(?:no-)?([^=]+)/.exec(arg);
    if (m === null || arg === '-') continue;
    const name = m[1]!;
    const camel = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!known.has(name) && !known.has(camel)) unknown.push(name);
  }
  return unknown;
}

// Not awaited at the top level: see decode-thread.ts (an async module could abort in V8). main() settles
// every error itself and never rejects.
void main(hideBin(process.argv));
