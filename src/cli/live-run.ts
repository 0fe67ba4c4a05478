import { LinkType } from '../core/link-type.js';
import type { Finding } from '../detect/findings.js';
import type { AnycastConfig } from '../detect/config.js';
import type { DetectorDefinition } from '../detect/detector.js';
import type { Analysis } from '../detect/analysis.js';
import { analysisJson, findingJson, type AnalysisJson } from '../report/analysis-json.js';
import { analysisText } from '../report/analysis-text.js';
import { jsonText, writeJsonText } from '../report/json-text.js';
import { anycastSummaryLine, findingLine, gatewayRenameLine, liveScreen } from '../report/live-view.js';
import { gatewayKey, gatewayName } from '../report/names.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { describeError } from '../report/error-text.js';
import { nothingRead } from '../core/errors.js';
import { ExitCode, type ExitCodeValue, verdictExitCode } from './exit-code.js';
import { LivePipeline } from '../pipeline/live-pipeline.js';
import { LineWriter, warn } from './output.js';
import { useColor } from './terminal.js';

export interface LiveRunOptions {
  /** What is watched: an interface or a replayed file. */
  input: string;
  title: string;
  config: AnycastConfig;
  detectors: readonly DetectorDefinition[];
  json: boolean;
  ndjson: boolean;
  /** Seconds of wall-clock time before ending (0 = until Ctrl-C / end of input). */
  duration: number;
  /** Frames before ending (0 = no limit). */
  count: number;
  write: string | undefined;
  format: 'live' | 'pcap' | 'pcapng';
}

/** A running source: the pipeline's sink is handed in; `stop` ends it; `done` settles when it has. */
export interface RunningSource {
  stop(): void;
  done: Promise<void>;
  counters(): { received: number; dropped: number | undefined; note?: string };
}

const NDJSON_STATS_EVERY_MS = 5000;
const REDRAW_EVERY_MS = 1000;
/** The --write file gets what was captured at least this often: a kill -9 or a power cut loses no more. */
const WRITE_FLUSH_EVERY_MS = 1000;
/** Signals that end a run with its report (SIGHUP: the terminal or SSH session went away). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Runs the live pipeline on a source until Ctrl-C, SIGTERM, --duration,
 * --count or the end of the input, showing findings as they appear, then
 * prints the same report `analyze` gives for the same frames, with the
 * same exit codes.
 */
