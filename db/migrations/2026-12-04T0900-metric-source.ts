import { type Kysely, sql } from 'kysely';

/**
 * Every metric row records the source that wrote it (`live` or `mock`).
 *
 * - The column is added with the default `live`: a metadata-only change in Postgres (no rewrite of
 *   the table). The default is dropped at once: every write path must say which source it writes.
 *   Rows written by mock are relabelled afterwards, outside this migration's transaction, by the
 *   `metric-source-labels` backfill (db/backfills/): bounded batches, each its own transaction, never
 *   one statement or transaction over the table (unlike 2026-11-25T1110). The migration queues it.
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

  await sql`create table if not exists schema_backfills (name text primary key, queued_at timestamptz not null default now(), completed_at timestamptz)`.execute(
    db,
  );
  await sql`insert into schema_backfills (name) values ('metric-source-labels') on conflict (name) do update set completed_at = null`.execute(db);

  await sql`alter table marketing_metrics alter column source drop default`.execute(db);
  await sql`alter table marketing_metrics drop constraint marketing_metrics_pkey`.execute(db);
  await sql`alter table marketing_metrics add constraint marketing_metrics_pkey primary key (connection_id, stream, entity_id, date, source)`.execute(db);
  await sql`create index marketing_metrics_mock_idx on marketing_metrics (connection_id, stream) where source = 'mock'`.execute(db);

  await sql`create table marketing_metrics_mock_archive (like marketing_metrics including defaults including constraints)`.execute(db);
  await sql`alter table marketing_metrics_mock_archive
    add column archived_at timestamptz not null default now(),
    add column archived_by_sync_log_id uuid,
    add constraint marketing_metrics_mock_archive_connection_fk foreign key (connection_id) references user_platform_connections (id) on delete cascade`.execute(
    db,
  );
  await sql`create index marketing_metrics_mock_archive_connection_idx on marketing_metrics_mock_archive (connection_id, stream, archived_at)`.execute(db);

  await sql`create view live_marketing_metrics as
    select connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id, impressions, clicks, spend, conversions, revenue, currency, raw, synced_at, first_synced_at
    from marketing_metrics where source = 'live'`.execute(db);

  await sql`alter table data_validation_reports add column source text check (source in ('live', 'mock'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from schema_backfills where name = 'metric-source-labels'`.execute(db);
  await sql`alter table data_validation_reports drop column source`.execute(db);
  await sql`drop view live_marketing_metrics`.execute(db);
  await sql`drop table marketing_metrics_mock_archive`.execute(db);
  // Back to one row per key: where a live and a mock row share one, the live row stays. (Fresh
  // statistics first: without them the planner may pair every mock row with every row.)
  await sql`analyze marketing_metrics`.execute(db);
  await sql`delete from marketing_metrics m where source = 'mock' and exists (
    select 1 from marketing_metrics l where l.connection_id = m.connection_id and l.stream = m.stream and l.entity_id = m.entity_id and l.date = m.date and l.source = 'live')`.execute(
    db,
  );
  await sql`drop index marketing_metrics_mock_idx`.execute(db);
  await sql`alter table marketing_metrics drop constraint marketing_metrics_pkey`.execute(db);
  await sql`alter table marketing_metrics add constraint marketing_metrics_pkey primary key (connection_id, stream, entity_id, date)`.execute(db);
  await sql`alter table marketing_metrics drop column source`.execute(db);
}
