import { type Transaction, sql } from 'kysely';
import type { DataSource } from '../../domain/connection';
import type { PlatformId, StreamKind } from '../../domain/platforms';
import { DAILY_STREAMS } from '../../domain/validation-rules';
import { METRIC_FIELDS, type MetricField } from '../../domain/validation-field-rules';
import type { Database } from '../schema';
import { type RowRuleChecks, anyViolated } from './row-checks';

export type RowRuleId = keyof RowRuleChecks;
const ROW_RULES: RowRuleId[] = ['required_fields', 'metric_relationships', 'value_ranges', 'google_ads_quality_score'];

export interface MetricsProfileTotals {
  rows: number;
  streams: StreamKind[];
  /** Rows per stream, and per stream the rows carrying each field. */
  perStream: Partial<Record<StreamKind, { rows: number; present: Record<MetricField, number> }>>;
  violations: Record<RowRuleId, number>;
  earliestDate: string | null;
  latestDate: string | null;
  /** The latest day of a daily stream (DAILY_STREAMS). */
  latestDailyDate: string | null;
  daysWithData: number;
  lastSyncedAt: Date | null;
}

/**
 * The one pass over a connection's rows: groups them by stream and day into the session's temporary
 * `validation_profile` (dropped at commit), counting each row-level rule's violations on the way.
 * Every day-level rule then reads this small table instead of the rows.
 */
export async function buildMetricsProfile(
  trx: Transaction<Database>,
  input: { connectionId: string; source: DataSource; platform: PlatformId; checks: RowRuleChecks },
): Promise<MetricsProfileTotals> {
  await sql`create temporary table validation_profile on commit drop as ${profileQuery(input)}`.execute(trx);

  const perStreamRows = await sql<Record<string, unknown> & { stream: StreamKind; rows: number }>`
    select stream, sum(row_count)::int as rows,
      ${sql.join(METRIC_FIELDS.map((f) => sql`sum(${sql.ref(`present_${f}`)})::int as ${sql.ref(`present_${f}`)}`))},
      ${sql.join(ROW_RULES.map((r) => sql`sum(${sql.ref(`violations_${r}`)})::int as ${sql.ref(`violations_${r}`)}`))}
    from validation_profile group by stream order by stream`.execute(trx);
  const span = await sql<{ earliest: string | null; latest: string | null; latest_daily: string | null; days: number; last_synced_at: Date | null }>`
    select min(date)::text as earliest, max(date)::text as latest, count(distinct date)::int as days, max(last_synced_at) as last_synced_at,
      max(date) filter (where stream in (${sql.join(DAILY_STREAMS.map((s) => sql.lit(s)))}))::text as latest_daily
    from validation_profile`.execute(trx);

  const totals: MetricsProfileTotals = {
    rows: 0,
    streams: [],
    perStream: {},
    violations: { required_fields: 0, metric_relationships: 0, value_ranges: 0, google_ads_quality_score: 0 },
    earliestDate: span.rows[0]?.earliest ?? null,
    latestDate: span.rows[0]?.latest ?? null,
    latestDailyDate: span.rows[0]?.latest_daily ?? null,
    daysWithData: span.rows[0]?.days ?? 0,
    lastSyncedAt: span.rows[0]?.last_synced_at ?? null,
  };
  for (const row of perStreamRows.rows) {
    totals.rows += row.rows;
    totals.streams.push(row.stream);
    totals.perStream[row.stream] = {
      rows: row.rows,
      present: Object.fromEntries(METRIC_FIELDS.map((f) => [f, Number(row[`present_${f}`])])) as Record<MetricField, number>,
    };
    for (const r of ROW_RULES) totals.violations[r] += Number(row[`violations_${r}`]);
  }
  return totals;
}

/** The grouped pass itself (exported so its plan can be inspected). */
export function profileQuery(input: { connectionId: string; source: DataSource; checks: RowRuleChecks }) {
  return sql`select stream, date, count(*)::int as row_count,
      coalesce(sum(impressions), 0)::float8 as impressions,
      coalesce(sum(clicks), 0)::float8 as clicks,
      coalesce(sum(spend), 0)::float8 as spend,
      count(spend)::int as spend_rows,
      ${sql.join(METRIC_FIELDS.map((f) => sql`count(${sql.ref(f)})::int as ${sql.ref(`present_${f}`)}`))},
      ${sql.join(ROW_RULES.map((r) => sql`count(*) filter (where ${anyViolated(input.checks[r])})::int as ${sql.ref(`violations_${r}`)}`))},
      max(synced_at) as last_synced_at
    from marketing_metrics
    where connection_id = ${input.connectionId} and source = ${input.source}
    group by stream, date`;
}
