import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrate';
import { startPostgres } from '../../db/postgres-server';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { FAILURE_CONVERTER_PATH } from '../../security/payload-codec';
import { type SharedTestInfra, TEST_ENV } from './test-env';

const ROOT = resolve(__dirname, '..', '..');

/**
 * One Postgres and one Temporal dev server for the whole run, and the workflow code bundled once.
 * Test files reach them through the environment variables in TEST_ENV.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = join(ROOT, '.data', 'test');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const postgres = await startPostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: join(dataDir, 'postgres'),
    port: Number(process.env.TEST_EMBEDDED_POSTGRES_PORT ?? 54339),
    database: 'liftos_test',
  });
  const database = createDatabase(postgres.url, { max: 1 });
  await migrateToLatest(database.db);
  await database.close();

  const cli = process.env.TEMPORAL_CLI ?? join(ROOT, '.tools', 'temporal');
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      ip: '127.0.0.1',
      searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error'],
    },
  });

  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const bundlePath = join(dataDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  process.env[TEST_ENV.databaseUrl] = postgres.url;
  process.env[TEST_ENV.temporalAddress] = temporal.address;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
  process.env[TEST_ENV.dataDir] = dataDir;
  (globalThis as unknown as { __liftosTestInfra: SharedTestInfra }).__liftosTestInfra = { postgres, temporal };
}
