import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CommandResult, HostAccess } from '../../src/host/access.js';
import { readHostSnapshot } from '../../src/host/snapshot.js';
import type { CheckId, CheckResult } from '../../src/doctor/check.js';
import { runChecks, type DoctorResult } from '../../src/doctor/checks.js';
import { resolveSetup, type AnycastHost, type DoctorConfig } from '../../src/doctor/setup.js';
import { fixturesDir } from './paths.js';

/** What scripts/record-doctor-host.ts wrote: a real gateway's command outputs and files, recorded in its namespace. */
export interface HostRecording {
  commands: Record<string, CommandResult>;
  files: Record<string, string>;
  dirs: Record<string, string[]>;
}

/** A recorded gateway (fixtures/doctor/NAME.json), as a fresh copy the test may change. */
export function recording(name: 'healthy-gateway' | 'field-gateway' | 'nft-field-gateway'): HostRecording {
  return JSON.parse(fs.readFileSync(path.join(fixturesDir, 'doctor', `${name}.json`), 'utf8')) as HostRecording;
}

/** A HostAccess answering from a recording; commands it does not hold are "not installed". */
export function recordedHost(rec: HostRecording): HostAccess {
  return {
    readFile: (p) => rec.files[p],
    listDir: (p) => rec.dirs[p],
    run: (program, args) => rec.commands[[program, ...args].join(' ')] ?? { kind: 'missing' },
  };
}

export function setSysctl(rec: HostRecording, name: string, value: number): void {
  rec.files[`/proc/sys/${name.replace(/\./g, '/')}`] = `${value}\n`;
}

/** Edits the parsed JSON output of an `ip -j …` command. */
export function editIpJson(rec: HostRecording, command: string, edit: (items: Record<string, unknown>[]) => Record<string, unknown>[]): void {
  const r = rec.commands[command];
  if (r?.kind !== 'ok') throw new Error(`no output recorded for ${command}`);
  r.stdout = JSON.stringify(edit(JSON.parse(r.stdout) as Record<string, unknown>[]));
}

export function setCommand(rec: HostRecording, command: string, result: CommandResult): void {
  rec.commands[command] = result;
}

export const NO_CONFIG: DoctorConfig = {
  bridge: undefined,
  anycastInterface: undefined,
  anycastIpv4: [],
  anycastIpv6: [],
  anycastMacs: [],
  meshPrefix: undefined,
  batmanInterface: undefined,
};

export function doctorOn(rec: HostRecording, config: Partial<DoctorConfig> = {}): DoctorResult & { setup: AnycastHost } {
  const snapshot = readHostSnapshot(recordedHost(rec));
  const setup = resolveSetup(snapshot, { ...NO_CONFIG, ...config });
  return { ...runChecks({ host: snapshot, setup }), setup };
}

export function checksOf(result: DoctorResult, id: CheckId): CheckResult[] {
  return result.checks.filter((c) => c.id === id);
}

/** The checks that failed or warned, as "id: first fix". */
export function problems(result: DoctorResult): string[] {
  return result.checks.filter((c) => c.status === 'fail' || c.status === 'warn').map((c) => `${c.id}: ${c.fix[0] ?? ''}`);
}
