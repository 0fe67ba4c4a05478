import { UsageError } from '../core/errors.js';
import { given } from './anycast-options.js';

/**
 * --count: a whole number of frames, 0 for all. Anything else is refused
 * (as tcpdump -c refuses it): "abc" parsed as NaN read as "all", and 1.5 as
 * a stop after the second frame.
 */
export function checkFrameCount(value: unknown, flag = '--count'): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new UsageError(`${flag} ${given(value)}: expected a whole number of frames (0 = all)`);
}

/** --duration: seconds, 0 for no limit. A negative or non-numeric one read as "no limit". */
export function checkDuration(value: unknown, flag = '--duration'): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} ${given(value)}: expected seconds (0 = no limit)`);
}
