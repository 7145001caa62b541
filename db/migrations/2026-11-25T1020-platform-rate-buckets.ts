import { type Kysely, sql } from 'kysely';

/**
 * The fleet's shared request budget per platform quota: one row per (platform, scope, scope key, quota).
 * Every worker process reserves through these rows in one atomic statement (db/repositories/rate-buckets.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('platform_rate_buckets')
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    // '' for app-wide quotas, the platform account id for per-account ones.
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('quota', 'text', (c) => c.notNull())
    // Refilling buckets: tokens at updated_at, negative while reservations are not yet due.
    // Fixed windows: tokens left in the window that started at updated_at.
    .addColumn('tokens', 'float8', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('platform_rate_buckets_pkey', ['platform', 'scope', 'scope_key', 'quota'])
    .addCheckConstraint('platform_rate_buckets_scope_check', sql`scope in ('app', 'account')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_rate_buckets').execute();
}
