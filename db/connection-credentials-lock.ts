import { sql, type Transaction } from 'kysely';
import type { Database } from './schema';

/**
 * Serialises every writer of one connection's OAuth credentials (the refresh workflow, a sync's
 * refresh after a 401, a re-authorisation) until the transaction ends. A platform that rotates
 * refresh tokens invalidates the one it was given, and some (oidc-provider, Salesforce with rotation)
 * revoke the whole grant when a used one comes back: two refreshes must never race on the same token.
 */
export async function lockConnectionCredentials(trx: Transaction<Database>, connectionId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${connectionId}))`.execute(trx);
}
