import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes, randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createKeyRotationActivities } from '../../activities/key-rotation-activities';
import { createMaintenanceActivities } from '../../activities/maintenance-activities';
import { createScheduleReconciliationActivities } from '../../activities/schedule-reconciliation-activities';
import { createTokenRefreshActivities } from '../../activities/token-refresh-activities';
import { createValidationActivities } from '../../activities/validation-activities';
import { createAlertEvaluationActivities, type AlertEvaluationActivityDeps } from '../../activities/alert-evaluation-activities';
import { createRolloutActivities } from '../../activities/rollout-activities';
import { createPlatformOAuthClient, type PlatformOAuthClient } from '../../connectors/oauth/platform-oauth-client';
import { createSyncActivities, type SyncActivityDeps } from '../../activities/sync-activities';
import { createSourceFallbackActivities } from '../../activities/source-fallback-activities';
import { createMemoryHandoffActivities, type MemoryHandoffActivityDeps } from '../../activities/memory-handoff-activities';
import { createIntegrationTestActivities, type IntegrationTestActivityDeps } from '../../activities/integration-test-activities';
import { type ConnectorRegistry, createConnectorRegistry } from '../../connectors/registry';
import { EMULATOR_NETWORK } from './connector-test-kit';
import { createNotificationActivities } from '../../activities/notification-activities';
import type { PlatformRequestLimiter } from '../../connectors/quota-limited-registry';
import { createPlatformConnectors } from '../../connectors/platform-connectors';
import type { PlatformQuotas } from '../../domain/platform-quotas';
import { PLATFORM_IDS } from '../../domain/platforms';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { PLATFORM_REQUEST_DURATION_METRIC } from '../../domain/metric-sample';
import { startMetricSampler } from '../../observability/metric-sampler';
import { createSyncMetrics } from '../../observability/sync-metrics';
import { type CredentialVault, createCredentialVault } from '../../security/credential-vault';
import { parseKeyring } from '../../security/keyring';
import { createDataConverter } from '../../security/payload-codec';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { PlatformId } from '../../domain/platforms';
import { createConnectWorker } from '../../workers/connect-worker';
import { createConnectionSyncSchedules } from '../../schedules/connection-sync-schedule';
import { testEnv } from './test-env';

/** What a test file needs: the shared Postgres and Temporal server, a vault, and fresh names. */
export interface TestHarness {
  database: DatabaseHandle;
  temporal: TestWorkflowEnvironment;
  vault: CredentialVault;
  /** CREDENTIALS_KEYS of the vault, for processes the test starts. */
  credentialsKeys: string;
  /** The payload codec every client and worker of the test uses, and its PAYLOAD_CODEC_KEYS. */
  payloadCodec: PayloadCodec;
  payloadCodecKeys: string;
  /** The data converter (codec and failure converter) of every client and worker of the test. */
  dataConverter: DataConverter;
  close(): Promise<void>;
}

/** Expected failures (auth errors, cancellations) would otherwise flood the output at WARN. */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed in this module registry
  }
}

export async function openTestHarness(options: { payloadCodecKeys?: string } = {}): Promise<TestHarness> {
  installQuietRuntime();
  const database = createDatabase(testEnv('databaseUrl'), { max: 5 });
  // A fixed key only where a test must decode payloads across runs (recorded replay histories).
  const payloadCodecKeys = options.payloadCodecKeys ?? `p1:${randomBytes(32).toString('base64')}`;
  const dataConverter = await createDataConverter(parseKeyring(payloadCodecKeys, 'PAYLOAD_CODEC_KEYS'));
  const payloadCodec = dataConverter.payloadCodecs[0];
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: testEnv('temporalAddress'), client: { dataConverter } });
  const credentialsKeys = `v1:${randomBytes(32).toString('base64')}`;
  return {
    database,
    temporal,
    payloadCodec,
    payloadCodecKeys,
    dataConverter,
    vault: await createCredentialVault(parseKeyring(credentialsKeys)),
    credentialsKeys,
    async close() {
      await temporal.teardown();
      await database.close();
    },
  };
}

