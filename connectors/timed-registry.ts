import type { PlatformId } from '../domain/platforms';
import type { Connector } from './connector';
import { ConnectorError, type ConnectorErrorKind } from './connector-error';
import type { ConnectorRegistry } from './registry';

/** One live page request as the platform answered it: `ok`, the failure's kind, or `error` when untyped. */
export interface PlatformRequestObservation {
  platform: PlatformId;
  outcome: 'ok' | ConnectorErrorKind | 'error';
  seconds: number;
}

/**
 * The registry whose live connectors report each page request's duration and outcome, measured around
 * the platform call alone (quota waits excluded when the quota registry wraps this one). Mock connectors
 * reach no platform and are not measured.
 */
export function withPlatformRequestTiming(registry: ConnectorRegistry, observe: (observation: PlatformRequestObservation) => void): ConnectorRegistry {
  return {
    hasLiveConnector: (platform) => registry.hasLiveConnector(platform),
    create(request) {
      const connector = registry.create(request);
      if (request.source !== 'live') return connector;
      const timed: Connector = {
        platform: connector.platform,
        source: connector.source,
        testConnection: () => connector.testConnection(),
        listStreams: () => connector.listStreams(),
        async fetchPage(page) {
          const started = performance.now();
          const seconds = () => (performance.now() - started) / 1000;
          try {
            const result = await connector.fetchPage(page);
            observe({ platform: connector.platform, outcome: 'ok', seconds: seconds() });
            return result;
          } catch (err) {
            observe({ platform: connector.platform, outcome: err instanceof ConnectorError ? err.kind : 'error', seconds: seconds() });
            throw err;
          }
        },
      };
      return timed;
    },
  };
}
