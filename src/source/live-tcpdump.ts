/**
 * Live capture through a tcpdump child process: `tcpdump -w -` writes pcap
 * to a pipe and the project's own reader parses it, so frames carry the
 * kernel's nanosecond timestamps and real wire lengths, and tcpdump's
 * counters ("N packets dropped by kernel") give the drop statistics cap
 * cannot.
 *
 * Flags, and why:
 *  -U                  flush the output after every packet (no stdio buffering).
 *  (no --immediate-mode by default)
 *                      libpcap then uses TPACKET_V3: frames packed by size into
 *                      blocks that the kernel hands over when full or after
 *                      tcpdump's 1 s timeout. Measured on a veth/bridge ping
 *                      flood (200 000 frames at ~75k frames/s): batched with a
 *                      4 MiB ring lost none; --immediate-mode (TPACKET_V2, fixed
 *                      ~64 KiB slots with snaplen 65535 on offloading devices)
 *                      dropped 33 % with 16 MiB, 11 % with 64 MiB, 4 % with
 *                      snaplen 1600. The price: frames reach us up to 1 s late
 *                      (timestamps are the kernel's, so detectors don't care),
 *                      and SIGINT would lose the frames of the unfinished
 *                      block (measured: 12 received by filter, 0 written), so
 *                      stop() waits DRAIN_MS for the block to retire first.
 *                      `immediate: true` for low latency at low rates.
 *  -s SNAPLEN          default 65535 (as the cap engine).
 *  -B KiB              kernel ring size.
 *  --time-stamp-precision=nano
 *                      nanosecond pcap (magic a1b23c4d); the reader handles it.
 *  (promiscuous mode stays on: a bridge device only shows frames forwarded
 *  between its ports while it is promiscuous.)
 *  --                  so a filter can never be taken for an option.
 *
 * tcpdump runs in its own process group, so a Ctrl-C at the terminal reaches
 * only us: the caller handles SIGINT and calls stop(), which drains, then
 * sends SIGINT to this one PID; tcpdump prints its counters and exits 0. If
 * this process exits normally the child is killed; if it dies, tcpdump dies of
 * SIGPIPE at its next write.
 */
import { spawn } from 'node:child_process';
import { EnvironmentError } from '../core/errors.js';
import { readCaptureStream } from './capture-reader.js';
import type { FrameRecord, FrameSink } from '../core/frame-record.js';
import { LinkType, linkTypeName } from '../core/link-type.js';
import { notEthernetError, requireInterface } from './interface-info.js';
import { checkLiveOptions, LIVE_DEFAULTS, mapLibpcapError, type LiveCapture, type LiveCaptureOptions, type LiveCaptureStats } from './live-cap.js';

export interface TcpdumpCaptureOptions extends LiveCaptureOptions {
  /** --immediate-mode (default false; see the header comment). */
  immediate?: boolean;
  /** The tcpdump binary (default "tcpdump" from PATH). */
  tcpdumpPath?: string;
  /** How long to wait for tcpdump to start capturing (default 10 s). */
  startTimeoutMs?: number;
}

/** tcpdump's counters as it prints them on SIGUSR1 and at exit. */
export interface TcpdumpCounters {
  captured: number | undefined;
  receivedByFilter: number | undefined;
  droppedByKernel: number | undefined;
  droppedByInterface: number | undefined;
}

const START_TIMEOUT_MS = 10_000;
/** Batched mode: wait past tcpdump's 1 s block timeout so the last block is written before SIGINT. */
const DRAIN_MS = 1100;
/** SIGUSR1 (tcpdump's "print counters") at most this often from stats(). */
const STATS_REFRESH_MS = 1000;
/** Keep this much of tcpdump's stderr for error messages. */
const STDERR_KEEP = 16 * 1024;

export function tcpdumpArgs(opts: TcpdumpCaptureOptions): string[] {
  const { snapLen, bufferBytes } = checkLiveOptions(opts, LIVE_DEFAULTS.tcpdumpBufferBytes);
  const args = ['-i', opts.interface, '-U', '-w', '-', '-s', String(snapLen), '-B', String(Math.ceil(bufferBytes / 1024))];
  if (opts.immediate === true) args.push('--immediate-mode');
  args.push('--time-stamp-precision=nano');
  if (opts.filter.trim() !== '') args.push('--', opts.filter);
  return args;
}

/**
 * Reads the counters from tcpdump's stderr text (the last value of each wins:
 * SIGUSR1 prints them on one line, exit prints one per line).
 */
export function parseTcpdumpCounters(text: string): TcpdumpCounters {
  const last = (re: RegExp): number | undefined => {
    let value: number | undefined;
    for (const m of text.matchAll(re)) value = Number(m[1]);
    return value;
  };
  return {
    captured: last(/(\d+) packets? captured/g),
    receivedByFilter: last(/(\d+) packets? received by filter/g),
    droppedByKernel: last(/(\d+) packets? dropped by kernel/g),
    droppedByInterface: last(/(\d+) packets? dropped by interface/g),
  };
}

/** tcpdump names link types by DLT name ("EN10MB", "LINUX_SLL2"). */
function dltLabel(dlt: string, description: string): string {
  if (dlt === 'LINUX_SLL') return linkTypeName(LinkType.linuxSll);
  if (dlt === 'LINUX_SLL2') return linkTypeName(LinkType.linuxSll2);
  return description !== '' ? `${dlt} (${description})` : dlt;
}

