import { ConnectorError } from './connector-error';
import { aroundLivePageRequests } from './live-page-requests';
import type { ConnectorRegistry, PlatformRequestObservation } from './registry';

/**
 * The registry whose live connectors report each page request's duration and outcome, measured around
 * the platform call alone (quota waits excluded when the quota registry wraps this one): to `observe`
 * (the process's histogram) and to the request's own `observeRequest` (the sync's per-stream counts).
 */
export function withPlatformRequestTiming(registry: ConnectorRegistry, observe: (observation: PlatformRequestObservation) => void): ConnectorRegistry {
  return aroundLivePageRequests(registry, ({ platform, observeRequest }, fetchPage) => async (page) => {
    const started = performance.now();
    const report = (outcome: PlatformRequestObservation['outcome']) => {
      const observation = { platform, outcome, seconds: (performance.now() - started) / 1000 };
      observe(observation);
      observeRequest?.(observation);
    };
    try {
      const result = await fetchPage(page);
      report('ok');
      return result;
    } catch (err) {
      report(err instanceof ConnectorError ? err.kind : 'error');
      throw err;
    }
  });
}
