import { type Kysely, sql } from 'kysely';

/**
 * Records a sync stored cleaned (NUL stripped, unpaired surrogates replaced) or quarantined (left
 * out: a value no column can hold), counted on the sync log and sampled, a few per sync, in
 * data_sync_log_quarantine. The counters take a constant default: Postgres adds them without
 * rewriting or updating data_sync_logs, so no batching is needed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('data_sync_logs')
    .addColumn('records_quarantined', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_cleaned', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('data_sync_log_quarantine')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('sync_log_id', 'uuid', (c) => c.notNull().references('data_sync_logs.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    // As the platform sent them (cleaned of NUL): a quarantined record's date may be no date at all.
    .addColumn('entity_id', 'text')
    .addColumn('record_date', 'text')
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`alter table data_sync_log_quarantine add constraint data_sync_log_quarantine_action_check check (action in ('cleaned', 'quarantined'))`.execute(db);
  await db.schema.createIndex('data_sync_log_quarantine_sync_log_idx').on('data_sync_log_quarantine').columns(['sync_log_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('data_sync_log_quarantine').execute();
  await db.schema.alterTable('data_sync_logs').dropColumn('records_quarantined').dropColumn('records_cleaned').execute();
}
