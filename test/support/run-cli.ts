import { spawnSync } from 'node:child_process';
import { cliPath, repoRoot } from './paths.js';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory (default: the repository root, so fixture paths are relative to it). */
  cwd?: string;
}

/** Runs the built CLI (bin/anycast-probe) as a user would, without colour. */
export function runCli(args: string[], input?: Buffer, options: RunCliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    input,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** `frames --json` output parsed into objects. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