/** The error text of tcpdump's stderr: its "tcpdump: …" lines and the "(…)" detail after them. */
function tcpdumpErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^tcpdump: listening on|packets? (captured|received|dropped)/.test(l));
  return lines.map((l) => l.replace(/^tcpdump: /, '')).join(' ') || 'exited without a message';
}

/**
 * Starts tcpdump and resolves once it is capturing (its "listening on" line),
 * with frames flowing to `sink`. Rejects with a one-line EnvironmentError for
 * a missing tcpdump, a missing interface, no permission, a bad filter or a
 * non-Ethernet interface.
 */
export function openTcpdumpCapture(opts: TcpdumpCaptureOptions, sink: FrameSink): Promise<LiveCapture> {
  const args = tcpdumpArgs(opts);
  if (opts.interface !== 'any') requireInterface(opts.interface);
  const bin = opts.tcpdumpPath ?? 'tcpdump';

  return new Promise<LiveCapture>((resolveOpen, rejectOpen) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let opened = false;
    let stopped = false;
    let exited = false;
    let received = 0;
    let stderr = '';
    let lastStatsRequest = 0;
    let failure: unknown;
    let resolveDone!: () => void;
    let rejectDone!: (err: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    // Without a listener yet, a rejection here must not count as unhandled:
    // the caller's await of `done` (after open resolved) sees it.
    done.catch(() => undefined);

    const killChild = (signal: NodeJS.Signals): void => {
      // Only the process we spawned, by its own handle (never by name).
      if (!exited && child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onProcessExit = (): void => killChild('SIGTERM');
    process.once('exit', onProcessExit);

    const startTimer = setTimeout(() => {
      if (opened) return;
      failure ??= new EnvironmentError(`tcpdump did not start capturing on ${opts.interface} within ${(opts.startTimeoutMs ?? START_TIMEOUT_MS) / 1000} s`);
      killChild('SIGKILL');
    }, opts.startTimeoutMs ?? START_TIMEOUT_MS);

    const fail = (err: unknown): void => {
      failure ??= err;
      killChild('SIGINT');
    };

    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') failure ??= new EnvironmentError('tcpdump not found: apt-get install tcpdump');
      else if (err.code === 'EACCES') failure ??= new EnvironmentError(`cannot run ${bin}: permission denied`);
      else failure ??= new EnvironmentError(`cannot run ${bin}: ${err.message}`);
    });

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP);
      if (opened) return;
      const m = /listening on \S+, link-type (\S+)(?: \(([^)]*)\))?/.exec(stderr);
      if (m === null) return;
      const dlt = m[1] ?? '';
      if (dlt !== 'EN10MB') {
        fail(notEthernetError(opts.interface, dltLabel(dlt, m[2] ?? '')));
        return;
      }
      opened = true;
      clearTimeout(startTimer);
      resolveOpen(capture);
    });

    const counting: FrameSink = {
      frame(rec: FrameRecord) {
        received++;
        sink.frame(rec);
      },
    };
    const reading = readCaptureStream(child.stdout, counting, {
      onInterface(info) {
        if (info.linkType !== LinkType.ethernet) throw notEthernetError(opts.interface, linkTypeName(info.linkType));
      },
    }).then(
      () => undefined,
      (err: unknown) => fail(err),
    );

    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exited = true;
      clearTimeout(startTimer);
      process.removeListener('exit', onProcessExit);
      void reading.then(() => {
        // SIGINT (ours or a Ctrl-C to the process group) ends tcpdump with 0.
        const clean = code === 0 || (stopped && (signal === 'SIGINT' || signal === 'SIGTERM'));
        if (!clean) {
          if (!opened && !(failure instanceof EnvironmentError)) {
            // tcpdump refused to start: its stderr says why (the reader's
            // "empty file" is only the consequence).
            failure = mapLibpcapError(tcpdumpErrorText(stderr), opts);
          } else if (failure === undefined) {
            const how = signal !== null ? `was killed by ${signal}` : `exited with status ${code}`;
            failure = new EnvironmentError(`tcpdump on ${opts.interface} ${how}: ${tcpdumpErrorText(stderr)}`);
          }
        }
        if (!opened) {
          rejectOpen(failure ?? new EnvironmentError(`tcpdump exited before capturing on ${opts.interface}`));
          rejectDone(failure);
          return;
        }
        if (failure !== undefined) rejectDone(failure);
        else resolveDone();
      });
    });

    const capture: LiveCapture = {
      engine: 'tcpdump',
      linkType: LinkType.ethernet,
      stop() {
        if (stopped) return;
        stopped = true;
        // tcpdump on SIGINT writes what it has read, prints its counters and exits 0.
        if (opts.immediate === true) killChild('SIGINT');
        else setTimeout(() => killChild('SIGINT'), DRAIN_MS);
      },
      stats(): LiveCaptureStats {
        const now = Date.now();
        if (!stopped && !exited && now - lastStatsRequest >= STATS_REFRESH_MS) {
          lastStatsRequest = now;
          killChild('SIGUSR1'); // tcpdump prints its counters; read by the next stats() call
        }
        const c = parseTcpdumpCounters(stderr);
        const seen = c.receivedByFilter !== undefined;
        return {
          received,
          dropped: c.droppedByKernel,
          // tcpdump prints the interface drops only when they are not zero.
          ifDropped: c.droppedByInterface ?? (seen ? 0 : undefined),
        };
      },
      done,
    };
  });
}
