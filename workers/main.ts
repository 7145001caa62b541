import { NativeConnection, Runtime } from '@temporalio/worker';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Client, Connection } from '@temporalio/client';
import { createKeyRotationActivities } from '../activities/key-rotation-activities';
import { createMaintenanceActivities } from '../activities/maintenance-activities';
import { createSyncCredentialRefresher } from '../services/connection-token-refresh';
import { createTokenRefreshActivities } from '../activities/token-refresh-activities';
import { createPlatformOAuthClient } from '../connectors/oauth/platform-oauth-client';
import { createConnectionSyncSchedules } from '../schedules/connection-sync-schedule';
import { ensureOAuthStateCleanupSchedule } from '../schedules/oauth-state-cleanup-schedule';
import { createSyncActivities } from '../activities/sync-activities';
import { createSourceFallbackActivities } from '../activities/source-fallback-activities';
import { createMemoryHandoffActivities } from '../activities/memory-handoff-activities';
import { createValidationActivities } from '../activities/validation-activities';
import { createRolloutActivities } from '../activities/rollout-activities';
import { ensureDataValidationSchedule } from '../schedules/data-validation-schedule';
import { createAlertEvaluationActivities } from '../activities/alert-evaluation-activities';
import { createIntegrationTestActivities } from '../activities/integration-test-activities';
import { latestValidationScore } from '../db/repositories/validation-reports';
import { ensureAlertEvaluationSchedule } from '../schedules/alert-evaluation-schedule';
import { ensureConnectionScheduleReconciliationSchedule } from '../schedules/connection-schedule-reconciliation-schedule';
import { createScheduleReconciliationActivities } from '../activities/schedule-reconciliation-activities';
import { createAlertMetrics } from '../observability/alert-metrics';
import { startMetricSampler } from '../observability/metric-sampler';
import { createRolloutRollbackSignal } from '../workflow-clients/rollout';
import { createNotificationActivities } from '../activities/notification-activities';
import { loadConfig } from '../config/config';
import { createPlatformConnectors } from '../connectors/platform-connectors';
import { createPlatformNetwork } from '../connectors/platform-network';
import { createDatabase } from '../db/database';
import { createLogger } from '../observability/logger';
import { startMetricsServer } from '../observability/metrics-server';
import { createSyncMetrics } from '../observability/sync-metrics';
import { temporalLoggerFrom } from '../observability/temporal-logger';
import { createCredentialVault } from '../security/credential-vault';
import { createDataConverter } from '../security/payload-codec';
import { createConnectWorker } from './connect-worker';

/** The worker process: the composition root of activities, connectors, Postgres and Temporal. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'worker', level: process.env.LOG_LEVEL ?? 'info' });
  const config = loadConfig(process.env, (m) => logger.warn(m));
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required (./scripts/start sets it for the embedded database)');

  Runtime.install({
    logger: temporalLoggerFrom(logger.child({ component: 'temporal' })),
    telemetryOptions: {
      metrics: {
        prometheus: { bindAddress: `127.0.0.1:${config.sdkMetricsPort}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    },
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const database = createDatabase(config.databaseUrl, { onIdleError: (err) => logger.warn({ error: err.message }, 'idle Postgres connection lost') });
  const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities manage Schedules (pausing a connection's syncs) through a client of their own.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const metricsServer = await startMetricsServer({
    registry,
    port: config.workerMetricsPort,
    hostname: config.metricsHost,
    extra: async () => (await fetch(`http://127.0.0.1:${config.sdkMetricsPort}/metrics`)).text(),
  });
  try {
    const dataConverter = await createDataConverter(config.payloadCodecKeys.keyring);
    const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter });
    const vault = await createCredentialVault(config.credentialsKeys.keyring);
    const schedules = createConnectionSyncSchedules(client, config.temporal.taskQueue);
    const tokenRefreshDeps = { db: database.db, vault, oauth: createPlatformOAuthClient(config.oauth), schedules };
    const connectors = createPlatformConnectors({ db: database.db, metrics: registry, quotas: config.platformQuotas, baseUrls: config.platformBaseUrls, network: createPlatformNetwork({ allowLoopback: config.allowLoopbackPlatformHosts }) });
    const activities = {
      ...createSyncActivities({
        db: database.db,
        pool: database.pool,
        vault,
        connectors,
        metrics: createSyncMetrics(registry),
        schedules,
        refreshCredentials: createSyncCredentialRefresher(tokenRefreshDeps),
        settings: { defaultWindowDays: config.sync.defaultWindowDays, pageSize: config.sync.pageSize, chunkBudgetMs: 10_000, ...config.syncPolicy },
      }),
      ...createNotificationActivities({ db: database.db, webhookUrl: config.notificationWebhookUrl }),
      ...createKeyRotationActivities({ db: database.db, vault }),
      ...createMaintenanceActivities({ db: database.db }),
      ...createScheduleReconciliationActivities({ db: database.db, schedules }),
      ...createTokenRefreshActivities({ ...tokenRefreshDeps, settings: { refreshSkewMs: config.oauth.refreshSkewSeconds * 1000 } }),
      ...createSourceFallbackActivities({ db: database.db }),
      ...createMemoryHandoffActivities({ db: database.db, settings: { url: config.memory.serviceUrl, batchSize: config.memory.batchSize } }),
      ...createValidationActivities({ db: database.db }),
      ...createAlertEvaluationActivities({
        db: database.db,
        rollbacks: createRolloutRollbackSignal(client),
        webhook: { url: config.monitoring.webhookUrl, secret: config.monitoring.webhookSecret },
        retentionDays: config.monitoring.retentionDays,
        metrics: createAlertMetrics(registry),
      }),
      ...createRolloutActivities({ db: database.db, temporal: client, platformBaseUrls: config.platformBaseUrls }),
      ...createIntegrationTestActivities({ db: database.db, vault, connectors, validationScore: (connectionId) => latestValidationScore(database.db, connectionId) }),
    };
    // The project's own Schedules exist once any worker has started (creating them is idempotent).
    const staleSchedules = [
      await ensureOAuthStateCleanupSchedule(client, config.temporal.taskQueue),
      await ensureDataValidationSchedule(client, config.temporal.taskQueue),
      await ensureAlertEvaluationSchedule(client, config.temporal.taskQueue),
      config.scheduleReconciliation.intervalMinutes > 0
        ? await ensureConnectionScheduleReconciliationSchedule(client, config.temporal.taskQueue, { intervalMinutes: config.scheduleReconciliation.intervalMinutes })
        : null,
    ];
    for (const reason of staleSchedules) if (reason) logger.warn({ reason }, 'deployment Schedule not brought up to date');
    const sampler = startMetricSampler({ registry, db: database.db, source: 'worker', intervalMs: config.monitoring.sampleIntervalSeconds * 1000, logger });
    const worker = await createConnectWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities,
      dataConverter,
      workflowBundlePath: config.workflowBundlePath,
    });
    logger.info({ taskQueue: config.temporal.taskQueue, metricsPort: metricsServer.port }, 'worker started');
    // Runtime.install shuts the worker down gracefully on SIGINT/SIGTERM; run() resolves once it has drained.
    await worker.run();
    await sampler.stop();
  } finally {
    await metricsServer.close();
    await clientConnection.close();
    await workerConnection.close();
    await database.close();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
