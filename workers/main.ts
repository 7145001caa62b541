import { NativeConnection, Runtime } from '@temporalio/worker';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { Client, Connection } from '@temporalio/client';
import { ensureOAuthStateCleanupSchedule } from '../schedules/oauth-state-cleanup-schedule';
import { ensureDataValidationSchedule } from '../schedules/data-validation-schedule';
import { ensureAlertEvaluationSchedule } from '../schedules/alert-evaluation-schedule';
import { ensureDataRetentionSchedule } from '../schedules/data-retention-schedule';
import { ensureConnectionScheduleReconciliationSchedule } from '../schedules/connection-schedule-reconciliation-schedule';
import { startMetricSampler } from '../observability/metric-sampler';
import { loadConfig } from '../config/config';
import { createWorkerActivities, workerSettingsFrom } from '../composition/worker-activities';
import { createDatabase } from '../db/database';
import { createLogger } from '../observability/logger';
import { startMetricsServer } from '../observability/metrics-server';
import { temporalLoggerFrom } from '../observability/temporal-logger';
import { createCredentialVault } from '../security/credential-vault';
import { createDataConverter } from '../security/payload-codec';
import { createConnectWorker } from './connect-worker';

/** The worker process: opens Postgres and Temporal, runs the worker over the activities composition/ builds, and shuts down. */
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
    const activities = createWorkerActivities({ db: database.db, pool: database.pool, vault, temporal: client, metrics: registry }, workerSettingsFrom(config));
    // The project's own Schedules exist once any worker has started (creating them is idempotent).
    const staleSchedules = [
      await ensureOAuthStateCleanupSchedule(client, config.temporal.taskQueue),
      await ensureDataValidationSchedule(client, config.temporal.taskQueue),
      await ensureAlertEvaluationSchedule(client, config.temporal.taskQueue),
      await ensureDataRetentionSchedule(client, config.temporal.taskQueue),
      config.scheduleReconciliation.intervalMinutes > 0
        ? await ensureConnectionScheduleReconciliationSchedule(client, config.temporal.taskQueue, {
            intervalMinutes: config.scheduleReconciliation.intervalMinutes,
          })
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
