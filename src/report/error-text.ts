import { CaptureFormatError, CaptureInputError, EnvironmentError, UsageError } from '../core/errors.js';

/**
 * One line naming the thing and what is wrong (and, where there is one,
 * what to do) — never a stack trace.
 */
export function describeError(err: unknown, input: string): string {
  const name = input === '-' ? 'stdin' : input;
  if (err instanceof CaptureFormatError) return `${name}: byte ${err.offset}: ${err.message}`;
  if (err instanceof CaptureInputError) return `${name}: ${err.message}`;
  if (err instanceof UsageError || err instanceof EnvironmentError) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string') return `${name}: ${e.message}`;
  return `internal error: ${err instanceof Error ? err.message : String(err)} (please report this with the capture that caused it)`;
}
