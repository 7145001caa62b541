import type { Kysely } from 'kysely';
import { DEFAULT_VALIDATION_REPORT_GATE_POLICY, type ValidationReportGate, decideValidationReportGate } from '../domain/validation-report-gate';
import { servingSource } from './repositories/serving-source';
import { latestReport, reportSummary } from './repositories/validation-reports';
import type { Database } from './schema';

/** The validation report gate over stored reports: the latest report on the rows that serve the connection (live, or mock when mock serves it). */
export function createValidationReportGate(deps: { db: Kysely<Database>; now?: () => Date }): ValidationReportGate {
  const now = deps.now ?? (() => new Date());
  return async ({ connectionId, policy }) => {
    const connection = await deps.db.selectFrom('user_platform_connections').select(['id', 'data_mode']).where('id', '=', connectionId).executeTakeFirst();
    const row = connection && (await latestReport(deps.db, connectionId, await servingSource(deps.db, connection)));
    return decideValidationReportGate(row ? reportSummary(row) : null, { ...DEFAULT_VALIDATION_REPORT_GATE_POLICY, ...policy }, now());
  };
}
