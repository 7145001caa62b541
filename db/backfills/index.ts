import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { labelMetricSources } from './metric-source-labels';

/**
 * Data changes too large for a migration's single transaction: a migration queues one by name in
 * `schema_backfills`, and migrateToLatest runs the queued ones after the migrations, each working in
 * batches of its own transactions. Each is idempotent: one cut short runs again at the next migrate.
 */
const BACKFILLS: Record<string, (db: Kysely<any>) => Promise<void>> = {
  'metric-source-labels': labelMetricSources,
};

/** Runs every queued backfill to completion; answers the names it ran. */
export async function runQueuedBackfills(db: Kysely<any>): Promise<string[]> {
  const exists = await sql<{ t: string | null }>`select to_regclass('schema_backfills')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  const queued = await sql<{ name: string }>`select name from schema_backfills where completed_at is null order by queued_at, name`.execute(db);
  for (const { name } of queued.rows) {
    const run = BACKFILLS[name];
    if (!run) throw new Error(`Backfill ${name} is queued but unknown to this version`);
    await run(db);
    await sql`update schema_backfills set completed_at = now() where name = ${name}`.execute(db);
  }
  return queued.rows.map((r) => r.name);
}
