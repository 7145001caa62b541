import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../config/config';
import { apiSettingsFrom, createApiDeps } from '../composition/api-deps';
import { createDatabase } from '../db/database';
import { createLogger } from '../observability/logger';
import { createCredentialVault } from '../security/credential-vault';
import { createDataConverter, createPayloadCodec } from '../security/payload-codec';
import { startMetricSampler } from '../observability/metric-sampler';
import { createApp } from './app';
import { startApiMetricsServer } from '../observability/api-metrics-server';

/** The API process: opens Postgres and Temporal, serves the app over composition/'s dependencies until SIGINT/SIGTERM, then closes everything. */
async function main(): Promise<void> {
  const logger = createLogger({ name: 'api', level: process.env.LOG_LEVEL ?? 'info' });
  const config = loadConfig(process.env, (m) => logger.warn(m));
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required (./scripts/start sets it for the embedded database)');

  const database = createDatabase(config.databaseUrl, { onIdleError: (err) => logger.warn({ error: err.message }, 'idle Postgres connection lost') });
  const connection = await Connection.connect({ address: config.temporal.address });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: await createDataConverter(config.payloadCodecKeys.keyring) });
  const deps = createApiDeps(
    {
      db: database.db,
      temporal,
      vault: await createCredentialVault(config.credentialsKeys.keyring),
      // The Web UI shows any payload, including plaintext ones written before encryption.
      payloadCodec: await createPayloadCodec(config.payloadCodecKeys.keyring, { plaintext: 'pass' }),
      metrics,
      logger,
    },
    apiSettingsFrom(config),
  );
  const app = createApp(deps);
  const sampler = startMetricSampler({ registry: metrics, db: database.db, source: 'api', intervalMs: config.monitoring.sampleIntervalSeconds * 1000, logger });
  const server = serve({ fetch: app.fetch, port: config.apiPort, hostname: '0.0.0.0' }, (info) => logger.info({ port: info.port }, 'API listening'));
  const metricsServer = await startApiMetricsServer({ metrics, customMetrics: deps.customMetrics, port: config.apiMetricsPort, hostname: config.metricsHost });
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
