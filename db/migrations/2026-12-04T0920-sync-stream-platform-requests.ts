import type { Kysely } from 'kysely';

/**
 * Each stream of a sync counts the live platform requests it made (failed ones included) and their
 * time, so a rollout's analysis sums the requests of the connections it exposes and of no other org.
 * Added with constant defaults: no rewrite of existing rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('data_sync_log_streams')
    .addColumn('platform_requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('platform_request_errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('platform_request_seconds', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('data_sync_log_streams')
    .dropColumn('platform_requests')
    .dropColumn('platform_request_errors')
    .dropColumn('platform_request_seconds')
    .execute();
}
