import { type Kysely, sql } from 'kysely';

/**
 * The validation runs the API started and may still be running, per org: what the per-org limit
 * counts. Written under the org's advisory lock when a run starts; a row whose run Temporal reports
 * closed is deleted at the org's next start, so the table holds at most the limit per org.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('validation_runs')
    .addColumn('run_id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('validation_runs_org_idx').on('validation_runs').column('org_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('validation_runs').execute();
}
