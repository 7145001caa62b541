import type { Kysely, Transaction } from 'kysely';
import type { DataMode } from '../../domain/connection';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** The data mode a user's new connections get when they name none. */
export const DEFAULT_DATA_MODE: DataMode = 'mock';

export async function findDefaultDataMode(db: Db, orgId: string, userId: string): Promise<DataMode | undefined> {
  const row = await db
    .selectFrom('user_data_preferences')
    .select('default_data_mode')
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.default_data_mode;
}

export async function saveDefaultDataMode(db: Db, orgId: string, userId: string, mode: DataMode): Promise<{ default_data_mode: DataMode; updated_at: Date }> {
  const now = new Date();
  return db
    .insertInto('user_data_preferences')
    .values({ org_id: orgId, user_id: userId, default_data_mode: mode, updated_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'user_id']).doUpdateSet({ default_data_mode: mode, updated_at: now }))
    .returning(['default_data_mode', 'updated_at'])
    .executeTakeFirstOrThrow();
}
