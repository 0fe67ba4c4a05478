/** Exit codes: a pure function of the outcome (see README "Exit codes"). */
export const ExitCode = {
  /** Read everything; analyze: anycast healthy. */
  ok: 0,
  /** analyze/watch: problems found. */
  problems: 1,
  /** Bad flag, unreadable or corrupt input, missing interface, no permission. */
  usageOrInput: 2,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
