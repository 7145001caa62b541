import { type Kysely, sql } from 'kysely';

/**
 * How long synced data is kept. An org's default (`default_days` null: forever; no row: forever) and a
 * connection's override (a row with null: forever whatever the org says; no row: the org's default).
 * The data-retention workflow reads both and deletes older marketing_metrics rows in batches.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_retention_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('default_days', 'integer', (c) => c.check(sql`default_days between 1 and 3650`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('connection_retention_overrides')
    .addColumn('connection_id', 'uuid', (c) => c.primaryKey().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.check(sql`retention_days between 1 and 3650`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connection_retention_overrides_org_idx').on('connection_retention_overrides').column('org_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connection_retention_overrides').execute();
  await db.schema.dropTable('org_retention_policies').execute();
}
