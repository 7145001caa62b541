import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { TokenRefreshActivities } from '../activities/token-refresh-activities';
import type { PlatformId } from '../domain/platforms';
import { type TokenRefreshEndReason, tokenRefreshWaitMs } from '../domain/token-refresh-plan';

/** Only ids: tokens never enter a workflow. OrgId, Platform and ConnectionId are also set as search attributes by the starter. */
export interface TokenRefreshInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  /** Carried across continue-as-new. */
  status?: TokenRefreshStatus;
}

export interface TokenRefreshStatus {
  phase: 'scheduling' | 'waiting' | 'refreshing' | 'ended';
  /** When the next refresh is due (ISO), while waiting. */
  refreshAt: string | null;
  /** Refreshes that stored new tokens, over the whole life of the loop. */
  refreshes: number;
  lastRefreshedAt: string | null;
  /** When the access token in store expires, as of the last refresh. */
  expiresAt: string | null;
  endedBecause: TokenRefreshEndReason | null;
}

export interface TokenRefreshResult {
  status: TokenRefreshEndReason;
  refreshes: number;
}

/** Refresh now, whatever the expiry (for example after changing the app's scopes). */
export const refreshNowSignal = defineSignal('refreshNow');
export const tokenRefreshStatusQuery = defineQuery<TokenRefreshStatus>('status');

/** Reading a row: quick, retried until Postgres answers. */
const SCHEDULE_READ: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } };
/**
 * One token request under the connection's lock (its HTTP timeout is 10 s). A platform that is down
 * or refuses for a configuration reason is retried with backoff until it answers: the token keeps
 * working until it expires, and a sync meeting a 401 refreshes on its own path.
 */
const TOKEN_REQUEST: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};

const schedules = proxyActivities<TokenRefreshActivities>(SCHEDULE_READ);
const tokens = proxyActivities<TokenRefreshActivities>(TOKEN_REQUEST);

/** Keeps each run's history short: a refresh is three events plus a timer. */
const REFRESHES_PER_RUN = 100;

/**
 * Keeps one connection's OAuth access token fresh: reads when it expires, sleeps until
 * `expires_at - skew` (or a refreshNow signal), refreshes, and again. Ends when refreshing becomes
 * impossible: the platform refused the refresh token (`reauth_required`: the connection is marked
 * and audited), the connection is gone, it has no refresh token, or its token does not expire.
 * Workflow id: tokenRefreshWorkflowId(connectionId).
 */
export async function tokenRefreshWorkflow(input: TokenRefreshInput): Promise<TokenRefreshResult> {
  const status: TokenRefreshStatus = input.status ?? {
    phase: 'scheduling',
    refreshAt: null,
    refreshes: 0,
    lastRefreshedAt: null,
    expiresAt: null,
    endedBecause: null,
  };
  let refreshRequested = false;
  setHandler(refreshNowSignal, () => {
    refreshRequested = true;
  });
  setHandler(tokenRefreshStatusQuery, () => status);

  const end = (reason: TokenRefreshEndReason): TokenRefreshResult => {
    status.phase = 'ended';
    status.refreshAt = null;
    status.endedBecause = reason;
    return { status: reason, refreshes: status.refreshes };
  };

  for (let i = 0; i < REFRESHES_PER_RUN && !workflowInfo().continueAsNewSuggested; i++) {
    status.phase = 'scheduling';
    const schedule = await schedules.readTokenSchedule({ connectionId: input.connectionId });
    if (schedule.status === 'ended') return end(schedule.reason);

    status.phase = 'waiting';
    status.refreshAt = schedule.refreshAt;
    const waitMs = tokenRefreshWaitMs(schedule.refreshAt, Date.now(), refreshRequested);
    if (waitMs > 0) await condition(() => refreshRequested, waitMs);

    const force = refreshRequested;
    refreshRequested = false;
    status.phase = 'refreshing';
    status.refreshAt = null;
    const result = await tokens.refreshAccessToken({ connectionId: input.connectionId, force });
    if (result.status === 'ended') return end(result.reason);
    status.expiresAt = result.expiresAt;
    if (result.status === 'refreshed') {
      status.refreshes += 1;
      status.lastRefreshedAt = new Date().toISOString();
    }
  }
  return continueAsNew<typeof tokenRefreshWorkflow>({ ...input, status });
}
