import { ApplicationFailure } from '@temporalio/common';
import { credentialsExpiry } from '../connectors/oauth/oauth-credentials';
import { OAuthProviderError, OAuthProviderUnavailableError } from '../connectors/oauth/oauth-errors';
import { connectionCredentials, findConnectionById } from '../db/repositories/connections';
import { TokenRefreshFailureType } from '../domain/errors';
import { DEFAULT_TOKEN_REFRESH_TIMING, planTokenRefresh, type TokenRefreshEndReason, type TokenRefreshTiming } from '../domain/token-refresh-plan';
import { refreshExpiringToken, type TokenRefreshDeps, type TokenRefreshOutcome } from '../services/connection-token-refresh';

export interface TokenRefreshActivityDeps extends TokenRefreshDeps {
  settings?: {
    /** Refresh this long before the access token expires (OAUTH_REFRESH_SKEW_SECONDS); 5 minutes by default. */
    refreshSkewMs?: number;
    /** Never schedule refreshes closer than this, whatever lifetime a platform answers; 10 seconds by default. */
    minRefreshIntervalMs?: number;
  };
}

export type TokenSchedule = { status: 'scheduled'; refreshAt: string } | { status: 'ended'; reason: TokenRefreshEndReason };

export interface RefreshAccessTokenInput {
  connectionId: string;
  /** Refresh even though the token is not about to expire (the refreshNow signal). */
  force?: boolean;
}

/** What the workflow learns of a refresh: no tokens, only whether and until when. */
export type RefreshAccessTokenResult = { status: 'refreshed' | 'current'; expiresAt: string | null } | { status: 'ended'; reason: TokenRefreshEndReason };

/**
 * Activities of tokenRefreshWorkflow. Credentials are opened here and never leave: the workflow
 * sees connection ids, instants and statuses. An invalid_grant ends the loop with `reauth_required`
 * (a result, not a failure: the connection row and the audit trail record it, and retrying cannot help).
 */
export function createTokenRefreshActivities(deps: TokenRefreshActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const timing: TokenRefreshTiming = {
    skewMs: deps.settings?.refreshSkewMs ?? DEFAULT_TOKEN_REFRESH_TIMING.skewMs,
    minIntervalMs: deps.settings?.minRefreshIntervalMs ?? DEFAULT_TOKEN_REFRESH_TIMING.minIntervalMs,
  };

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
      const plan = planTokenRefresh({ hasRefreshToken: Boolean(credentials.refresh_token), expiresAt: credentialsExpiry(credentials) }, now(), timing);
      return plan.status === 'ended' ? plan : { status: 'scheduled', refreshAt: plan.refreshAt.toISOString() };
    },

    /** Refreshes the access token under the connection's lock (see refreshExpiringToken). */
    async refreshAccessToken(input: RefreshAccessTokenInput): Promise<RefreshAccessTokenResult> {
      let outcome: TokenRefreshOutcome;
      try {
        outcome = await refreshExpiringToken(deps, input.connectionId, { skewMs: timing.skewMs, force: input.force ?? false });
      } catch (err) {
        if (err instanceof OAuthProviderUnavailableError) throw ApplicationFailure.retryable(err.message, TokenRefreshFailureType.ProviderUnavailable);
        if (err instanceof OAuthProviderError) {
          throw ApplicationFailure.create({
            type: TokenRefreshFailureType.RefreshRejected,
            message: `The platform refused the refresh: ${err.message}`,
            details: [{ error: err.error }],
          });
        }
        throw err;
      }
      if (outcome.status === 'refreshed' || outcome.status === 'current')
        return { status: outcome.status, expiresAt: outcome.expiresAt?.toISOString() ?? null };
      return ended(outcome);
    },
  };
}

export type TokenRefreshActivities = ReturnType<typeof createTokenRefreshActivities>;
