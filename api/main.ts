import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../config/config';
import { createPlatformConnectors } from '../connectors/platform-connectors';
import { createPlatformNetwork } from '../connectors/platform-network';
import { createDatabase } from '../db/database';
import { createLogger } from '../observability/logger';
import { createCredentialVault } from '../security/credential-vault';
import { createDataConverter, createPayloadCodec } from '../security/payload-codec';
import { createConnectionSyncSchedules, SCHEDULE_CALL_TIMEOUT_MS } from '../schedules/connection-sync-schedule';
import { createPlatformOAuthClient } from '../connectors/oauth/platform-oauth-client';
import { startMetricSampler } from '../observability/metric-sampler';
import { createApp } from './app';
import { createCustomMetricExporter } from '../observability/custom-metric-exporter';
import { startApiMetricsServer } from '../observability/api-metrics-server';

/** The API process: composes dependencies, serves until SIGINT/SIGTERM, then closes everything. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'api', level: process.env.LOG_LEVEL ?? 'info' });
  const config = loadConfig(process.env, (m) => logger.warn(m));
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required (./scripts/start sets it for the embedded database)');

  const database = createDatabase(config.databaseUrl, { onIdleError: (err) => logger.warn({ error: err.message }, 'idle Postgres connection lost') });
  const connection = await Connection.connect({ address: config.temporal.address });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const customMetrics = createCustomMetricExporter({ processRegistry: metrics, maxSeriesPerOrg: config.monitoring.customSeriesPerOrg });
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: await createDataConverter(config.payloadCodecKeys.keyring) });
  const platformNetwork = createPlatformNetwork({ allowLoopback: config.allowLoopbackPlatformHosts });
  const app = createApp({
    db: database.db,
    temporal,
    // Bounded, so a request answers while Temporal is down; the reconciler applies what was left.
    schedules: createConnectionSyncSchedules(temporal, config.temporal.taskQueue, { callTimeoutMs: SCHEDULE_CALL_TIMEOUT_MS }),
    oauth: { client: createPlatformOAuthClient(config.oauth), stateTtlSeconds: config.oauth.stateTtlSeconds },
    // The Web UI shows any payload, including plaintext ones written before encryption.
    payloadCodec: await createPayloadCodec(config.payloadCodecKeys.keyring, { plaintext: 'pass' }),
    codecCorsOrigins: config.codecCorsOrigins,
    codecUiCredential: config.codecUiCredential,
    taskQueue: config.temporal.taskQueue,
    vault: await createCredentialVault(config.credentialsKeys.keyring),
    // The same quota-spending, timed registry as the worker's: API reads spend the fleet's platform quotas.
    connectors: createPlatformConnectors({
      db: database.db,
      metrics,
      quotas: config.platformQuotas,
      baseUrls: config.platformBaseUrls,
      network: platformNetwork,
      maxQuotaWaitSeconds: config.apiLimits.quotaMaxWaitSeconds,
    }),
    platformNetwork,
    jwtSecret: config.jwtSecret,
    logger,
    metrics,
    customMetrics,
    rateLimitPerMinute: config.rateLimitPerMinute,
    limits: {
      validationReportMaxAgeMs: config.apiLimits.validationReportMaxAgeSeconds * 1000,
      validationsRunningPerOrg: config.apiLimits.validationsRunningPerOrg,
      fanOutConcurrency: config.apiLimits.fanOutConcurrency,
    },
  });
  const sampler = startMetricSampler({ registry: metrics, db: database.db, source: 'api', intervalMs: config.monitoring.sampleIntervalSeconds * 1000, logger });
  const server = serve({ fetch: app.fetch, port: config.apiPort, hostname: '0.0.0.0' }, (info) => logger.info({ port: info.port }, 'API listening'));
  const metricsServer = await startApiMetricsServer({ metrics, customMetrics, port: config.apiMetricsPort, hostname: config.metricsHost });
  logger.info({ port: metricsServer.port, host: config.metricsHost }, 'API metrics listening');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await metricsServer.close();
    await sampler.stop();
  } finally {
    await connection.close();
    await database.close();
    logger.info('API stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
