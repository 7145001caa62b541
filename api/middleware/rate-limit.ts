import { rateLimiter } from 'hono-rate-limiter';
import type { AppEnv } from '../app-env';
import { ApiError } from '../api-error';

/**
 * A request budget per token (per user of an org), per API process, answering 429 with
 * Retry-After when it is spent. Runs after authentication, so anonymous floods never reach it.
 */
export function rateLimitPerToken(requestsPerMinute: number) {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: requestsPerMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => `${c.get('principal')?.orgId ?? c.get('actor').role}:${c.get('actor').userId}`,
    handler: () => {
      throw new ApiError(429, 'rate_limited', `At most ${requestsPerMinute} requests a minute per token; retry after the Retry-After delay`);
    },
  });
}
