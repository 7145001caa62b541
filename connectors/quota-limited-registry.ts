import type { PlatformId } from '../domain/platforms';
import type { Connector } from './connector';
import type { ConnectorRegistry } from './registry';

/** Admits one platform request: resolves when it may be sent, rejects when it must not be sent now. */
export interface PlatformRequestLimiter {
  acquire(target: { platform: PlatformId; accountId: string }): Promise<void>;
}

/**
 * The registry whose live connectors spend each page request through the limiter first. Mock
 * connectors reach no platform and pass through unthrottled.
 */
export function withPlatformQuotas(registry: ConnectorRegistry, limiter: PlatformRequestLimiter): ConnectorRegistry {
  return {
    hasLiveConnector: (platform) => registry.hasLiveConnector(platform),
    create(request) {
      const connector = registry.create(request);
      if (request.source !== 'live') return connector;
      const target = { platform: request.platform, accountId: request.accountId };
      const limited: Connector = {
        platform: connector.platform,
        source: connector.source,
        testConnection: () => connector.testConnection(),
        listStreams: () => connector.listStreams(),
        async fetchPage(page) {
          await limiter.acquire(target);
          return connector.fetchPage(page);
        },
      };
      return limited;
    },
  };
}
