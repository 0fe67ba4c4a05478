import * as tty from 'node:tty';

/** Colour only on a terminal, never when NO_COLOR is set; FORCE_COLOR=1 forces it (tests use FORCE_COLOR=0). */
export function useColor(fd: number): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return tty.isatty(fd);
}
