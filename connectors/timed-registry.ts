import type { PlatformId } from '../domain/platforms';
import { ConnectorError, type ConnectorErrorKind } from './connector-error';
import { aroundLivePageRequests } from './live-page-requests';
import type { ConnectorRegistry } from './registry';

/** One live page request as the platform answered it: `ok`, the failure's kind, or `error` when untyped. */
export interface PlatformRequestObservation {
  platform: PlatformId;
  outcome: 'ok' | ConnectorErrorKind | 'error';
  seconds: number;
}

/**
 * The registry whose live connectors report each page request's duration and outcome, measured around
 * the platform call alone (quota waits excluded when the quota registry wraps this one).
 */
export function withPlatformRequestTiming(registry: ConnectorRegistry, observe: (observation: PlatformRequestObservation) => void): ConnectorRegistry {
  return aroundLivePageRequests(registry, ({ platform }, fetchPage) => async (page) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await fetchPage(page);
      observe({ platform, outcome: 'ok', seconds: seconds() });
      return result;
    } catch (err) {
      observe({ platform, outcome: err instanceof ConnectorError ? err.kind : 'error', seconds: seconds() });
      throw err;
    }
  });
}
