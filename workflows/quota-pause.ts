import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import { FailureType, type QuotaExhaustedDetails } from '../domain/errors';

/** Past the quota's reset, so the first request after the pause finds the new window open. */
const RESUME_MARGIN_MS = 500;

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
      const resumeAt = quotaResumeAt(err);
      if (resumeAt === null) throw err;
      await sleep(Math.max(resumeAt - Date.now(), 0) + RESUME_MARGIN_MS);
    }
  }
}

function quotaResumeAt(err: unknown): number | null {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureType.PlatformQuotaExhausted) return null;
  const details = cause.details?.[0] as QuotaExhaustedDetails | undefined;
  const resumeAt = details ? Date.parse(details.resumeAt) : NaN;
  return Number.isFinite(resumeAt) ? resumeAt : null;
}