/** Quotas of no platform: the limiter admits every request without a bucket. */
export const NO_PLATFORM_QUOTAS: PlatformQuotas = Object.fromEntries(PLATFORM_IDS.map((p) => [p, []])) as unknown as PlatformQuotas;

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A real worker on its own task queue, with real activities over the given dependencies. */
export async function startTestSyncWorker(
  harness: TestHarness,
  options: {
    taskQueue: string;
    baseUrls?: Partial<Record<PlatformId, string>>;
    settings?: Partial<SyncActivityDeps['settings']>;
    vault?: CredentialVault;
    refreshCredentials?: SyncActivityDeps['refreshCredentials'];
    /** The platforms' OAuth clients, for token refresh activities. */
    oauth?: PlatformOAuthClient;
    /** Replaces the connector registry (built from `baseUrls` otherwise). */
    connectors?: ConnectorRegistry;
    /** The Memory Service hand-off; skipped (no URL) unless given. */
    memory?: Partial<MemoryHandoffActivityDeps['settings']>;
    /** Settings of the integration test activities (probe requests, pages, page size). */
    integrationTests?: IntegrationTestActivityDeps['settings'];
    /** The alert evaluation's dependencies (rollbacks refused and no webhook unless given). */
    alerting?: Partial<Omit<AlertEvaluationActivityDeps, 'db'>>;
    /** The sync activities' clock (today's date decides incremental windows). */
    now?: () => Date;
    notificationWebhookUrl?: string;
    /** Live page requests spend through this limiter (workers/main.ts always has one). */
    limiter?: PlatformRequestLimiter;
    /** Platform quotas of the Postgres limiter (none unless given; `limiter` replaces it). */
    quotas?: PlatformQuotas;
    /**
     * Writes the worker's platform request timings to metric_samples this often, as workers/main.ts's
     * sampler does (only that metric: other test files read the table's sync and alert series).
     */
    platformRequestSampleMs?: number;
  },
) {
  const metricsRegistry = new Registry();
  // The registry workers/main.ts composes; no quotas unless the test gives a limiter.
  const connectors = createPlatformConnectors({
    db: harness.database.db,
    metrics: metricsRegistry,
    quotas: options.quotas ?? NO_PLATFORM_QUOTAS,
    limiter: options.limiter,
    base: options.connectors ?? createConnectorRegistry({ baseUrls: options.baseUrls, timeoutMs: 5_000, network: EMULATOR_NETWORK }),
  });
  const syncActivities = createSyncActivities({
    db: harness.database.db,
    pool: harness.database.pool,
    vault: options.vault ?? harness.vault,
    connectors,
    metrics: createSyncMetrics(metricsRegistry),
    settings: { defaultWindowDays: 30, chunkBudgetMs: 5_000, lookbackDays: 7, failureWarningAfter: 3, failureDisableAfter: 6, ...options.settings },
    now: options.now,
    refreshCredentials: options.refreshCredentials,
    schedules: createConnectionSyncSchedules(harness.temporal.client, options.taskQueue),
  });
  const scheduleReconciliation = createScheduleReconciliationActivities({ db: harness.database.db, schedules: createConnectionSyncSchedules(harness.temporal.client, options.taskQueue) });
  const activities = {
    ...syncActivities,
    ...createKeyRotationActivities({ db: harness.database.db, vault: options.vault ?? harness.vault }),
    ...createMaintenanceActivities({ db: harness.database.db }),
    ...scheduleReconciliation,
    ...createNotificationActivities({ db: harness.database.db, webhookUrl: options.notificationWebhookUrl }),
    ...createTokenRefreshActivities({ db: harness.database.db, vault: options.vault ?? harness.vault, oauth: options.oauth ?? createPlatformOAuthClient({ platforms: {} }), settings: {} }),
    ...createSourceFallbackActivities({ db: harness.database.db }),
    ...createMemoryHandoffActivities({ db: harness.database.db, settings: { url: undefined, batchSize: 500, ...options.memory } }),
    ...createValidationActivities({ db: harness.database.db }),
    ...createAlertEvaluationActivities({
      db: harness.database.db,
      rollbacks: { requestRollback: async () => { throw new Error('no rollbacks in this test'); } },
      webhook: { url: undefined, secret: undefined },
      retentionDays: 14,
      ...options.alerting,
    }),
    ...createRolloutActivities({ db: harness.database.db, temporal: harness.temporal.client, platformBaseUrls: options.baseUrls }),
    ...createIntegrationTestActivities({
      db: harness.database.db,
      vault: options.vault ?? harness.vault,
      connectors,
      settings: options.integrationTests,
    }),
  };
  const worker = await createConnectWorker({
    connection: harness.temporal.nativeConnection,
    namespace: 'default',
    taskQueue: options.taskQueue,
    activities,
    dataConverter: harness.dataConverter,
    workflowBundlePath: testEnv('workflowBundle'),
  });
  const running = worker.run();
  const sampler = options.platformRequestSampleMs
    ? startMetricSampler({ registry: metricsRegistry, db: harness.database.db, source: 'worker', intervalMs: options.platformRequestSampleMs, include: (name) => name === PLATFORM_REQUEST_DURATION_METRIC })
    : null;
  return {
    worker,
    metricsRegistry,
    /** Stops the worker and waits until it has drained. */
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await sampler?.stop();
    },
  };
}
