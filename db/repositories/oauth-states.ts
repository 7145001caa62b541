import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { SealedSecret } from '../../domain/sealed-secret';
import type { Database, PlatformOauthStatesTable } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export type OAuthState = Selectable<PlatformOauthStatesTable>;
export type NewOAuthState = Insertable<PlatformOauthStatesTable>;

/** The sealed secret of a state row (the PKCE verifier and the pending connection's settings). */
export function oauthStateSecret(row: Pick<OAuthState, 'code_verifier_ciphertext' | 'code_verifier_wrapped_key' | 'code_verifier_key_version'>): SealedSecret {
  return { keyVersion: row.code_verifier_key_version, wrappedKey: row.code_verifier_wrapped_key, ciphertext: row.code_verifier_ciphertext };
}

/** The columns that store a state's sealed secret. */
export function oauthStateSecretColumns(sealed: SealedSecret) {
  return {
    code_verifier_ciphertext: Buffer.from(sealed.ciphertext),
    code_verifier_wrapped_key: Buffer.from(sealed.wrappedKey),
    code_verifier_key_version: sealed.keyVersion,
  };
}

export async function insertOAuthState(db: Db, state: NewOAuthState): Promise<void> {
  await db.insertInto('platform_oauth_states').values(state).execute();
}

/** Why a state cannot complete a flow. */
export type OAuthStateRejection = 'unknown' | 'used' | 'expired';

/**
 * Marks a state consumed, once: a single UPDATE … WHERE consumed_at IS NULL RETURNING, so of two
 * concurrent callbacks with the same state exactly one gets the row. Only the org and user that
 * initiated the flow may consume it; for anyone else the state reads as unknown (and stays usable
 * by its owner).
 */
export async function consumeOAuthState(
  db: Db,
  owner: { state: string; orgId: string; userId: string },
  now: Date,
): Promise<{ ok: true; state: OAuthState } | { ok: false; reason: OAuthStateRejection }> {
  const consumed = await db
    .updateTable('platform_oauth_states')
    .set({ consumed_at: now })
    .where('state', '=', owner.state)
    .where('org_id', '=', owner.orgId)
    .where('user_id', '=', owner.userId)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  if (consumed) return { ok: true, state: consumed };
  const existing = await db
    .selectFrom('platform_oauth_states')
    .select(['consumed_at', 'expires_at'])
    .where('state', '=', owner.state)
    .where('org_id', '=', owner.orgId)
    .where('user_id', '=', owner.userId)
    .executeTakeFirst();
  if (!existing) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: existing.consumed_at ? 'used' : 'expired' };
}