export async function runLive(opts: LiveRunOptions, start: (sink: FrameSink, shouldStop: () => boolean) => Promise<RunningSource>): Promise<ExitCodeValue> {
  // A reader that went away (`| head`) ends the run quietly: no more lines, no report.
  const out = new LineWriter(1, () => stop());
  const tty = process.stdout.isTTY === true && !opts.json && !opts.ndjson;
  const color = useColor(1);
  let stopRequested = false;
  let source: RunningSource | undefined;
  let blockLines = 0;
  const startedAt = performance.now();

  const eraseBlock = (): void => {
    // Cursor to the first line of the status block, then clear to the end of the screen.
    if (blockLines > 0) out.raw(`\x1b[${blockLines}F\x1b[J`);
    blockLines = 0;
  };
  // The name each gateway was last given on the stream, by its stable key (first MAC): a learned
  // gateway is named by its MAC until its own IP is seen, and the stream then says it once, so a
  // reader can follow it to the name the report uses.
  const namesGiven = new Map<string, string>();
  // Names learned gateways by the IPs seen so far, then says each rename of one the stream named before.
  const sayRenames = (analysis: Analysis): void => {
    const ctx = analysis.ctx;
    ctx.gateways.resolveLearnedAddresses((ip) => ctx.anycast.isAnycastIpv4(ip));
    if (namesGiven.size === 0) return;
    for (const gw of ctx.gateways.list) {
      const key = gatewayKey(gw);
      const was = key === null ? undefined : namesGiven.get(key);
      const name = gatewayName(gw);
      if (key === null || was === undefined || was === name) continue;
      namesGiven.set(key, name);
      if (opts.ndjson) out.line(jsonText({ type: 'gateway', mac: key, name, was }));
      else if (!opts.json) {
        if (tty) eraseBlock();
        out.line(gatewayRenameLine(key, was, name, color));
      }
    }
  };
  const announce = (f: Finding, analysis: Analysis): void => {
    const ctx = analysis.ctx;
    sayRenames(analysis);
    const fj = findingJson(f, ctx.gateways.list, pipeline.tsDigits);
    if (fj.gatewayMac !== null && fj.gateway !== null) namesGiven.set(fj.gatewayMac, fj.gateway);
    if (fj.otherGatewayMac !== null && fj.otherGateway !== null) namesGiven.set(fj.otherGatewayMac, fj.otherGateway);
    if (opts.ndjson) out.line(jsonText({ type: 'finding', ...fj }));
    else if (!opts.json) {
      if (tty) eraseBlock();
      out.line(findingLine(fj, color));
    }
    if (!tty) out.flush();
  };
  const pipeline = new LivePipeline({
    config: opts.config,
    detectors: opts.detectors,
    announce,
    ...(opts.write !== undefined ? { writePath: opts.write } : {}),
    // A full disk ends the run: the file holds every frame up to the last whole one, and the report follows.
    onWriteError: () => stop(),
    // A live interface is Ethernet (watch refuses others): create the file now, so a bad path fails first.
    ...(opts.format === 'live' ? { linkType: LinkType.ethernet } : {}),
  });

  const stop = (): void => {
    if (stopRequested) return;
    stopRequested = true;
    source?.stop();
  };
  const sink: FrameSink = {
    frame(rec: FrameRecord) {
      // After Ctrl-C the engine still hands over what it had captured: judge it. Only --count cuts off.
      if (opts.count > 0 && pipeline.frames >= opts.count) return;
      pipeline.frame(rec);
      if (opts.count > 0 && pipeline.frames >= opts.count) stop();
    },
  };
  // Ctrl-C, kill, systemctl stop, a closed terminal or SSH session: each ends the run the same way,
  // with the --write file flushed and closed and the report printed.
  const onSignal = (): void => stop();
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const timers: NodeJS.Timeout[] = [];
  if (opts.duration > 0) stopAfter(opts.duration * 1000, stop, timers);
  if (opts.write !== undefined) timers.push(setInterval(() => pipeline.flushWrite(), WRITE_FLUSH_EVERY_MS));

  const snapshot = () => {
    const perKind: Record<string, number> = {};
    for (const f of pipeline.findings()) perKind[f.kind] = (perKind[f.kind] ?? 0) + f.count;
    const gws = pipeline.analysis.ctx.gateways.list;
    const c = source?.counters();
    return {
      title: opts.title,
      anycastLine: anycastSummaryLine(pipeline.analysis.ctx.config),
      frames: pipeline.frames,
      received: c?.received ?? pipeline.frames,
      dropped: c?.dropped,
      elapsedSeconds: (performance.now() - startedAt) / 1000,
      perKind,
      matrix: pipeline.analysis
        .sections()
        .interGateway.map((p) => ({ from: gatewayName(gws[p.from]), to: gatewayName(gws[p.to]), packets: p.packets, bytes: p.bytes })),
      latest: pipeline
        .findings()
        .slice(-5)
        .map((f) => findingJson(f, gws, pipeline.tsDigits)),
    };
  };
  if (tty) {
    timers.push(
      setInterval(() => {
        eraseBlock();
        // One physical line per screen line, or the cursor-up erase would miss the wrapped rest.
        const cols = Math.max(20, (process.stdout.columns ?? 80) - 1);
        const lines = liveScreen(snapshot(), color)
          .split('\n')
          .map((l) => fitWidth(l, cols));
        out.line(lines.join('\n'));
        blockLines = lines.length;
        out.flush();
      }, REDRAW_EVERY_MS),
    );
  } else if (opts.ndjson) {
    timers.push(
      setInterval(() => {
        sayRenames(pipeline.analysis);
        const s = snapshot();
        out.line(
          jsonText({
            type: 'stats',
            frames: s.frames,
            received: s.received,
            dropped: s.dropped ?? null,
            elapsedSeconds: s.elapsedSeconds,
            findings: s.perKind,
          }),
        );
        out.flush();
      }, NDJSON_STATS_EVERY_MS),
    );
  }

  let error: unknown;
  try {
    source = await start(sink, () => stopRequested);
    if (stopRequested) source.stop();
    await source.done;
  } catch (err) {
    error = err;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  if (tty) eraseBlock();
  if (out.closed) return verdictExitCode(pipeline.finish().result.verdict);
  // Nothing came at all: one line, as analyze says it.
  if ((source === undefined && error !== undefined) || nothingRead(error, pipeline.frames)) {
    out.flush();
    warn(describeError(error, opts.input));
    return ExitCode.usageOrInput;
  }
  const { result, judgement } = pipeline.finish();
  error ??= pipeline.writeError;
  sayRenames(pipeline.analysis);
  const counters = source?.counters();
  const doc: AnalysisJson = analysisJson(result, pipeline.stats, {
    input: opts.input,
    format: opts.format,
    duplicates: pipeline.dedup.duplicates,
    error: error === undefined ? undefined : describeError(error, opts.input),
    warnings: [],
    tsDigits: pipeline.tsDigits,
    judgedFromFrame: judgement.judgedFromFrame,
  });
  if (opts.ndjson) {
    // The engine's drop counter is known only once it has stopped (tcpdump prints it on exit):
    // the periodic stats lines say null until then; this last one has it.
    const perKind: Record<string, number> = {};
    for (const f of result.findings) perKind[f.kind] = (perKind[f.kind] ?? 0) + f.count;
    out.line(
      jsonText({
        type: 'stats',
        final: true,
        frames: pipeline.frames,
        received: counters?.received ?? pipeline.frames,
        dropped: counters?.dropped ?? null,
        elapsedSeconds: (performance.now() - startedAt) / 1000,
        findings: perKind,
      }),
    );
    out.line(jsonText({ type: 'report', report: doc }));
  } else if (opts.json) writeJsonText(doc, 2, (piece) => out.line(piece));
  else out.line(analysisText(doc, { color }));
  out.flush();
  if (counters !== undefined) {
    warn(
      `${opts.input}: ${pipeline.frames} frames analysed, ${counters.received} received, ${counters.dropped === undefined ? 'drops not reported by this engine' : `${counters.dropped} dropped by the kernel`}${counters.note !== undefined ? ` (${counters.note})` : ''}`,
    );
  }
  if (pipeline.notWritten > 0)
    warn(`${opts.write}: ${pipeline.notWritten} frames not written: their link type differs from the file's first frame (a pcap holds one link type)`);
  if (error !== undefined) {
    warn(describeError(error, opts.input));
    return ExitCode.usageOrInput;
  }
  return verdictExitCode(result.verdict);
}

/** The longest delay setTimeout holds (2^31 - 1 ms, ~24.8 days); a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `stop` once `ms` have passed, re-arming in steps setTimeout can hold:
 * a --duration of weeks on a gateway is a use, and one timer of it would end
 * the run at once. Each step's timer goes into `timers`, cleared at the end.
 */
function stopAfter(ms: number, stop: () => void, timers: NodeJS.Timeout[]): void {
  const end = performance.now() + ms;
  const arm = (): void => {
    const left = end - performance.now();
    if (left <= 0) stop();
    else timers.push(setTimeout(arm, Math.min(left, MAX_TIMER_MS)));
  };
  arm();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: it matches terminal colour sequences, on purpose.
const ANSI = /\x1b\[[0-9;]*m/g;

/** The line as is when it fits, else its plain text cut to the width (colour dropped). */
function fitWidth(line: string, cols: number): string {
  const plain = line.replace(ANSI, '');
  return plain.length <= cols ? line : `${plain.slice(0, cols - 1)}…`;
}
