import type { Kysely } from 'kysely';
import type { Database } from '../schema';

/** Deletes OAuth states past their expiry (used or not): they can never complete a flow. */
export async function deleteExpiredOAuthStates(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom('platform_oauth_states').where('expires_at', '<', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
