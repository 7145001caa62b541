import { Counter, Histogram, type Registry } from 'prom-client';

/** The shared platform rate limiter's counters, recorded by the worker that spends through it. */
export interface RateLimitMetrics {
  requestsReserved: Counter<'platform'>;
  requestsThrottled: Counter<'platform' | 'quota'>;
  throttleWait: Histogram<'platform'>;
  quotaPauses: Counter<'platform' | 'reason'>;
  slotsMissed: Counter<'platform'>;
}

export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  const registers = [registry];
  return {
    requestsReserved: new Counter({
      name: 'liftos_platform_requests_reserved_total',
      help: 'Platform requests granted by the shared rate limiter',
      labelNames: ['platform'],
      registers,
    }),
    requestsThrottled: new Counter({
      name: 'liftos_platform_requests_throttled_total',
      help: 'Platform requests that waited for a quota token, by the quota that held them',
      labelNames: ['platform', 'quota'],
      registers,
    }),
    throttleWait: new Histogram({
      name: 'liftos_platform_throttle_wait_seconds',
      help: 'How long a granted platform request waited for its token',
      labelNames: ['platform'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    quotaPauses: new Counter({
      name: 'liftos_platform_quota_pauses_total',
      help: 'Syncs paused because a platform quota was spent (reason: window_exhausted or wait_too_long)',
      labelNames: ['platform', 'reason'],
      registers,
    }),
    slotsMissed: new Counter({
      name: 'liftos_platform_request_slots_missed_total',
      help: 'Throttled requests whose process woke too late for their reserved slot and reserved another rather than burst',
      labelNames: ['platform'],
      registers,
    }),
  };
}
