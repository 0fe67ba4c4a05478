import * as tty from 'node:tty';

/**
 * Colour only on a terminal that can show it: never when NO_COLOR is set or
 * TERM is "dumb" (an editor's shell, a serial console); FORCE_COLOR=1
 * forces it (tests use FORCE_COLOR=0).
 */
export function useColor(fd: number): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return tty.isatty(fd);
}
