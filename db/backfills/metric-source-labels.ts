import { type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';

/** Rows relabelled per statement: each UPDATE is bounded to one key range of this size. */
const BATCH_ROWS = 5_000;

/**
 * Labels the metric rows written before `marketing_metrics.source` existed (queued by migration
 * 2026-12-04T0900-metric-source). A row's source is that of the sync that last wrote it: the
 * connection's latest log that started at or before the row's synced_at (one sync of a connection
 * runs at a time); mock when that log is a mock sync, or a hybrid sync that had fallen back
 * (fallback_at) by then; live otherwise (the column's value as added). Only connections that have
 * mock logs are visited. Idempotent, so a backfill cut short simply runs again.
 */
export async function labelMetricSources(db: Kysely<any>): Promise<void> {
  const connections = await sql<{
    connection_id: string;
  }>`select distinct connection_id from data_sync_logs where source = 'mock' order by connection_id`.execute(db);
  for (const { connection_id: connectionId } of connections.rows) await labelMockRows(db, connectionId);
}

/** Relabels one connection's mock-written rows, a bounded primary-key range per UPDATE, each in its own transaction. */
async function labelMockRows(db: Kysely<any>, connectionId: string): Promise<void> {
  type Key = { stream: string; entity_id: string; date: string };
  let after: Key | null = null;
  for (;;) {
    const from: RawBuilder<unknown> = after ? sql`and (stream, entity_id, date) > (${after.stream}, ${after.entity_id}, ${after.date}::date)` : sql``;
    // The last key of this range: BATCH_ROWS keys on, or none when the rest of the connection fits.
    const bound: QueryResult<Key> = await sql<Key>`
      select stream, entity_id, date::text as date from marketing_metrics
      where connection_id = ${connectionId} ${from}
      order by stream, entity_id, date offset ${BATCH_ROWS - 1} limit 1`.execute(db);
    const last: Key | null = bound.rows[0] ?? null;
    const to = last ? sql`and (stream, entity_id, date) <= (${last.stream}, ${last.entity_id}, ${last.date}::date)` : sql``;
    await db.transaction().execute((trx) =>
      sql`
      update marketing_metrics m set source = 'mock'
      where connection_id = ${connectionId} ${from} ${to}
        and (
          select l.source = 'mock' and (l.fallback_at is null or m.synced_at >= l.fallback_at)
          from data_sync_logs l
          where l.connection_id = m.connection_id and l.started_at <= m.synced_at
          order by l.started_at desc limit 1
        )`.execute(trx),
    );
    if (!last) return;
    after = last;
  }
}
