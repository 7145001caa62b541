import type { Kysely, Transaction } from 'kysely';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { METRICS_COPY_COLUMNS, type MetricsBatch } from '../metrics-copy-format';
import type { StreamKind } from '../../domain/platforms';
import type { Database, MetricRow } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

const COLUMNS = METRICS_COPY_COLUMNS.join(', ');
const UPDATED = METRICS_COPY_COLUMNS.filter((c) => !['connection_id', 'stream', 'entity_id', 'date', 'org_id', 'platform'].includes(c))
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/**
 * Writes one page of records, keyed by (connection, stream, entity, date) so a re-sync updates
 * rows in place and never duplicates them. Runs inside the caller's transaction.
 *
 * Fast path: COPY straight into marketing_metrics under a savepoint, which is what new data (a
 * first sync, a backfill) takes. If any row of the page already exists, COPY stops at it with a
 * unique violation; we roll back to the savepoint and take the upsert path: COPY into a temporary
 * staging table, then INSERT … ON CONFLICT DO UPDATE from it. Returns rows inserted or updated.
 */
export async function upsertMetrics(client: pg.PoolClient, batch: MetricsBatch): Promise<number> {
  if (batch.count === 0) return 0;
  await client.query('savepoint metrics_page');
  try {
    await copyInto(client, 'marketing_metrics', batch.copyText);
    await client.query('release savepoint metrics_page');
    return batch.count;
  } catch (err) {
    if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
    await client.query('rollback to savepoint metrics_page');
  }
  await client.query('create temporary table if not exists marketing_metrics_stage (like marketing_metrics including defaults) on commit delete rows');
  await copyInto(client, 'marketing_metrics_stage', batch.copyText);
  const result = await client.query(
    `insert into marketing_metrics as m (${COLUMNS}, synced_at)
     select ${COLUMNS}, now() from marketing_metrics_stage
     on conflict (connection_id, stream, entity_id, date) do update set ${UPDATED}, synced_at = excluded.synced_at`,
  );
  await client.query('truncate marketing_metrics_stage');
  return result.rowCount ?? 0;
}

const UNIQUE_VIOLATION = '23505';

async function copyInto(client: pg.PoolClient, table: string, copyText: string): Promise<void> {
  await pipeline(Readable.from([copyText]), client.query(copyFrom(`copy ${table} (${COLUMNS}) from stdin`)));
}

export async function countMetrics(db: Db, connectionId: string): Promise<number> {
  const row = await db.selectFrom('marketing_metrics').select((eb) => eb.fn.countAll<string>().as('n')).where('connection_id', '=', connectionId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listMetrics(db: Db, connectionId: string, page: { limit: number; offset: number }): Promise<MetricRow[]> {
  return db
    .selectFrom('marketing_metrics')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('date', 'desc')
    .orderBy('stream')
    .orderBy('entity_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** The earliest day stored per stream of a connection (a resync re-reads from there). */
export async function earliestMetricDates(db: Db, connectionId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('marketing_metrics')
    .select(['stream', (eb) => eb.fn.min<string>('date').as('earliest')])
    .where('connection_id', '=', connectionId)
    .groupBy('stream')
    .execute();
  return new Map(rows.map((r) => [r.stream, r.earliest]));
}

/**
 * Deletes the rows of the given streams that were not written since `since` (the start of a resync
 * that re-read them whole): rows the platform no longer reports. Called when the resync completes,
 * in its closing transaction, so a resync that fails part-way removes nothing.
 */
export async function removeMetricsNotWrittenSince(db: Db, connectionId: string, streams: readonly string[], since: Date): Promise<number> {
  if (streams.length === 0) return 0;
  const result = await db
    .deleteFrom('marketing_metrics')
    .where('connection_id', '=', connectionId)
    .where('stream', 'in', streams as StreamKind[])
    .where('synced_at', '<', since)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
