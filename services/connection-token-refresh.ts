import type { Kysely } from 'kysely';
import type { Credentials } from '../connectors/connector';
import { ConnectorError } from '../connectors/connector-error';
import { credentialsExpiry, type OAuthTokens, oauthCredentials } from '../connectors/oauth/oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from '../connectors/oauth/oauth-errors';
import type { PlatformOAuthClient } from '../connectors/oauth/platform-oauth-client';
import { lockConnectionCredentials } from '../db/connection-credentials-lock';
import { appendAudit } from '../db/repositories/audit-log';
import { connectionCredentials, findConnectionById, setConnectionStatus, swapConnectionCredentials } from '../db/repositories/connections';
import type { Connection, Database, NewAuditEntry } from '../db/schema';
import type { ConnectionSyncSchedules } from '../domain/connection-sync-schedules';
import { tokenRefreshDue } from '../domain/token-refresh-plan';
import type { CredentialVault } from '../security/credential-vault';

export interface TokenRefreshDeps {
  db: Kysely<Database>;
  vault: CredentialVault;
  oauth: PlatformOAuthClient;
  /** Pauses a connection's recurring syncs once it needs re-authorisation. */
  schedules?: Pick<ConnectionSyncSchedules, 'reconcile'>;
  now?: () => Date;
}

/** Who asked for a refresh, for the audit trail. */
export type TokenRefreshTrigger = 'schedule' | 'request' | 'sync';

export type TokenRefreshOutcome =
  /** New tokens are stored; `rotated` when the platform also replaced the refresh token. */
  | { status: 'refreshed'; credentials: Credentials; expiresAt: Date | null; rotated: boolean }
  /** Nothing to do: another refresh already replaced the token, or it is not due yet. These are the stored credentials. */
  | { status: 'current'; credentials: Credentials; expiresAt: Date | null }
  /** The platform refused the refresh token (invalid_grant): the connection is marked reauth_required. */
  | { status: 'reauth_required' }
  | { status: 'not_refreshable'; reason: 'no_refresh_token' | 'oauth_not_configured' }
  | { status: 'connection_gone' };

/**
 * The one way credentials are refreshed. Under the connection's advisory lock (every refresher and
 * re-authorisation takes it) it reads the credentials, asks `isDue` whether they still need renewing
 * (a concurrent refresh may have just done it), calls the token endpoint with the refresh token it
 * read, and writes the answer with a compare-and-swap on the sealed credentials it read (which hold
 * that refresh token), so a writer that does not take the lock (an API update) is never overwritten.
 * The platform's new refresh token replaces the old one when it rotates them; the old one is kept
 * otherwise. On invalid_grant the connection is marked reauth_required. Audited: `token.refresh`.
 */
async function refreshUnderLock(
  deps: TokenRefreshDeps,
  connectionId: string,
  options: { trigger: TokenRefreshTrigger; isDue: (credentials: Credentials, now: Date) => boolean },
): Promise<TokenRefreshOutcome> {
  const now = deps.now ?? (() => new Date());
  return deps.db.transaction().execute(async (trx) => {
    await lockConnectionCredentials(trx, connectionId);
    const connection = await findConnectionById(trx, connectionId);
    if (!connection) return { status: 'connection_gone' };
    // Its refresh token was refused already: only the user can fix that.
    if (connection.status === 'reauth_required') return { status: 'reauth_required' };
    if (deps.oauth.availability(connection.platform).status !== 'ready') return { status: 'not_refreshable', reason: 'oauth_not_configured' };

    const credentials = deps.vault.open(connection.id, connectionCredentials(connection));
    if (!options.isDue(credentials, now())) return { status: 'current', credentials, expiresAt: credentialsExpiry(credentials) };
    const refreshToken = credentials.refresh_token;
    if (!refreshToken) return { status: 'not_refreshable', reason: 'no_refresh_token' };

    let tokens: OAuthTokens;
    try {
      tokens = await deps.oauth.refresh(connection.platform, { accountId: connection.account_id, refreshToken });
    } catch (err) {
      if (err instanceof OAuthProviderError && err.error === 'invalid_grant') {
        await setConnectionStatus(trx, connection.id, 'reauth_required');
        await appendAudit(trx, refreshAudit(connection, 'failure', { trigger: options.trigger, error: err.error }));
        return { status: 'reauth_required' };
      }
      throw err;
    }

    const renewed = oauthCredentials(tokens, credentials);
    const sealed = deps.vault.seal(connection.id, renewed);
    const swapped = await swapConnectionCredentials(trx, connection.id, { expected: connection.credentials_ciphertext, sealed, at: now() });
    if (!swapped) {
      // Replaced meanwhile by someone who does not refresh (a user's update): theirs stand.
      const replaced = await findConnectionById(trx, connection.id);
      if (!replaced) return { status: 'connection_gone' };
      const current = deps.vault.open(replaced.id, connectionCredentials(replaced));
      return { status: 'current', credentials: current, expiresAt: credentialsExpiry(current) };
    }
    const rotated = tokens.refreshToken !== null && tokens.refreshToken !== refreshToken;
    await appendAudit(trx, refreshAudit(connection, 'success', { trigger: options.trigger, rotated, expires_at: tokens.expiresAt?.toISOString() ?? null }));
    return { status: 'refreshed', credentials: renewed, expiresAt: tokens.expiresAt, rotated };
  });
}

