import type { Connector } from './connector';
import type { ConnectorRegistry, ConnectorRequest } from './registry';

/**
 * The registry whose live connectors send each page request through `around` (given the connection's
 * request and the connector's own fetchPage). Mock connectors reach no platform and pass through as they are.
 */
export function aroundLivePageRequests(
  registry: ConnectorRegistry,
  around: (request: ConnectorRequest, fetchPage: Connector['fetchPage']) => Connector['fetchPage'],
): ConnectorRegistry {
  return {
    create(request) {
      const connector = registry.create(request);
      if (request.source !== 'live') return connector;
      return {
        platform: connector.platform,
        source: connector.source,
        testConnection: () => connector.testConnection(),
        listStreams: () => connector.listStreams(),
        fetchPage: around(request, (page) => connector.fetchPage(page)),
      };
    },
  };
}
