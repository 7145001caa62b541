import type { Kysely } from 'kysely';
import { DEFAULT_QUALITY_GATE_POLICY, type QualityGate, decideQualityGate } from '../domain/report-quality-gate';
import { latestReport, reportSummary } from './repositories/validation-reports';
import type { Database } from './schema';

/** The quality gate over stored reports: one indexed read of the connection's latest report. */
export function createQualityGate(deps: { db: Kysely<Database>; now?: () => Date }): QualityGate {
  const now = deps.now ?? (() => new Date());
  return async ({ connectionId, policy }) => {
    const row = await latestReport(deps.db, connectionId);
    return decideQualityGate(row ? reportSummary(row) : null, { ...DEFAULT_QUALITY_GATE_POLICY, ...policy }, now());
  };
}