/**
 * For a sync whose request was refused with `seenAccessToken`: refreshes it, unless another refresh
 * already replaced it, in which case the newer credentials come back without a call to the platform.
 */
export function refreshConnectionToken(deps: TokenRefreshDeps, connectionId: string, seenAccessToken: string): Promise<TokenRefreshOutcome> {
  return refreshUnderLock(deps, connectionId, { trigger: 'sync', isDue: (credentials) => credentials.access_token === seenAccessToken }).then((outcome) =>
    pauseSchedulesOnReauth(deps, connectionId, outcome),
  );
}

/**
 * For the refresh workflow: refreshes when the token expires within `skewMs` (or has no known
 * expiry), or always when `force`d (the refreshNow signal).
 */
export function refreshExpiringToken(deps: TokenRefreshDeps, connectionId: string, options: { skewMs: number; force: boolean }): Promise<TokenRefreshOutcome> {
  return refreshUnderLock(deps, connectionId, {
    trigger: options.force ? 'request' : 'schedule',
    isDue: (credentials, now) => options.force || tokenRefreshDue(credentialsExpiry(credentials), now, options.skewMs),
  }).then((outcome) => pauseSchedulesOnReauth(deps, connectionId, outcome));
}

/** After the status change has committed: a connection that needs re-authorisation stops its scheduled syncs. */
async function pauseSchedulesOnReauth(deps: TokenRefreshDeps, connectionId: string, outcome: TokenRefreshOutcome): Promise<TokenRefreshOutcome> {
  if (outcome.status === 'reauth_required' && deps.schedules) {
    const connection = await findConnectionById(deps.db, connectionId);
    if (connection) await deps.schedules.reconcile(connection);
  }
  return outcome;
}

/** Renews a connection's credentials after the platform rejected them; the new ones, or null when they cannot be renewed. */
export type SyncCredentialRefresher = (input: { connectionId: string; rejected: Credentials }) => Promise<Credentials | null>;

/**
 * `SyncActivityDeps.refreshCredentials` over refreshConnectionToken: the renewed (or already newer)
 * credentials, or null when they cannot be renewed. A token endpoint that is down is a transient
 * failure of the sync, not a reason to ask the user to re-authorise.
 */
export function createSyncCredentialRefresher(deps: TokenRefreshDeps): SyncCredentialRefresher {
  return async ({ connectionId, rejected }) => {
    if (!rejected.access_token) return null;
    let outcome: TokenRefreshOutcome;
    try {
      outcome = await refreshConnectionToken(deps, connectionId, rejected.access_token);
    } catch (err) {
      if (err instanceof OAuthProviderUnavailableError) throw new ConnectorError('transient', `token refresh: ${err.message}`);
      if (err instanceof OAuthProviderError) throw new ConnectorError('transient', `token refresh refused: ${err.error}`);
      throw err;
    }
    return outcome.status === 'refreshed' || outcome.status === 'current' ? outcome.credentials : null;
  };
}

function refreshAudit(connection: Connection, outcome: 'success' | 'failure', details: Record<string, unknown>): NewAuditEntry {
  return {
    org_id: connection.org_id,
    actor_id: 'system:token-refresh',
    actor_role: 'system',
    action: 'token.refresh',
    target_type: 'connection',
    target_id: connection.id,
    outcome,
    request_id: null,
    details: { platform: connection.platform, ...details },
  };
}
