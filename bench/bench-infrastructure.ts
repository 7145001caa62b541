import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabase, type DatabaseHandle } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { type PostgresServer, startPostgres } from '../db/postgres-server';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { parseKeyring } from '../security/keyring';
import { createDataConverter } from '../security/payload-codec';

export interface BenchInfrastructure {
  /** PAYLOAD_CODEC_KEYS shared by the bench's client and the processes it starts. */
  payloadCodecKeys: string;
  postgres: PostgresServer;
  database: DatabaseHandle;
  temporal: TestWorkflowEnvironment;
  close(): Promise<void>;
}

/** A fresh Postgres (DATABASE_URL or embedded under .data/bench) and an in-memory Temporal dev server. */
export async function startBenchInfrastructure(): Promise<BenchInfrastructure> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const root = resolve(__dirname, '..');
  const dataDir = join(root, '.data', 'bench');
  rmSync(dataDir, { recursive: true, force: true });
  const postgres = await startPostgres({ databaseUrl: process.env.DATABASE_URL, dataDir: join(dataDir, 'postgres'), port: 54349, database: 'liftos_bench' });
  const database = createDatabase(postgres.url, { max: 10 });
  await migrateToLatest(database.db);
  const payloadCodecKeys = `p1:${randomBytes(32).toString('base64')}`;
  const dataConverter = await createDataConverter(parseKeyring(payloadCodecKeys, 'PAYLOAD_CODEC_KEYS'));
  const temporal = await TestWorkflowEnvironment.createLocal({
    client: { dataConverter },
    server: {
      executable: { type: 'existing-path', path: process.env.TEMPORAL_CLI ?? join(root, '.tools', 'temporal') },
      ip: '127.0.0.1',
      searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error'],
    },
  });
  return {
    payloadCodecKeys,
    postgres,
    database,
    temporal,
    async close() {
      await temporal.teardown();
      await database.close();
      await postgres.stop();
    },
  };
}

/** The environment of one of our processes (API, worker) pointed at the bench's Postgres and Temporal. */
export function benchServiceEnv(infra: BenchInfrastructure, values: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: infra.postgres.url,
    TEMPORAL_ADDRESS: infra.temporal.address,
    PAYLOAD_CODEC_KEYS: infra.payloadCodecKeys,
    LOG_LEVEL: 'warn',
    ALLOW_LOOPBACK_PLATFORM_HOSTS: 'true',
    ...values,
  };
}
