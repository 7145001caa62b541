import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { createPlatformRateLimiter } from '../services/platform-rate-limiter';
import type { Database } from '../db/schema';
import type { PlatformQuotas } from '../domain/platform-quotas';
import type { PlatformId } from '../domain/platforms';
import { createPlatformRequestMetrics } from '../observability/platform-request-metrics';
import { createRateLimitMetrics } from '../observability/rate-limit-metrics';
import { type PlatformRequestLimiter, withPlatformQuotas } from '../connectors/quota-limited-registry';
import type { PlatformNetwork } from '../connectors/platform-network';
import { type ConnectorRegistry, createConnectorRegistry } from '../connectors/registry';
import { withPlatformRequestTiming } from '../connectors/timed-registry';

export interface PlatformConnectorDeps {
  db: Kysely<Database>;
  /** Where the request timings and the limiter's counters are registered (once per registry). */
  metrics: Registry;
  /** Each platform's request quotas (config.platformQuotas). */
  quotas: PlatformQuotas;
  baseUrls?: Partial<Record<PlatformId, string>>;
  timeoutMs?: number;
  /** The hosts the connectors may reach (public https only, unless a development setting allows loopback). */
  network?: PlatformNetwork;
  /** Longest wait for a quota token before the request is refused (the limiter's default otherwise). */
  maxQuotaWaitSeconds?: number;
  /** The registry to wrap (a test's instrumented one); the real connectors otherwise. */
  base?: ConnectorRegistry;
  /** Replaces the Postgres limiter over `quotas` (tests that hold requests). */
  limiter?: PlatformRequestLimiter;
}

/**
 * The one connector registry of the worker and the API (and so of their tests), built by
 * worker-activities.ts and api-deps.ts: each live page request spends through the fleet's shared
 * quota buckets in Postgres, then is timed around the platform call alone (quota waits excluded),
 * for rollout analysis and Prometheus. Nothing reads a platform around these quotas.
 */
export function createPlatformConnectors(deps: PlatformConnectorDeps): ConnectorRegistry {
  const base = deps.base ?? createConnectorRegistry({ baseUrls: deps.baseUrls, timeoutMs: deps.timeoutMs, network: deps.network });
  const limiter =
    deps.limiter ??
    createPlatformRateLimiter({ db: deps.db, quotas: deps.quotas, metrics: createRateLimitMetrics(deps.metrics), maxWaitSeconds: deps.maxQuotaWaitSeconds });
  return withPlatformQuotas(withPlatformRequestTiming(base, createPlatformRequestMetrics(deps.metrics)), limiter);
}
