import { type Kysely, sql } from 'kysely';

// Incremental sync (a cursor per connection and stream), resyncs, per-stream accounting of each
// sync, and the failure policy (a run of failed syncs warns, then disables, and notifies).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('data_sync_logs')
    // incremental (from the cursors), backfill (a requested range) or resync (replaces a stream's rows).
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('incremental'))
    .addColumn('bytes_written', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`alter table data_sync_logs add constraint data_sync_logs_kind_check check (kind in ('incremental', 'backfill', 'resync'))`.execute(db);

  // One row per stream a sync planned: its window and what it read and wrote, updated in each page's transaction.
  await db.schema
    .createTable('data_sync_log_streams')
    .addColumn('sync_log_id', 'uuid', (c) => c.notNull().references('data_sync_logs.id').onDelete('cascade'))
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('window_start', 'date', (c) => c.notNull())
    .addColumn('window_end', 'date', (c) => c.notNull())
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_written', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('data_sync_log_streams_pkey', ['sync_log_id', 'stream'])
    .execute();

  // How far each stream of a connection is synced. Moved only in the transaction of the page that completed the stream.
  await db.schema
    .createTable('sync_stream_cursors')
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('synced_through', 'date', (c) => c.notNull())
    .addColumn('sync_log_id', 'uuid', (c) => c.references('data_sync_logs.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('sync_stream_cursors_pkey', ['connection_id', 'stream'])
    .execute();

  await db.schema
    .alterTable('user_platform_connections')
    .addColumn('consecutive_sync_failures', 'integer', (c) => c.notNull().defaultTo(0))
    // Set when a run of failures reached the warning threshold; cleared by the next successful sync.
    .addColumn('sync_warning_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'uuid', (c) => c.references('user_platform_connections.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('notifications_org_created_idx').on('notifications').columns(['org_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.alterTable('user_platform_connections').dropColumn('sync_warning_at').dropColumn('consecutive_sync_failures').execute();
  await db.schema.dropTable('sync_stream_cursors').execute();
  await db.schema.dropTable('data_sync_log_streams').execute();
  await sql`alter table data_sync_logs drop constraint data_sync_logs_kind_check`.execute(db);
  await db.schema.alterTable('data_sync_logs').dropColumn('bytes_written').dropColumn('kind').execute();
}
