/** doctor --json: one document, `anycast-probe/doctor/v1`. */
import type { CheckResult } from '../doctor/check.js';
import type { DoctorResult } from '../doctor/checks.js';
import type { AnycastHost } from '../doctor/setup.js';
import { checkTitle, describeSetup } from './doctor-text.js';

export interface DoctorJson {
  schema: 'anycast-probe/doctor/v1';
  verdict: DoctorResult['verdict'];
  setup: Record<string, string | string[]>;
  checks: (CheckResult & { title: string })[];
}

export function doctorJson(setup: AnycastHost, result: DoctorResult): DoctorJson {
  return {
    schema: 'anycast-probe/doctor/v1',
    verdict: result.verdict,
    setup: describeSetup(setup),
    checks: result.checks.map((c) => ({ ...c, title: checkTitle(c.id) })),
  };
}
