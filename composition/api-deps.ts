import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { ApiLimits, AppDeps } from '../api/app-deps';
import type { PlatformOAuthDeps } from '../api/oauth/platform-oauth-deps';
import type { Config } from '../config/config';
import type { OAuthConfig } from '../config/oauth-platforms';
import { createPlatformOAuthClient } from '../connectors/oauth/platform-oauth-client';
import { createPlatformNetwork, type PlatformNetwork } from '../connectors/platform-network';
import type { Database } from '../db/schema';
import type { PlatformQuotas } from '../domain/platform-quotas';
import type { PlatformId } from '../domain/platforms';
import { createCustomMetricExporter } from '../observability/custom-metric-exporter';
import type { Logger } from '../observability/logger';
import { createConnectionSyncSchedules, SCHEDULE_CALL_TIMEOUT_MS } from '../schedules/connection-sync-schedule';
import type { CredentialVault } from '../security/credential-vault';
import { createPlatformConnectors } from './platform-connectors';

/** What the API process has opened before its dependencies exist. */
export interface ApiResources {
  db: Kysely<Database>;
  temporal: Client;
  vault: CredentialVault;
  /** The codec `temporal` encodes with, served to the Web UI (plaintext payloads pass, see api/main.ts). */
  payloadCodec: PayloadCodec;
  /** The process registry: request metrics, the connectors' quota and timing metrics, default metrics. */
  metrics: Registry;
  logger: Logger;
}

/** The API's settings, all from configuration (see apiSettingsFrom). */
export interface ApiSettings {
  taskQueue: string;
  connectors: {
    quotas: PlatformQuotas;
    baseUrls: Partial<Record<PlatformId, string>>;
    network: PlatformNetwork;
    /** Longest wait of an API read for a quota token before it is refused. */
    maxQuotaWaitSeconds: number;
    /** Per platform request; the connectors' default when unset. */
    timeoutMs?: number;
  };
  oauth: Pick<OAuthConfig, 'platforms' | 'stateTtlSeconds'>;
  /** How long an inline Schedule call waits for Temporal: a request answers while Temporal is down, the reconciler applies what was left. */
  scheduleCallTimeoutMs: number;
  jwtSecret: string;
  codecCorsOrigins: string[];
  codecUiCredential?: string;
  rateLimitPerMinute: number;
  limits: ApiLimits;
  customSeriesPerOrg: number;
}

/** The API's settings from the loaded configuration: a pure mapping, the same for a deployment and a test. */
export function apiSettingsFrom(config: Config): ApiSettings {
  return {
    taskQueue: config.temporal.taskQueue,
    connectors: {
      quotas: config.platformQuotas,
      baseUrls: config.platformBaseUrls,
      network: createPlatformNetwork({ allowLoopback: config.allowLoopbackPlatformHosts }),
      maxQuotaWaitSeconds: config.apiLimits.quotaMaxWaitSeconds,
    },
    oauth: config.oauth,
    scheduleCallTimeoutMs: SCHEDULE_CALL_TIMEOUT_MS,
    jwtSecret: config.jwtSecret,
    codecCorsOrigins: config.codecCorsOrigins,
    codecUiCredential: config.codecUiCredential,
    rateLimitPerMinute: config.rateLimitPerMinute,
    limits: {
      validationReportMaxAgeMs: config.apiLimits.validationReportMaxAgeSeconds * 1000,
      validationsRunningPerOrg: config.apiLimits.validationsRunningPerOrg,
      fanOutConcurrency: config.apiLimits.fanOutConcurrency,
      runWaitMs: config.apiLimits.runWaitSeconds * 1000,
    },
    customSeriesPerOrg: config.monitoring.customSeriesPerOrg,
  };
}

/**
 * Everything createApp needs, as the API runs it: the one place it is built, by api/main.ts and by
 * the test API alike. The connectors are the worker's kind (composition/platform-connectors.ts): the
 * API's live reads spend the fleet's platform quotas and are timed.
 */
export function createApiDeps(resources: ApiResources, settings: ApiSettings, overrides: { oauth?: PlatformOAuthDeps } = {}): AppDeps {
  const { db, temporal, metrics } = resources;
  return {
    db,
    temporal,
    taskQueue: settings.taskQueue,
    schedules: createConnectionSyncSchedules(temporal, settings.taskQueue, { callTimeoutMs: settings.scheduleCallTimeoutMs }),
    vault: resources.vault,
    connectors: createPlatformConnectors({
      db,
      metrics,
      quotas: settings.connectors.quotas,
      baseUrls: settings.connectors.baseUrls,
      network: settings.connectors.network,
      timeoutMs: settings.connectors.timeoutMs,
      maxQuotaWaitSeconds: settings.connectors.maxQuotaWaitSeconds,
    }),
    platformNetwork: settings.connectors.network,
    jwtSecret: settings.jwtSecret,
    oauth: overrides.oauth ?? { client: createPlatformOAuthClient(settings.oauth), stateTtlSeconds: settings.oauth.stateTtlSeconds },
    logger: resources.logger,
    metrics,
    customMetrics: createCustomMetricExporter({ processRegistry: metrics, maxSeriesPerOrg: settings.customSeriesPerOrg }),
    payloadCodec: resources.payloadCodec,
    codecCorsOrigins: settings.codecCorsOrigins,
    codecUiCredential: settings.codecUiCredential,
    rateLimitPerMinute: settings.rateLimitPerMinute,
    limits: settings.limits,
  };
}
