import type { Kysely } from 'kysely';
import { DEFAULT_QUALITY_GATE_POLICY, type QualityGate, decideQualityGate } from '../domain/report-quality-gate';
import { servingSource } from './repositories/serving-source';
import { latestReport, reportSummary } from './repositories/validation-reports';
import type { Database } from './schema';

/** The quality gate over stored reports: the latest report on the rows that serve the connection (live, or mock when mock serves it). */
export function createQualityGate(deps: { db: Kysely<Database>; now?: () => Date }): QualityGate {
  const now = deps.now ?? (() => new Date());
  return async ({ connectionId, policy }) => {
    const connection = await deps.db.selectFrom('user_platform_connections').select(['id', 'data_mode']).where('id', '=', connectionId).executeTakeFirst();
    const row = connection && (await latestReport(deps.db, connectionId, await servingSource(deps.db, connection)));
    return decideQualityGate(row ? reportSummary(row) : null, { ...DEFAULT_QUALITY_GATE_POLICY, ...policy }, now());
  };
}
