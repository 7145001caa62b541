import { type Kysely, type QueryResult, type RawBuilder, sql } from 'kysely';

/** Rows the backfill relabels per statement: each UPDATE is bounded to one key range of this size. */
const BATCH_ROWS = 5_000;

/**
 * Every metric row records the source that wrote it (`live` or `mock`).
 *
 * - The column is added with the default `live`: a metadata-only change in Postgres (no rewrite of
 *   the table). Then only the rows that were written by mock are updated, connection by connection,
 *   in bounded UPDATEs over primary-key ranges (never one statement over the table, unlike
 *   2026-11-25T1110). A row's source is that of the sync that last wrote it: the connection's latest
 *   log that started at or before the row's synced_at (one sync of a connection runs at a time); mock
 *   when that log is a mock sync, or a hybrid sync that had fallen back (fallback_at) by then.
 *   The default is dropped afterwards: every write path must say which source it writes.
 * - The natural key gains the source: a live and a mock row of the same connection, stream, entity
 *   and day are two rows, so a mock write (a hybrid fallback, `auto` choosing mock) never overwrites
 *   a live row.
 * - Mock rows leave the analytical table when live takes over a stream; they move to
 *   marketing_metrics_mock_archive (the partial index finds a stream's mock rows without reading its live ones).
 * - live_marketing_metrics: the live rows, for analysts who use SQL.
 * - data_validation_reports.source: which rows a report judged (null: before sources were told apart).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table marketing_metrics add column source text not null default 'live'`.execute(db);
  await sql`alter table marketing_metrics add constraint marketing_metrics_source_check check (source in ('live', 'mock'))`.execute(db);

  const connections = await sql<{ connection_id: string }>`select distinct connection_id from data_sync_logs where source = 'mock' order by connection_id`.execute(db);
  for (const { connection_id: connectionId } of connections.rows) await labelMockRows(db, connectionId);

  await sql`alter table marketing_metrics alter column source drop default`.execute(db);
  await sql`alter table marketing_metrics drop constraint marketing_metrics_pkey`.execute(db);
  await sql`alter table marketing_metrics add constraint marketing_metrics_pkey primary key (connection_id, stream, entity_id, date, source)`.execute(db);
  await sql`create index marketing_metrics_mock_idx on marketing_metrics (connection_id, stream) where source = 'mock'`.execute(db);

  await sql`create table marketing_metrics_mock_archive (like marketing_metrics including defaults including constraints)`.execute(db);
  await sql`alter table marketing_metrics_mock_archive
    add column archived_at timestamptz not null default now(),
    add column archived_by_sync_log_id uuid,
    add constraint marketing_metrics_mock_archive_connection_fk foreign key (connection_id) references user_platform_connections (id) on delete cascade`.execute(db);
  await sql`create index marketing_metrics_mock_archive_connection_idx on marketing_metrics_mock_archive (connection_id, stream, archived_at)`.execute(db);

  await sql`create view live_marketing_metrics as
    select connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id, impressions, clicks, spend, conversions, revenue, currency, raw, synced_at, first_synced_at
    from marketing_metrics where source = 'live'`.execute(db);

  await sql`alter table data_validation_reports add column source text check (source in ('live', 'mock'))`.execute(db);
}

/** Relabels one connection's mock-written rows, a bounded primary-key range per UPDATE. */
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
    await sql`
      update marketing_metrics m set source = 'mock'
      where connection_id = ${connectionId} ${from} ${to}
        and (
          select l.source = 'mock' and (l.fallback_at is null or m.synced_at >= l.fallback_at)
          from data_sync_logs l
          where l.connection_id = m.connection_id and l.started_at <= m.synced_at
          order by l.started_at desc limit 1
        )`.execute(db);
    if (!last) return;
    after = last;
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table data_validation_reports drop column source`.execute(db);
  await sql`drop view live_marketing_metrics`.execute(db);
  await sql`drop table marketing_metrics_mock_archive`.execute(db);
  // Back to one row per key: where a live and a mock row share one, the live row stays. (Fresh
  // statistics first: without them the planner may pair every mock row with every row.)
  await sql`analyze marketing_metrics`.execute(db);
  await sql`delete from marketing_metrics m where source = 'mock' and exists (
    select 1 from marketing_metrics l where l.connection_id = m.connection_id and l.stream = m.stream and l.entity_id = m.entity_id and l.date = m.date and l.source = 'live')`.execute(db);
  await sql`drop index marketing_metrics_mock_idx`.execute(db);
  await sql`alter table marketing_metrics drop constraint marketing_metrics_pkey`.execute(db);
  await sql`alter table marketing_metrics add constraint marketing_metrics_pkey primary key (connection_id, stream, entity_id, date)`.execute(db);
  await sql`alter table marketing_metrics drop column source`.execute(db);
}
