/**
 * Every doctor check, in the order the report lists them: plain functions
 * in a plain array, run by a loop (see src/doctor/check.ts).
 */
import { anycastInterfaceChecks } from './checks/anycast-interface.js';
import { batmanChecks } from './checks/batman.js';
import { dadChecks } from './checks/dad.js';
import { daemonChecks } from './checks/daemons.js';
import { firewallChecks } from './checks/firewall.js';
import { arpFilterCheck, arpIgnoreAnnounceCheck, forwardingCheck, rpFilterCheck } from './checks/kernel-settings.js';
import { sourceRoutingChecks, uplinkRuleChecks } from './checks/policy-routing.js';
import type { Check, CheckResult, DoctorContext } from './check.js';

export const CHECKS: readonly Check[] = [
  anycastInterfaceChecks,
  forwardingCheck,
  arpFilterCheck,
  arpIgnoreAnnounceCheck,
  rpFilterCheck,
  sourceRoutingChecks,
  uplinkRuleChecks,
  dadChecks,
  batmanChecks,
  firewallChecks,
  daemonChecks,
];

export type DoctorVerdict = 'healthy' | 'problems' | 'could-not-check';

export interface DoctorResult {
  verdict: DoctorVerdict;
  checks: CheckResult[];
}

export function runChecks(ctx: DoctorContext): DoctorResult {
  const checks = CHECKS.flatMap((check) => check(ctx));
  const problems = checks.some((c) => c.status === 'fail' || c.status === 'warn');
  const unreadable = checks.some((c) => c.unreadable);
  return { verdict: problems ? 'problems' : unreadable ? 'could-not-check' : 'healthy', checks };
}
