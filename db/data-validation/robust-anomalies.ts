import { type RawBuilder, type Transaction, sql } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import { ANOMALY_DETECTION } from '../../domain/validation-rules';
import type { Database } from '../schema';

export interface Anomaly {
  stream: StreamKind;
  metric: string;
  date: string;
  value: number;
  median: number;
  mad: number;
}

/**
 * Days of a daily series that fall outside their trailing robust band (see ANOMALY_DETECTION):
 * each day is compared with the median and the median absolute deviation of the `windowDays`
 * days before it. The series is small (one value per stream, metric and day), so the window is a
 * lateral subquery over it. `series` must yield (stream, metric, date, v).
 */
export async function robustAnomalies(
  trx: Transaction<Database>,
  series: RawBuilder<unknown>,
  options: { counts: boolean },
): Promise<{ anomalies: Anomaly[]; judged: number }> {
  const a = ANOMALY_DETECTION;
  const trailing = sql`p.stream = s.stream and p.metric = s.metric and p.date >= s.date - ${sql.lit(a.windowDays)} and p.date < s.date`;
  const poissonFloor = options.counts ? sql`${sql.lit(a.poissonSigmas)} * sqrt(greatest(med, 0))` : sql`0`;
  const result = await sql<{ stream: StreamKind; metric: string; date: string; v: number; med: number; mad: number; anomalous: boolean }>`
    with series as materialized (${series}),
    judged as (
      select s.stream, s.metric, s.date, s.v, w.med,
        (select percentile_cont(0.5) within group (order by abs(p.v - w.med)) from series p where ${trailing}) as mad
      from series s
      cross join lateral (select count(*) as n, percentile_cont(0.5) within group (order by p.v) as med from series p where ${trailing}) w
      where w.n >= ${sql.lit(a.minHistoryDays)}
    )
    select stream, metric, date::text as date, v, med, mad,
      abs(v - med) > greatest(${sql.lit(a.madMultiplier)} * ${sql.lit(a.madScale)} * mad, ${sql.lit(a.minRelativeDeviation)} * abs(med), ${poissonFloor}) as anomalous
    from judged
    order by date, stream, metric`.execute(trx);
  return {
    anomalies: result.rows.filter((r) => r.anomalous).map((r) => ({ stream: r.stream, metric: r.metric, date: r.date, value: r.v, median: r.med, mad: r.mad })),
    judged: new Set(result.rows.map((r) => `${r.stream}|${r.date}`)).size,
  };
}
