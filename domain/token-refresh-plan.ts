/**
 * When a connection's OAuth access token is refreshed: pure timing, shared by the refresh activities
 * (when to schedule, whether a scheduled refresh is due) and tokenRefreshWorkflow (how long to wait).
 */

/** Why a connection's refresh loop ends. */
export type TokenRefreshEndReason = 'connection_gone' | 'reauth_required' | 'no_refresh_token' | 'not_expiring' | 'oauth_not_configured';

export interface TokenRefreshTiming {
  /** Refresh this long before the access token expires (OAUTH_REFRESH_SKEW_SECONDS). */
  skewMs: number;
  /** Never schedule refreshes closer than this, whatever lifetime a platform answers. */
  minIntervalMs: number;
}

export const DEFAULT_TOKEN_REFRESH_TIMING: TokenRefreshTiming = { skewMs: 5 * 60_000, minIntervalMs: 10_000 };

/** What the plan needs of the stored credentials: never the tokens themselves. */
export interface StoredTokenFacts {
  hasRefreshToken: boolean;
  /** When the access token expires; null when the platform did not say. */
  expiresAt: Date | null;
}

export type TokenRefreshPlan =
  { status: 'scheduled'; refreshAt: Date } | { status: 'ended'; reason: Extract<TokenRefreshEndReason, 'no_refresh_token' | 'not_expiring'> };

/**
 * When the stored token should next be refreshed: `skewMs` before expiry; a token living less than
 * twice the skew is refreshed at half its remaining life instead, and never sooner than
 * `minIntervalMs` from now, so a short-lived (or already expired) token never makes the loop spin.
 */
export function planTokenRefresh(token: StoredTokenFacts, now: Date, timing: TokenRefreshTiming): TokenRefreshPlan {
  if (!token.hasRefreshToken) return { status: 'ended', reason: 'no_refresh_token' };
  // Salesforce and others do not say when a token expires: a sync's 401 triggers the refresh instead.
  if (!token.expiresAt) return { status: 'ended', reason: 'not_expiring' };
  const remaining = token.expiresAt.getTime() - now.getTime();
  const wait = remaining > 2 * timing.skewMs ? remaining - timing.skewMs : remaining / 2;
  return { status: 'scheduled', refreshAt: new Date(now.getTime() + Math.max(wait, timing.minIntervalMs)) };
}

/** Whether a scheduled (not forced) refresh should call the platform now: the token expires within the skew, or its expiry is unknown. */
export function tokenRefreshDue(expiresAt: Date | null, now: Date, skewMs: number): boolean {
  return expiresAt === null || expiresAt.getTime() - skewMs <= now.getTime();
}

/**
 * How long the workflow sleeps before refreshing (0: refresh now): until `refreshAt`, unless a
 * refreshNow signal is already pending, the instant has passed, or it cannot be read.
 */
export function tokenRefreshWaitMs(refreshAt: string, nowMs: number, refreshRequested: boolean): number {
  const delayMs = Date.parse(refreshAt) - nowMs;
  return refreshRequested || !(delayMs > 0) ? 0 : delayMs;
}
