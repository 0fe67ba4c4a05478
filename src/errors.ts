/**
 * Error classes every layer may throw; shared so imports go one way
 * (cli → source / detect / report → decode). The CLI turns each into one
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
