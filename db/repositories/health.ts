import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema';

/** The cheapest round trip that proves Postgres answers queries on this pool. */
export async function pingPostgres(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
