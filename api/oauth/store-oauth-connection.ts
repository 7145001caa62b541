import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type OAuthTokens, oauthCredentials, withoutTokens } from '../../connectors/oauth/oauth-credentials';
import { lockConnectionCredentials } from '../../db/connection-credentials-lock';
import {
  connectionCredentials,
  credentialColumns,
  findConnectionById,
  findConnectionIdByAccount,
  insertConnection,
  updateConnection,
} from '../../db/repositories/connections';
import type { Connection, Database } from '../../db/schema';
import type { DataMode } from '../../domain/connection';
import { PLATFORMS, type PlatformId } from '../../domain/platforms';
import type { CredentialVault } from '../../security/credential-vault';

export interface AuthorizedConnection {
  orgId: string;
  userId: string;
  platform: PlatformId;
  accountId: string;
  /** Given at initiate; an existing connection keeps its own otherwise. */
  displayName?: string;
  dataMode?: DataMode;
  tokens: OAuthTokens;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

/**
 * Stores the tokens of a completed authorization as the connection's sealed credentials: creates the
 * connection, or updates the org's connection for that platform and account (a re-authorisation,
 * which also makes it active again). Written under the connection's credentials lock, so a refresh
 * in flight finishes before the new grant replaces its tokens.
 */
export async function storeOAuthConnection(
  db: Kysely<Database>,
  vault: CredentialVault,
  request: AuthorizedConnection,
): Promise<{ connection: Connection; created: boolean }> {
  try {
    return await upsert(db, vault, request);
  } catch (err) {
    // Two callbacks created the same connection at once: the second becomes an update of the first.
    if (isUniqueViolation(err)) return upsert(db, vault, request);
    throw err;
  }
}

function upsert(db: Kysely<Database>, vault: CredentialVault, request: AuthorizedConnection): Promise<{ connection: Connection; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    const found = await findConnectionIdByAccount(trx, request);
    const id = found ?? randomUUID();
    await lockConnectionCredentials(trx, id);
    const existing = found ? await findConnectionById(trx, id) : undefined;
    if (existing) {
      const sealed = vault.seal(id, oauthCredentials(request.tokens, keptCredentials(vault, existing)));
      const connection = await updateConnection(trx, request.orgId, id, {
        ...credentialColumns(sealed),
        status: 'active',
        ...(request.displayName ? { display_name: request.displayName } : {}),
        ...(request.dataMode ? { data_mode: request.dataMode } : {}),
      });
      if (!connection) throw new Error(`connection ${id} was deleted while it was re-authorised`);
      return { connection, created: false };
    }
    const connection = await insertConnection(trx, {
      id,
      org_id: request.orgId,
      user_id: request.userId,
      platform: request.platform,
      account_id: request.accountId,
      display_name: request.displayName ?? `${PLATFORMS[request.platform].name} (${request.accountId})`,
      status: 'active',
      data_mode: request.dataMode ?? 'live',
      sync_frequency: 'manual',
      ...credentialColumns(vault.seal(id, oauthCredentials(request.tokens))),
      last_sync_at: null,
      last_sync_status: null,
    });
    return { connection, created: true };
  });
}

/** What a re-authorisation keeps of the old credentials: the user's own fields, never the old grant's tokens. */
function keptCredentials(vault: CredentialVault, existing: Connection): Record<string, string> {
  try {
    return withoutTokens(vault.open(existing.id, connectionCredentials(existing)));
  } catch {
    // Unreadable (a master key already retired): the new grant replaces them entirely.
    return {};
  }
}
