import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { type AlertEvaluationActivityDeps, type RolloutRollbacks, createAlertEvaluationActivities } from '../activities/alert-evaluation-activities';
import { createDataRetentionActivities } from '../activities/data-retention-activities';
import { createIntegrationTestActivities, type IntegrationTestSettings } from '../activities/integration-test-activities';
import { createKeyRotationActivities } from '../activities/key-rotation-activities';
import { createMaintenanceActivities } from '../activities/maintenance-activities';
import { createMemoryHandoffActivities, type MemoryHandoffActivityDeps } from '../activities/memory-handoff-activities';
import { createNotificationActivities } from '../activities/notification-activities';
import { createRolloutActivities } from '../activities/rollout-activities';
import { createScheduleReconciliationActivities } from '../activities/schedule-reconciliation-activities';
import { createSourceFallbackActivities } from '../activities/source-fallback-activities';
import { createSyncActivities, type SyncActivityDeps } from '../activities/sync-activities';
import { createTokenRefreshActivities, type TokenRefreshActivityDeps } from '../activities/token-refresh-activities';
import { createValidationActivities } from '../activities/validation-activities';
import type { Config } from '../config/config';
import type { OAuthConfig } from '../config/oauth-platforms';
import { createPlatformOAuthClient, type PlatformOAuthClient } from '../connectors/oauth/platform-oauth-client';
import { createPlatformNetwork, type PlatformNetwork } from '../connectors/platform-network';
import type { PlatformRequestLimiter } from '../connectors/quota-limited-registry';
import type { ConnectorRegistry } from '../connectors/registry';
import { latestValidationScore } from '../db/repositories/validation-reports';
import type { Database } from '../db/schema';
import type { AlertRule } from '../domain/alert-rules';
import type { PlatformQuotas } from '../domain/platform-quotas';
import type { PlatformId } from '../domain/platforms';
import { createAlertMetrics } from '../observability/alert-metrics';
import { createSyncMetrics } from '../observability/sync-metrics';
import { createConnectionSyncSchedules } from '../schedules/connection-sync-schedule';
import type { CredentialVault } from '../security/credential-vault';
import { createSyncCredentialRefresher } from '../services/connection-token-refresh';
import type { ConnectActivities } from '../workers/connect-worker';
import { createRolloutRollbackSignal } from '../workflow-clients/rollout';
import { createPlatformConnectors } from './platform-connectors';

/** What a worker process has opened before its activities exist: connections, the vault, the metrics registry. */
export interface WorkerResources {
  db: Kysely<Database>;
  /** The pool behind `db` (page writes use COPY). */
  pool: pg.Pool;
  vault: CredentialVault;
  /** Manages connections' Schedules, checks workers before a rollout and signals rollbacks. */
  temporal: Client;
  /** Where the sync, alert, quota and platform request metrics are registered (a registry holds one worker's). */
  metrics: Registry;
}

/** The worker's settings, all from configuration (see workerSettingsFrom). */
export interface WorkerSettings {
  /** The task queue whose workflows connections' Schedules start. */
  taskQueue: string;
  sync: SyncActivityDeps['settings'];
  connectors: {
    quotas: PlatformQuotas;
    baseUrls: Partial<Record<PlatformId, string>>;
    network: PlatformNetwork;
    /** Per platform request; the connectors' default when unset. */
    timeoutMs?: number;
  };
  oauth: Pick<OAuthConfig, 'platforms'>;
  tokenRefresh: NonNullable<TokenRefreshActivityDeps['settings']>;
  memory: MemoryHandoffActivityDeps['settings'];
  notificationWebhookUrl: string | undefined;
  alerting: Pick<AlertEvaluationActivityDeps, 'webhook' | 'retentionDays'>;
  /** The integration suite's probe and page counts; the activities' defaults when unset. */
  integrationTests?: Partial<IntegrationTestSettings>;
}

/** What a test replaces beyond settings: parts production builds itself. */
export interface WorkerActivityOverrides {
  /** The clock of every activity that reads one. */
  now?: () => Date;
  /** The registry the quotas and request timing wrap (an instrumented or faulty one); the live connectors otherwise. */
  baseConnectors?: ConnectorRegistry;
  /** Replaces the Postgres quota limiter (a test holding requests). */
  limiter?: PlatformRequestLimiter;
  oauth?: PlatformOAuthClient;
  /** Replaces the sync's token refresh after a rejected credential. */
  refreshCredentials?: SyncActivityDeps['refreshCredentials'];
  /** Replaces the rollout signal the alert evaluation rolls back with. */
  rollbacks?: RolloutRollbacks;
  /** Replaces the default alert rules. */
  alertRules?: readonly AlertRule[];
}

