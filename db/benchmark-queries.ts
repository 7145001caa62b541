import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { METRICS_COPY_COLUMNS } from './metrics-copy-format';
import type { Database } from './schema';

/** The queries `npm run bench` runs to set its data up, reset and settle it (bench/). */

export async function postgresServerVersion(db: Kysely<Database>): Promise<string> {
  const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
  return rows[0]!.v;
}

/** Each round starts from the same state: an empty, vacuumed table. */
export async function emptyMetricsTable(db: Kysely<Database>): Promise<void> {
  await sql`truncate marketing_metrics`.execute(db);
  await sql`vacuum analyze marketing_metrics`.execute(db);
}

/**
 * The baseline: one raw COPY of already-serialised rows into `table`, the fastest way rows can
 * enter Postgres. The sync's ingest rate is reported as a fraction of this.
 */
export async function copyRows(pool: pg.Pool, table: string, copyText: string): Promise<void> {
  const client = await pool.connect();
  try {
    // ~1 MiB chunks: the stream's per-chunk overhead stays out of the baseline.
    const chunks: string[] = [];
    for (let i = 0; i < copyText.length; i += 1 << 20) chunks.push(copyText.slice(i, i + (1 << 20)));
    await pipeline(Readable.from(chunks), client.query(copyFrom(`copy ${table} (${METRICS_COPY_COLUMNS.join(', ')}) from stdin`)));
  } finally {
    client.release();
  }
}

/**
 * `days` × `ads` rows of Meta-shaped daily ad performance for one connection, generated inside Postgres
 * (generate_series): per ad a stable base (hashed from its index), per day ±15 % noise and a weekend dip,
 * as the mock generator does. Then settled as the daily validation finds data synced hours before:
 * autovacuum has set the hint bits and visibility map and refreshed the statistics, and earlier
 * benchmarks' deleted rows are gone.
 */
export async function generateValidationBenchmarkRows(
  db: Kysely<Database>,
  target: { connectionId: string; orgId: string; firstDay: string; days: number; ads: number },
): Promise<void> {
  const { connectionId: id, orgId, firstDay } = target;
  await sql`
    insert into marketing_metrics (connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id,
      impressions, clicks, spend, conversions, revenue, currency, raw, source)
    select ${id}::uuid, 'ad_performance', ad_id, d.date, ${orgId}, 'meta_business', 'Ad ' || a, adset_id,
      v.impressions, v.clicks, v.spend, v.conversions, v.conversions * 60, 'USD',
      jsonb_build_object('ad_id', ad_id, 'adset_id', adset_id, 'campaign_id', campaign_id, 'date', d.date,
        'impressions', v.impressions, 'clicks', v.clicks, 'spend', v.spend), 'live'
    from generate_series(0, ${target.days - 1}) as day_index
    cross join lateral (select (${firstDay}::date + day_index) as date) d
    cross join generate_series(0, ${target.ads - 1}) as a
    cross join lateral (select 'ad' || a as ad_id, 'adset' || (a / 5) as adset_id, 'campaign' || (a / 50) as campaign_id,
      2000 + (abs(hashint4(a)) % 18000) as base, 0.005 + (abs(hashint4(a + 7)) % 250) / 10000.0 as ctr, 0.3 + (abs(hashint4(a + 13)) % 220) / 100.0 as cpc) p
    cross join lateral (select round(p.base * (case when extract(isodow from d.date) >= 6 then 0.75 else 1 end)
      * (0.85 + (abs(hashint4(a * 7919 + day_index)) % 300) / 1000.0))::bigint as impressions) i
    cross join lateral (select i.impressions, round(i.impressions * p.ctr)::bigint as clicks) c
    cross join lateral (select c.impressions, c.clicks, round(c.clicks * p.cpc, 2) as spend, round(c.clicks * 0.04) as conversions) v`.execute(db);
  await sql`vacuum (analyze) marketing_metrics`.execute(db);
  await sql`checkpoint`.execute(db);
}

/** A few defects in generated rows: clicks above impressions on five rows of `implausibleDay`; `thinnedDay` loses all its rows but ad0's. */
export async function plantValidationDefects(db: Kysely<Database>, connectionId: string, days: { implausibleDay: string; thinnedDay: string }): Promise<void> {
  await sql`update marketing_metrics set clicks = impressions + 1
    where connection_id = ${connectionId} and date = ${days.implausibleDay} and entity_id in ('ad1', 'ad2', 'ad3', 'ad4', 'ad5')`.execute(db);
  await sql`delete from marketing_metrics where connection_id = ${connectionId} and date = ${days.thinnedDay} and entity_id <> 'ad0'`.execute(db);
}
