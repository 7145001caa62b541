import { type Kysely, type Transaction, sql } from 'kysely';
import { type MetricAggregate, type MetricKind, type MetricLabels, isCustomMetricName } from '../../domain/metric-sample';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface MetricSampleInput {
  name: string;
  kind: MetricKind;
  labels: MetricLabels;
  value: number;
  orgId: string | null;
  source: string;
  recordedAt?: Date;
}

/** Inserts samples in one statement (a sampler's tick or one API call). */
export async function insertMetricSamples(db: Db, samples: MetricSampleInput[]): Promise<number> {
  if (samples.length === 0) return 0;
  await db
    .insertInto('metric_samples')
    .values(
      samples.map((s) => ({
        name: s.name,
        kind: s.kind,
        labels: JSON.stringify(s.labels),
        value: s.value,
        org_id: s.orgId,
        source: s.source,
        recorded_at: s.recordedAt ?? new Date(),
      })),
    )
    .execute();
  return samples.length;
}

/** The SQL aggregate of a step; p95 is the continuous percentile. */
function aggregateExpression(aggregate: MetricAggregate) {
  switch (aggregate) {
    case 'avg':
      return sql<number>`avg(value)`;
    case 'sum':
      return sql<number>`sum(value)`;
    case 'min':
      return sql<number>`min(value)`;
    case 'max':
      return sql<number>`max(value)`;
    case 'count':
      return sql<number>`count(*)::double precision`;
    case 'p95':
      return sql<number>`percentile_cont(0.95) within group (order by value)`;
  }
}

export interface MetricSeriesQuery {
  name: string;
  /** Only the caller's org's custom samples (liftos_custom_*) and the deployment's service samples are visible. */
  orgId: string;
  /** Samples whose labels contain all of these. */
  labels: MetricLabels;
  from: Date;
  to: Date;
  /** Aggregate points into steps of this many seconds (aligned on `from`); raw points when absent. */
  stepSeconds?: number;
  aggregate: MetricAggregate;
  /** At most this many points over all series (the newest kept when raw). */
  limit: number;
}

export interface MetricSeries {
  labels: MetricLabels;
  kind: MetricKind;
  points: Array<{ at: Date; value: number }>;
}

/** A metric's time series in a range, one per label set, raw or aggregated per step. */
export async function queryMetricSeries(db: Db, q: MetricSeriesQuery): Promise<{ series: MetricSeries[]; truncated: boolean }> {
  const base = db
    .selectFrom('metric_samples')
    .where('name', '=', q.name)
    .where('recorded_at', '>=', q.from)
    .where('recorded_at', '<', q.to)
    // A custom metric's samples are the caller's org's; any other name's, the service's own.
    .where((eb) => (isCustomMetricName(q.name) ? eb('org_id', '=', q.orgId) : eb('org_id', 'is', null)))
    .where(sql<boolean>`labels @> ${JSON.stringify(q.labels)}::jsonb`);
  const rows = q.stepSeconds
    ? await base
        .select([
          'labels',
          sql<MetricKind>`min(kind)`.as('kind'),
          sql<Date>`date_bin(make_interval(secs => ${q.stepSeconds}), recorded_at, ${q.from}::timestamptz)`.as('at'),
          aggregateExpression(q.aggregate).as('value'),
        ])
        .groupBy(['labels', sql`3`])
        .orderBy(sql`3`)
        .limit(q.limit + 1)
        .execute()
    : (
        await base
          .select(['labels', 'kind', 'recorded_at as at', 'value'])
          .orderBy('recorded_at', 'desc')
          .limit(q.limit + 1)
          .execute()
      ).reverse();
  const truncated = rows.length > q.limit;
  const kept = truncated ? (q.stepSeconds ? rows.slice(0, q.limit) : rows.slice(1)) : rows;
  const byLabels = new Map<string, MetricSeries>();
  for (const row of kept) {
    const key = JSON.stringify(Object.entries(row.labels).sort(([a], [b]) => a.localeCompare(b)));
    let series = byLabels.get(key);
    if (!series) byLabels.set(key, (series = { labels: row.labels, kind: row.kind, points: [] }));
    series.points.push({ at: new Date(row.at), value: Number(row.value) });
  }
  return { series: [...byLabels.values()], truncated };
}

/**
 * A metric aggregated per org and label set since `from`: what a metric alert rule observes. A custom
 * metric's samples are the orgs' (each its own group); any other name reads the service's samples only,
 * whatever an org may have stored under it before custom names had their own prefix.
 */
export async function aggregateMetricByLabels(db: Db, input: { name: string; aggregate: MetricAggregate; from: Date; to: Date }) {
  const rows = await db
    .selectFrom('metric_samples')
    .select(['org_id', 'labels', aggregateExpression(input.aggregate).as('value')])
    .where('name', '=', input.name)
    .where('org_id', isCustomMetricName(input.name) ? 'is not' : 'is', null)
    .where('recorded_at', '>=', input.from)
    .where('recorded_at', '<=', input.to)
    .groupBy(['org_id', 'labels'])
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, labels: r.labels, value: Number(r.value) }));
}

/** Each sampled process's (source's) latest service sample since `since`: a process whose sampler stopped shows an old time, or none. */
export async function latestServiceSampleTimes(db: Db, since: Date): Promise<{ source: string; lastAt: Date }[]> {
  const rows = await db
    .selectFrom('metric_samples')
    .select(['source', sql<Date>`max(recorded_at)`.as('last')])
    .where('org_id', 'is', null)
    .where('recorded_at', '>', since)
    .groupBy('source')
    .execute();
  return rows.map((r) => ({ source: r.source, lastAt: new Date(r.last) }));
}

/** Retention: deletes samples recorded before `before`. */
export async function deleteMetricSamplesBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('metric_samples').where('recorded_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
