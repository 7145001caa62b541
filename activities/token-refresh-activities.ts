import { ApplicationFailure } from '@temporalio/common';
import { credentialsExpiry } from '../connectors/oauth/oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from '../connectors/oauth/oauth-errors';
import { connectionCredentials, findConnectionById } from '../db/repositories/connections';
import { TokenRefreshFailureType } from '../domain/errors';
import { refreshExpiringToken, type TokenRefreshDeps, type TokenRefreshOutcome } from '../services/connection-token-refresh';

export interface TokenRefreshActivityDeps extends TokenRefreshDeps {
  settings?: {
    /** Refresh this long before the access token expires (OAUTH_REFRESH_SKEW_SECONDS); 5 minutes by default. */
    refreshSkewMs?: number;
    /** Never schedule refreshes closer than this, whatever lifetime a platform answers; 10 seconds by default. */
    minRefreshIntervalMs?: number;
  };
}

/** Why a connection's refresh loop ends. */
export type TokenRefreshEndReason = 'connection_gone' | 'reauth_required' | 'no_refresh_token' | 'not_expiring' | 'oauth_not_configured';

export type TokenSchedule = { status: 'scheduled'; refreshAt: string } | { status: 'ended'; reason: TokenRefreshEndReason };

export interface RefreshAccessTokenInput {
  connectionId: string;
  /** Refresh even though the token is not about to expire (the refreshNow signal). */
  force?: boolean;
}

/** What the workflow learns of a refresh: no tokens, only whether and until when. */
export type RefreshAccessTokenResult = { status: 'refreshed' | 'current'; expiresAt: string | null } | { status: 'ended'; reason: TokenRefreshEndReason };

const DEFAULT_SKEW_MS = 5 * 60_000;
const DEFAULT_MIN_INTERVAL_MS = 10_000;

/**
 * Activities of tokenRefreshWorkflow. Credentials are opened here and never leave: the workflow
 * sees connection ids, instants and statuses. An invalid_grant ends the loop with `reauth_required`
 * (a result, not a failure: the connection row and the audit trail record it, and retrying cannot help).
 */
export function createTokenRefreshActivities(deps: TokenRefreshActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const skewMs = deps.settings?.refreshSkewMs ?? DEFAULT_SKEW_MS;
  const minIntervalMs = deps.settings?.minRefreshIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;

  /**
   * `skewMs` before expiry; a token living less than twice the skew is refreshed at half its
   * remaining life instead, so a short-lived token never makes the loop spin.
   */
  function refreshInstant(expiresAt: Date): Date {
    const remaining = expiresAt.getTime() - now().getTime();
    const wait = remaining > 2 * skewMs ? remaining - skewMs : remaining / 2;
    return new Date(now().getTime() + Math.max(wait, minIntervalMs));
  }

  function ended(outcome: Exclude<TokenRefreshOutcome, { status: 'refreshed' | 'current' }>): RefreshAccessTokenResult {
    return { status: 'ended', reason: outcome.status === 'not_refreshable' ? outcome.reason : outcome.status };
  }

  return {
    /** When the connection's access token should next be refreshed, or why it never will be. */
    async readTokenSchedule(input: { connectionId: string }): Promise<TokenSchedule> {
      const connection = await findConnectionById(deps.db, input.connectionId);
      if (!connection) return { status: 'ended', reason: 'connection_gone' };
      if (connection.status === 'reauth_required') return { status: 'ended', reason: 'reauth_required' };
      if (deps.oauth.availability(connection.platform).status !== 'ready') return { status: 'ended', reason: 'oauth_not_configured' };
      const credentials = deps.vault.open(connection.id, connectionCredentials(connection));
      if (!credentials.refresh_token) return { status: 'ended', reason: 'no_refresh_token' };
      const expiresAt = credentialsExpiry(credentials);
      // Salesforce and others do not say when a token expires: a sync's 401 triggers the refresh instead.
      if (!expiresAt) return { status: 'ended', reason: 'not_expiring' };
      return { status: 'scheduled', refreshAt: refreshInstant(expiresAt).toISOString() };
    },

    /** Refreshes the access token under the connection's lock (see refreshExpiringToken). */
    async refreshAccessToken(input: RefreshAccessTokenInput): Promise<RefreshAccessTokenResult> {
      let outcome: TokenRefreshOutcome;
      try {
        outcome = await refreshExpiringToken(deps, input.connectionId, { skewMs, force: input.force ?? false });
      } catch (err) {
        if (err instanceof OAuthProviderUnavailableError) throw ApplicationFailure.retryable(err.message, TokenRefreshFailureType.ProviderUnavailable);
        if (err instanceof OAuthProviderError) {
          throw ApplicationFailure.create({ type: TokenRefreshFailureType.RefreshRejected, message: `The platform refused the refresh: ${err.message}`, details: [{ error: err.error }] });
        }
        throw err;
      }
      if (outcome.status === 'refreshed' || outcome.status === 'current') return { status: outcome.status, expiresAt: outcome.expiresAt?.toISOString() ?? null };
      return ended(outcome);
    },
  };
}

export type TokenRefreshActivities = ReturnType<typeof createTokenRefreshActivities>;
