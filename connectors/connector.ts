import type { PlatformId, StreamKind } from '../domain/platforms';
import type { DateWindow, MetricRecord } from '../domain/sync';
import type { PlatformNetwork } from './platform-network';

/** Decrypted credential fields, as the user supplied them. Lives only inside activities. */
export type Credentials = Readonly<Record<string, string>>;

export interface ConnectorConfig {
  /** The platform's API root; overridable so connectors run against local emulators. */
  baseUrl: string;
  credentials: Credentials;
  /** The platform account (ad account, store, workspace) the connection reads. */
  accountId: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Which hosts requests may reach (platform-network.ts); public https hosts only when absent. */
  network?: PlatformNetwork;
}

export interface FetchPageRequest {
  stream: StreamKind;
  /** Opaque cursor from the previous page; null for the first page. */
  cursor: string | null;
  window: DateWindow;
  pageSize?: number;
}

export interface Page {
  records: MetricRecord[];
  /** Null when the stream has no more pages for this window. */
  nextCursor: string | null;
  /** Size of the platform's response body, for the sync log. */
  bytesRead: number;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** The account's name as the platform reports it. */
  accountName: string | null;
  latencyMs: number;
  message: string;
}

/**
 * One platform's data source. Live connectors speak the platform's documented HTTP API;
 * the mock connector serves the seeded generator. Failures are thrown as `ConnectorError`.
 */
export interface Connector {
  readonly platform: PlatformId;
  readonly source: 'live' | 'mock';
  testConnection(): Promise<ConnectionTestResult>;
  listStreams(): readonly StreamKind[];
  fetchPage(request: FetchPageRequest): Promise<Page>;
}

export type ConnectorFactory = (config: ConnectorConfig) => Connector;
