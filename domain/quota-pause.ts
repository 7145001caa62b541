import type { QuotaExhaustedDetails } from './errors';

/** Past the quota's reset, so the first request after the pause finds the new window open. */
export const QUOTA_RESUME_MARGIN_MS = 500;

/**
 * How long a sync pauses on a spent platform quota: until the failure's `resumeAt` (none left when it
 * has passed, as after a late worker) plus the margin. Null when the failure does not say when, so the
 * caller treats it as any other failure.
 */
export function quotaPauseMs(details: Pick<QuotaExhaustedDetails, 'resumeAt'> | undefined, nowMs: number): number | null {
  const resumeAt = details ? Date.parse(details.resumeAt) : NaN;
  if (!Number.isFinite(resumeAt)) return null;
  return Math.max(resumeAt - nowMs, 0) + QUOTA_RESUME_MARGIN_MS;
}
