/**
 * Error classes every layer may throw; shared so imports go one way
 * (cli → pipeline → source / detect / report → decode → core). The CLI turns each into one
 * line and an exit code (src/cli/errors.ts, src/cli/exit-code.ts).
 */

/** A flag or argument the user must change. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something outside the program (an interface, a permission, a library) that the user must fix. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/**
 * A capture that cannot be read further. Carries the byte offset of the
 * fault so the CLI can print "FILE: byte N: what is wrong", and is thrown
 * only after every frame before the fault has been delivered.
 */
export class CaptureFormatError extends Error {
  readonly offset: number;
  /**
   * The input ended inside a record, after a valid header and whole records:
   * a capture still being written, or one cut by a full disk or a copy. What
   * came before is a complete, trustworthy report.
   */
  readonly cutShort: boolean;
  constructor(message: string, offset: number, cutShort = false) {
    super(message);
    this.name = 'CaptureFormatError';
    this.offset = offset;
    this.cutShort = cutShort;
  }
}

/**
 * Whether a read that ended with `error` after `frames` frames got nothing
 * at all (no such file, not a capture, an engine that failed before its
 * first frame): the commands then say the error in one line, as a report of
 * zero frames would read as a verdict. A capture cut inside its first
 * record (still being written) is a capture of no frames yet, not nothing.
 */
export function nothingRead(error: unknown, frames: number): boolean {
  return error !== undefined && frames === 0 && !(error instanceof CaptureFormatError && error.cutShort);
}

/** Could not open the input at all (missing file, no permission, a directory…). */
export class CaptureInputError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'CaptureInputError';
    this.code = code;
  }
}
