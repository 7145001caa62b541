import { type Kysely, sql } from 'kysely';

/**
 * Which data mode a sync ran in and, when a hybrid sync fell back from live to mock, why and when.
 * Rows written before `fallback_at` came from the live platform, rows after it from the mock source
 * (the fallback withdraws the half-written live pages of the failing stream in the same transaction).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('data_sync_logs')
    .addColumn('data_mode', 'text')
    .addColumn('fallback_reason', 'text')
    .addColumn('fallback_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('data_sync_logs')
    .addCheckConstraint('data_sync_logs_data_mode_check', sql`data_mode is null or data_mode in ('mock', 'live', 'auto', 'hybrid')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('data_sync_logs').dropConstraint('data_sync_logs_data_mode_check').execute();
  await db.schema.alterTable('data_sync_logs').dropColumn('data_mode').dropColumn('fallback_reason').dropColumn('fallback_at').execute();
}
