import type { ValidationReportSummary } from './validation-report';

/**
 * The validation report gate: a cheap check for other code (a sync's downstream export, a model run) to call before it
 * uses a connection's data: it judges the latest stored validation report, never re-validates.
 */
export interface ValidationReportGatePolicy {
  minScore: number;
  /** A report older than this does not vouch for the data. */
  maxReportAgeHours: number;
  /** Refuse whenever a critical rule failed, whatever the score. */
  blockOnCriticalFailure: boolean;
}

export const DEFAULT_VALIDATION_REPORT_GATE_POLICY: ValidationReportGatePolicy = { minScore: 75, maxReportAgeHours: 36, blockOnCriticalFailure: true };

export type ValidationReportGateDecision =
  | { pass: true; score: number; reportId: string }
  | { pass: false; reason: 'no_report' | 'report_too_old' | 'critical_rule_failed' | 'score_below_minimum'; score: number | null; reportId: string | null };

/** The gate's signature: implemented over the reports table (db/validation-report-gate.ts). */
export type ValidationReportGate = (input: { connectionId: string; policy?: Partial<ValidationReportGatePolicy> }) => Promise<ValidationReportGateDecision>;

export function decideValidationReportGate(
  latest: Pick<ValidationReportSummary, 'reportId' | 'score' | 'validatedAt' | 'criticalFailed'> | null,
  policy: ValidationReportGatePolicy,
  now: Date,
): ValidationReportGateDecision {
  if (!latest) return { pass: false, reason: 'no_report', score: null, reportId: null };
  const refuse = (reason: 'report_too_old' | 'critical_rule_failed' | 'score_below_minimum') => ({
    pass: false as const,
    reason,
    score: latest.score,
    reportId: latest.reportId,
  });
  if (now.getTime() - Date.parse(latest.validatedAt) > policy.maxReportAgeHours * 3_600_000) return refuse('report_too_old');
  if (policy.blockOnCriticalFailure && latest.criticalFailed) return refuse('critical_rule_failed');
  if (latest.score < policy.minScore) return refuse('score_below_minimum');
  return { pass: true, score: latest.score, reportId: latest.reportId };
}
