import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { PlatformRequestLimiter } from '../connectors/quota-limited-registry';
import { reserveRequest } from '../db/repositories/rate-buckets';
import type { Database } from '../db/schema';
import { FailureType, type QuotaExhaustedDetails } from '../domain/errors';
import { type PlatformQuotas, type QuotaBucket, compileQuota, reservationOutcome } from '../domain/platform-quotas';
import type { PlatformId } from '../domain/platforms';
import type { RateLimitMetrics } from '../observability/rate-limit-metrics';

export interface PlatformRateLimiterDeps {
  db: Kysely<Database>;
  quotas: PlatformQuotas;
  metrics: RateLimitMetrics;
  /** Longest wait held inside an activity (heartbeating); longer ones pause the workflow instead. */
  maxWaitSeconds?: number;
}

const DEFAULT_MAX_WAIT_SECONDS = 60;
/** Waits are slept in slices, each after a heartbeat: well inside the paging heartbeat timeout. */
const HEARTBEAT_SLICE_MS = 5_000;

/**
 * The fleet-wide limiter: every worker process reserves each platform request through the same
 * Postgres buckets. A granted request whose token is not yet due waits here, in the activity,
 * heartbeating; a spent daily window (or a wait over `maxWaitSeconds`) raises a non-retryable
 * PlatformQuotaExhausted failure carrying when to resume, on which the workflow sleeps.
 */
export function createPlatformRateLimiter(deps: PlatformRateLimiterDeps): PlatformRequestLimiter {
  const maxWaitSeconds = deps.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  const buckets = new Map<PlatformId, QuotaBucket[]>();
  const bucketsOf = (platform: PlatformId) => {
    let compiled = buckets.get(platform);
    if (!compiled) buckets.set(platform, (compiled = (deps.quotas[platform] ?? []).map((q) => compileQuota(q))));
    return compiled;
  };

  return {
    async acquire({ platform, accountId }) {
      const platformBuckets = bucketsOf(platform);
      if (platformBuckets.length === 0) return;
      // A slot missed by more than its tolerance (the process stalled) is not used: another is reserved.
      for (;;) {
        const reservation = await reserveRequest(deps.db, { platform, accountId, buckets: platformBuckets, maxWaitSeconds });
        const outcome = reservationOutcome(reservation.readings, reservation.granted, reservation.atMs);
        if (outcome.kind === 'paused') {
          deps.metrics.quotaPauses.inc({ platform, reason: outcome.reason });
          const details: QuotaExhaustedDetails = {
            platform,
            resumeAt: new Date(outcome.untilMs).toISOString(),
            reason: outcome.reason,
            quotas: outcome.exhausted,
          };
          throw ApplicationFailure.create({
            type: FailureType.PlatformQuotaExhausted,
            message: `${platform}: quota ${outcome.exhausted.join(', ')} spent; resuming at ${details.resumeAt}`,
            nonRetryable: true,
            details: [details],
          });
        }
        deps.metrics.requestsReserved.inc({ platform });
        if (outcome.waitMs === 0) return;
        for (const quota of outcome.throttledBy) deps.metrics.requestsThrottled.inc({ platform, quota });
        deps.metrics.throttleWait.observe({ platform }, outcome.waitMs / 1000);
        const dueMs = Date.now() + outcome.waitMs;
        await waitForToken(outcome.waitMs, { platform, until: new Date(dueMs).toISOString() });
        if (Date.now() - dueMs <= outcome.lateToleranceMs) return;
        deps.metrics.slotsMissed.inc({ platform });
      }
    },
  };
}

/** Sleeps inside the running activity: heartbeating, and ended by its cancellation. */
async function waitForToken(ms: number, details: { platform: string; until: string }): Promise<void> {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    ctx = undefined; // outside an activity (a connector used directly): a plain timer
  }
  if (!ctx) return new Promise((resolve) => setTimeout(resolve, ms));
  const end = Date.now() + ms;
  for (let left = ms; left > 0; left = end - Date.now()) {
    if (left > HEARTBEAT_SLICE_MS / 2) ctx.heartbeat({ waitingForQuota: details });
    await ctx.sleep(Math.min(left, HEARTBEAT_SLICE_MS));
  }
}
