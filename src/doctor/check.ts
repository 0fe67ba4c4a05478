/**
 * What a doctor check returns: typed, one per thing judged. `found` and
 * `expected` are the values seen and wanted (settings, names, addresses, as
 * the host writes them); `fix` holds the exact commands, as data. Titles,
 * symbols and layout are report/'s (src/report/doctor-text.ts).
 */
import type { HostSnapshot } from '../host/snapshot.js';
import type { AnycastHost } from './setup.js';

export const CHECK_IDS = [
  'anycast-interface',
  'anycast-mac',
  'anycast-addresses',
  'anycast-up',
  'forwarding',
  'arp-filter',
  'arp-ignore-announce',
  'rp-filter',
  'source-rule',
  'source-route',
  'uplink-rules',
  'dad',
  'batman-bridge-port',
  'bridge-loop-avoidance',
  'firewall-anycast',
  'firewall-return-path',
  'firewall-invalid-drop',
  'dhcp-options',
  'radv',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'not-checked';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** What was judged when a check runs more than once: an address, a file, a firewall rule. */
  subject: string;
  found: string;
  expected: string;
  /** Exact commands that fix it (empty when ok, not-checked, or only an edit helps). */
  fix: string[];
  /** not-checked because something could not be read (permission, a failing tool), not because it is absent. */
  unreadable: boolean;
}

export interface DoctorContext {
  host: HostSnapshot;
  setup: AnycastHost;
}

/** One check: a plain function in a plain array (src/doctor/checks.ts). */
export type Check = (ctx: DoctorContext) => CheckResult[];

export function result(id: CheckId, status: CheckStatus, found: string, expected: string, fix: string[] = [], subject = ''): CheckResult {
  return { id, status, subject, found, expected, fix, unreadable: false };
}

export function notChecked(id: CheckId, why: string, unreadable = false, subject = ''): CheckResult {
  return { id, status: 'not-checked', subject, found: why, expected: '', fix: [], unreadable };
}
