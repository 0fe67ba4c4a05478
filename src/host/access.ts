/**
 * The only door from `doctor` to the host: file reads and command runs. The
 * readers of src/host/ take a HostAccess, so tests feed them recorded
 * outputs (fixtures/doctor/) and the real one reads /proc, /sys and /etc and
 * runs `ip`, `iptables-save`, `nft`. Nothing here changes the host.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type CommandResult =
  /** The program ran and exited 0. */
  | { kind: 'ok'; stdout: string }
  /** The program is not installed. */
  | { kind: 'missing' }
  /** It ran and failed: its first line of stderr (or the reason). */
  | { kind: 'failed'; message: string };

export interface HostAccess {
  /** A file's text; undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** The entries of a directory, sorted; undefined when it does not exist. */
  listDir(path: string): string[] | undefined;
  run(program: string, args: readonly string[]): CommandResult;
}

/** Reads this host (its network namespace, its mount namespace's /sys and /etc). */
export const liveHost: HostAccess = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  listDir(path) {
    try {
      return readdirSync(path).sort();
    } catch {
      return undefined;
    }
  },
  run(program, args) {
    try {
      // Bounded: a command that hangs (a locked xtables) must not hang doctor.
      const stdout = execFileSync(program, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
      return { kind: 'ok', stdout };
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') return { kind: 'missing' };
      const first = (e.stderr ?? '').trim().split('\n')[0] ?? '';
      return { kind: 'failed', message: first !== '' ? first : e.message.split('\n')[0]! };
    }
  },
};
