import type { Kysely } from 'kysely';

/**
 * A deployment operator's actions (key rotation, deployment-wide alerts) belong to no org: their
 * audit rows have no org_id. Dropping NOT NULL changes only the catalogue (no row is rewritten),
 * so it needs no batching however large audit_log is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .alterColumn('org_id', (c) => c.dropNotNull())
    .execute();
}

/** Down refuses while operator rows exist (NOT NULL fails on them): delete or assign them first. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .alterColumn('org_id', (c) => c.setNotNull())
    .execute();
}
