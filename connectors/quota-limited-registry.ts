import type { PlatformId } from '../domain/platforms';
import { aroundLivePageRequests } from './live-page-requests';
import type { ConnectorRegistry } from './registry';

/** Admits one platform request: resolves when it may be sent, rejects when it must not be sent now. */
export interface PlatformRequestLimiter {
  acquire(target: { platform: PlatformId; accountId: string }): Promise<void>;
}

/** The registry whose live connectors spend each page request through the limiter first. */
export function withPlatformQuotas(registry: ConnectorRegistry, limiter: PlatformRequestLimiter): ConnectorRegistry {
  return aroundLivePageRequests(registry, ({ platform, accountId }, fetchPage) => async (page) => {
    await limiter.acquire({ platform, accountId });
    return fetchPage(page);
  });
}
