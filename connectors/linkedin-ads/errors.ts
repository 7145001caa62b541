import { z } from 'zod';
import { addDays } from '../../domain/sync';
import type { PlatformErrorDetails } from '../http-client';

/**
 * LinkedIn's error body, `{status, serviceErrorCode, code, message}`; its HTTP status is meaningful
 * (401 token, 403 permission, 429 throttle), so the status decides the kind and the body names the cause.
 */
const linkedInErrorSchema = z.object({
  status: z.number().int().optional(),
  serviceErrorCode: z.number().int().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

export function classifyLinkedInError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const parsed = linkedInErrorSchema.safeParse(failure.body);
  const error = parsed.success ? parsed.data : {};
  const details = { message: error.message, platformCode: error.serviceErrorCode === undefined ? error.code : String(error.serviceErrorCode) };
  if (failure.status !== 429) return details;
  // A Retry-After, when LinkedIn sends one, is read by the HTTP client; otherwise the message names the limit.
  return { ...details, kind: 'rate_limited', retryAfterMs: failure.headers.has('retry-after') ? undefined : dailyLimitDelayMs(error.message ?? '') };
}

/**
 * LinkedIn's limits are per day and reset at midnight UTC (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits).
 * Its throttle message names a DAY limit ("Resource level throttle APPLICATION DAY limit …"); other 429s, which it
 * sends to protect its infrastructure, name none and are left to the caller's backoff.
 */
export function dailyLimitDelayMs(message: string, now: number = Date.now()): number | undefined {
  if (!/\bDAY\b/.test(message)) return undefined;
  const tomorrow = addDays(new Date(now).toISOString().slice(0, 10), 1);
  return Date.parse(`${tomorrow}T00:00:00Z`) - now;
}
