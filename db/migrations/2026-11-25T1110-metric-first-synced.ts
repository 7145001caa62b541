import { type Kysely, sql } from 'kysely';

/**
 * When a metric row was first written, kept through later upserts (synced_at moves with each). A
 * hybrid sync falling back to mock withdraws only the rows it introduced, not the earlier syncs'
 * rows its live pages had refreshed. Existing rows take their synced_at: the best bound known.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('marketing_metrics').addColumn('first_synced_at', 'timestamptz').execute();
  await sql`update marketing_metrics set first_synced_at = synced_at`.execute(db);
  await db.schema
    .alterTable('marketing_metrics')
    .alterColumn('first_synced_at', (c) => c.setNotNull())
    .alterColumn('first_synced_at', (c) => c.setDefault(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('marketing_metrics').dropColumn('first_synced_at').execute();
}
