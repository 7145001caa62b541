import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { ConnectorRegistry } from '../connectors/registry';
import type { PlatformNetwork } from '../connectors/platform-network';
import type { PlatformOAuthDeps } from './oauth/platform-oauth-deps';
import type { ConnectionSyncSchedules } from '../domain/connection-sync-schedules';
import type { Database } from '../db/schema';
import type { CustomMetricExporter } from '../observability/custom-metric-exporter';
import type { Logger } from '../observability/logger';
import type { CredentialVault } from '../security/credential-vault';

/** What one org's requests may set off. */
export interface ApiLimits {
  /** A GET validate (or validate-all) serves the latest stored report while it is younger than this. */
  validationReportMaxAgeMs: number;
  /** Validation runs (per connection, or an org's validate-all) an org may have running at once. */
  validationsRunningPerOrg: number;
  /** Connections one request works on at once (health-status, data-modes). */
  fanOutConcurrency: number;
  /** How long a request that runs a workflow (validate, test-suite, test-all) waits for its result before 504 with where to read it. */
  runWaitMs: number;
}

/** Everything the API needs, built by api/main.ts (or a test) and handed to createApp. */
export interface AppDeps {
  db: Kysely<Database>;
  temporal: Client;
  taskQueue: string;
  /** Keeps each connection's recurring-sync Schedule in step with it. */
  schedules: ConnectionSyncSchedules;
  vault: CredentialVault;
  connectors: ConnectorRegistry;
  /** The hosts `connectors` may reach: credentials naming any other are refused when saved. */
  platformNetwork: PlatformNetwork;
  jwtSecret: string;
  /** OAuth 2.0 authorization code flows with the platforms. */
  oauth: PlatformOAuthDeps;
  logger: Logger;
  metrics: Registry;
  /** Custom metrics recorded through the API, exported beside `metrics` on the API's metrics port. */
  customMetrics: CustomMetricExporter;
  /** The codec `temporal` encodes with, served to the Web UI by the codec server. */
  payloadCodec: PayloadCodec;
  /** Web UI origins allowed to call the codec server. */
  codecCorsOrigins: string[];
  /** The Web UI's decode-only credential for POST /codec/{credential}/decode; absent: that endpoint refuses everyone. */
  codecUiCredential?: string;
  /** Requests a minute each token may make. */
  rateLimitPerMinute: number;
  limits: ApiLimits;
}
