import type { Verdict } from '../detect/analysis.js';
import type { ProbeVerdict } from '../report/probe-report.js';

/** Exit codes: a pure function of the outcome (README "Exit codes", `--help`). */
export const ExitCode = {
  /** Read everything; analyze/watch/replay: anycast healthy. */
  ok: 0,
  /** analyze/watch/replay: problems found (an error or warning finding). */
  problems: 1,
  /** Bad flag, unreadable or corrupt input, missing interface, no permission. */
  usageOrInput: 2,
  /**
   * No verdict: analyze/watch/replay: nothing to judge — no anycast address
   * given and none the frames settle (the report says what would settle it); probe: the answers do not tell
   * which MAC is the anycast one (no --anycast-mac), and nothing else is wrong.
   */
  noAnycast: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of a verdict read to the end: analyze/watch/replay's, or probe's (unsure: which MAC is the anycast one is not known). */
export function verdictExitCode(verdict: Verdict | ProbeVerdict): ExitCodeValue {
  switch (verdict) {
    case 'healthy':
      return ExitCode.ok;
    case 'problems':
      return ExitCode.problems;
    case 'no-anycast':
    case 'unsure':
      return ExitCode.noAnycast;
  }
}

/** The exit codes, as `--help` and the README list them. */
export const EXIT_CODES_TEXT = [
  'Exit codes:',
  '  0  read completely; analyze/watch/replay/probe: anycast healthy; doctor: every check passed',
  '  1  analyze/watch/replay/probe: problems found (an error or warning finding; probe: a unicast answer, no answer); doctor: a check failed or warned',
  '  2  usage or input error: bad flag, unreadable, corrupt or unsupported capture, missing interface, no permission; doctor: could not check',
  '  3  no verdict: analyze/watch/replay: no anycast address given and the frames settle none (nothing was judged; the report says what would settle it); probe: the answers do not tell which MAC is the anycast one (give --anycast-mac)',
].join('\n');
