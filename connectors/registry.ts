import type { DataSource } from '../domain/connection';
import type { PlatformId } from '../domain/platforms';
import type { Connector, Credentials } from './connector';
import type { ConnectorErrorKind } from './connector-error';
import { LIVE_CONNECTORS } from './live-connectors';
import { createMockConnector } from './mock/connector';
import type { PlatformNetwork } from './platform-network';

/** One live page request as the platform answered it: `ok`, the failure's kind, or `error` when untyped. */
export interface PlatformRequestObservation {
  platform: PlatformId;
  outcome: 'ok' | ConnectorErrorKind | 'error';
  seconds: number;
}

export interface ConnectorRequest {
  platform: PlatformId;
  source: DataSource;
  accountId: string;
  credentials: Credentials;
  /**
   * Told of each live page request once the platform answered (withPlatformRequestTiming): the sync
   * counts its own connection's requests with it. Not called by a registry without timing.
   */
  observeRequest?: (observation: PlatformRequestObservation) => void;
}

/** Builds the connector that serves a connection, live or mock. */
export interface ConnectorRegistry {
  create(request: ConnectorRequest): Connector;
}

export function createConnectorRegistry(
  options: {
    baseUrls?: Partial<Record<PlatformId, string>>;
    timeoutMs?: number;
    /** Which hosts live connectors may reach; public https hosts only when absent (see platform-network.ts). */
    network?: PlatformNetwork;
  } = {},
): ConnectorRegistry {
  return {
    create(request) {
      if (request.source === 'mock') return createMockConnector({ platform: request.platform, accountId: request.accountId });
      const live = LIVE_CONNECTORS[request.platform];
      return live.create({
        baseUrl: options.baseUrls?.[request.platform] ?? live.defaultBaseUrl,
        credentials: request.credentials,
        accountId: request.accountId,
        timeoutMs: options.timeoutMs,
        network: options.network,
      });
    },
  };
}
