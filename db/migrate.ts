import { type Kysely, Migrator } from 'kysely';
import { runQueuedBackfills } from './backfills';
import { migrationProvider } from './migrations';

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Large data changes the migrations queued run after them, in batches of their own transactions.
  await runQueuedBackfills(db);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
