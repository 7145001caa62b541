import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import { FailureType, type QuotaExhaustedDetails } from '../domain/errors';
import { quotaPauseMs } from '../domain/quota-pause';

/**
 * Calls an activity; when it reports a platform quota spent (a daily cap), sleeps on a durable timer
 * until the quota resets and calls again. The activity resumes from its committed checkpoint, so
 * nothing is fetched twice; the pause costs no retry attempt.
 */
export async function pausingForQuota<T>(call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const pauseMs = quotaPauseMs(quotaExhaustedDetails(err), Date.now());
      if (pauseMs === null) throw err;
      await sleep(pauseMs);
    }
  }
}

/** The details of a PlatformQuotaExhausted activity failure; undefined for any other error. */
function quotaExhaustedDetails(err: unknown): QuotaExhaustedDetails | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.PlatformQuotaExhausted) return undefined;
  return cause.details?.[0] as QuotaExhaustedDetails | undefined;
}
