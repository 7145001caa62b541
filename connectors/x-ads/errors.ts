import { z } from 'zod';
import { type PlatformErrorDetails, parseRetryAfter } from '../http-client';

/**
 * X Ads API failures: a non-2xx status with `{errors: [{code, message}], request}`, `code` a CAPS_CASE constant
 * (https://docs.x.com/x-ads-api/fundamentals/error-codes-and-responses). The status decides the kind; the analytics
 * guide says when to come back: at `x-rate-limit-reset` after a 429, after `retry-after` on a 503.
 */
const xErrorSchema = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string().optional() }).passthrough()).min(1) });

export function classifyXAdsError(failure: { status: number; body: unknown; headers: Headers }, now: number = Date.now()): PlatformErrorDetails {
  const parsed = xErrorSchema.safeParse(failure.body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const details = { message: first?.message, platformCode: first?.code };
  if (failure.status === 429) return { ...details, kind: 'rate_limited', retryAfterMs: rateLimitResetDelayMs(failure.headers, now) };
  // Transient either way; the delay is kept for a caller that honours it.
  if (failure.status === 503) return { ...details, kind: 'transient', retryAfterMs: parseRetryAfter(failure.headers.get('retry-after'), now) };
  return details;
}

/**
 * The wait until the exhausted limit's window resets. Endpoints with ad-account limits send `x-account-rate-limit-*`
 * beside the user token's `x-rate-limit-*`; the one with nothing remaining is the one that refused (the later reset
 * when both are spent). Resets are epoch seconds. Undefined when X sent none, so the caller's backoff applies.
 */
export function rateLimitResetDelayMs(headers: Headers, now: number = Date.now()): number | undefined {
  const limits = ['x-account-rate-limit', 'x-rate-limit']
    .map((prefix) => ({ remaining: headers.get(`${prefix}-remaining`), reset: Number(headers.get(`${prefix}-reset`) ?? NaN) }))
    .filter((limit) => Number.isInteger(limit.reset) && limit.reset > 0);
  const spent = limits.filter((limit) => limit.remaining === '0');
  const resets = (spent.length > 0 ? spent : limits).map((limit) => limit.reset);
  return resets.length > 0 ? Math.max(0, Math.max(...resets) * 1000 - now) : undefined;
}