/** How long one `syncStreamPages` call pages before handing its progress back to the workflow. */
const SYNC_CHUNK_BUDGET_MS = 10_000;

/** The worker's settings from the loaded configuration: a pure mapping, the same for a deployment and a test. */
export function workerSettingsFrom(config: Config): WorkerSettings {
  return {
    taskQueue: config.temporal.taskQueue,
    sync: { defaultWindowDays: config.sync.defaultWindowDays, pageSize: config.sync.pageSize, chunkBudgetMs: SYNC_CHUNK_BUDGET_MS, ...config.syncPolicy },
    connectors: {
      quotas: config.platformQuotas,
      baseUrls: config.platformBaseUrls,
      network: createPlatformNetwork({ allowLoopback: config.allowLoopbackPlatformHosts }),
    },
    oauth: config.oauth,
    tokenRefresh: { refreshSkewMs: config.oauth.refreshSkewSeconds * 1000 },
    memory: { url: config.memory.serviceUrl, batchSize: config.memory.batchSize },
    notificationWebhookUrl: config.notificationWebhookUrl,
    alerting: { webhook: { url: config.monitoring.webhookUrl, secret: config.monitoring.webhookSecret }, retentionDays: config.monitoring.retentionDays },
  };
}

/**
 * Every activity the workflows call, as a worker runs them: the one place they are built, by
 * workers/main.ts and by the test harness alike. One connector registry (fleet quotas, request
 * timing) serves the syncs and the integration suites.
 */
export function createWorkerActivities(resources: WorkerResources, settings: WorkerSettings, overrides: WorkerActivityOverrides = {}): ConnectActivities {
  const { db, vault } = resources;
  const now = overrides.now;
  const schedules = createConnectionSyncSchedules(resources.temporal, settings.taskQueue);
  const tokenRefreshDeps = { db, vault, oauth: overrides.oauth ?? createPlatformOAuthClient(settings.oauth), schedules, now };
  const connectors = createPlatformConnectors({
    db,
    metrics: resources.metrics,
    quotas: settings.connectors.quotas,
    baseUrls: settings.connectors.baseUrls,
    network: settings.connectors.network,
    timeoutMs: settings.connectors.timeoutMs,
    base: overrides.baseConnectors,
    limiter: overrides.limiter,
  });
  return {
    ...createSyncActivities({
      db,
      pool: resources.pool,
      vault,
      connectors,
      metrics: createSyncMetrics(resources.metrics),
      schedules,
      refreshCredentials: overrides.refreshCredentials ?? createSyncCredentialRefresher(tokenRefreshDeps),
      settings: settings.sync,
      now,
    }),
    ...createNotificationActivities({ db, webhookUrl: settings.notificationWebhookUrl, now }),
    ...createKeyRotationActivities({ db, vault }),
    ...createMaintenanceActivities({ db, now }),
    ...createDataRetentionActivities({ db, now }),
    ...createScheduleReconciliationActivities({ db, schedules }),
    ...createTokenRefreshActivities({ ...tokenRefreshDeps, settings: settings.tokenRefresh }),
    ...createSourceFallbackActivities({ db }),
    ...createMemoryHandoffActivities({ db, settings: settings.memory }),
    ...createValidationActivities({ db, now }),
    ...createAlertEvaluationActivities({
      db,
      rollbacks: overrides.rollbacks ?? createRolloutRollbackSignal(resources.temporal),
      ...settings.alerting,
      metrics: createAlertMetrics(resources.metrics),
      rules: overrides.alertRules,
      now,
    }),
    ...createRolloutActivities({ db, temporal: resources.temporal, platformBaseUrls: settings.connectors.baseUrls, now }),
    ...createIntegrationTestActivities({
      db,
      vault,
      connectors,
      validationScore: (connectionId) => latestValidationScore(db, connectionId),
      settings: settings.integrationTests,
      now,
    }),
  };
}
