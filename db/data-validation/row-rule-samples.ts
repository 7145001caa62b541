import { type Transaction, sql } from 'kysely';
import type { DataSource } from '../../domain/connection';
import type { StreamKind } from '../../domain/platforms';
import { MAX_RULE_SAMPLES, type RuleSample } from '../../domain/validation-rules';
import type { Database } from '../schema';
import type { RowRuleId } from './metrics-profile';
import { type RowCheck, anyViolated, firstViolation } from './row-checks';

/**
 * The first MAX_RULE_SAMPLES offending rows of a row-level rule, by day. Only asked for when the
 * profile counted violations, and it reads only the days the profile found them on (at most
 * MAX_RULE_SAMPLES days, through the (connection_id, date) index), never the whole connection again.
 */
export async function rowRuleSamples(
  trx: Transaction<Database>,
  connectionId: string,
  source: DataSource,
  rule: RowRuleId,
  checks: readonly RowCheck[],
): Promise<RuleSample[]> {
  const result = await sql<{ stream: StreamKind; entity_id: string; date: string; detail: string }>`
    select stream, entity_id, date::text as date, ${firstViolation(checks)} as detail
    from marketing_metrics
    where connection_id = ${connectionId} and source = ${source}
      and date in (select distinct date from validation_profile where ${sql.ref(`violations_${rule}`)} > 0 order by date limit ${sql.lit(MAX_RULE_SAMPLES)})
      and ${anyViolated(checks)}
    order by date, stream, entity_id
    limit ${sql.lit(MAX_RULE_SAMPLES)}`.execute(trx);
  return result.rows.map((r) => ({ stream: r.stream, entityId: r.entity_id, date: r.date, detail: r.detail }));
}
