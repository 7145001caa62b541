import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startPostgres } from '../db/postgres-server';
import { signAccessToken } from '../security/access-token';
import { startServiceProcess, waitFor } from './service-process';
import { startTemporalDevServer } from './temporal-dev-server';


/**
 * ./scripts/start: Postgres (DATABASE_URL or embedded under .data/), migrations, the Temporal
 * dev server (unless TEMPORAL_ADDRESS points elsewhere), the worker and the API. Ctrl-C stops
 * them in reverse order; data stays under .data/ for the next start.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, (m) => console.warn(`warning: ${m}`));
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(err));
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const postgres = await startPostgres({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'postgres'), port: config.embeddedPostgresPort, database: 'liftos' });
    stops.push(postgres.stop);
    const database = createDatabase(postgres.url, { max: 1 });
    await migrateToLatest(database.db);
    await database.close();

    let temporalAddress = config.temporal.address;
    let uiUrl = 'your Temporal server\'s Web UI';
    let codecUiCredential = config.codecUiCredential;
    if (!process.env.TEMPORAL_ADDRESS) {
      const [, port] = temporalAddress.split(':');
      // The Web UI decodes payloads through the API's codec server with a credential that can only
      // decode, made anew at each start (the previous start's stops working).
      codecUiCredential = randomBytes(32).toString('base64url');
      const server = await startTemporalDevServer({
        cli: process.env.TEMPORAL_CLI ?? 'temporal',
        dataDir: config.dataDir,
        port: Number(port ?? 7233),
        uiPort: 8233,
        uiCodecEndpoint: `http://127.0.0.1:${config.apiPort}/codec/${codecUiCredential}`,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    // Secrets resolved once here (with one warning for dev secrets), then handed down.
    const env = {
      ...process.env,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporalAddress,
      DATA_DIR: config.dataDir,
      JWT_SECRET: config.jwtSecret,
      CREDENTIALS_KEYS: config.credentialsKeys.spec,
      PAYLOAD_CODEC_KEYS: config.payloadCodecKeys.spec,
    };
    stops.push(runService('worker', 'workers/main.ts', env, stopAll));
    // Only the API checks the codec credential; it reaches it by environment, not argv.
    stops.push(runService('api', 'api/main.ts', { ...env, ...(codecUiCredential ? { CODEC_UI_CREDENTIAL: codecUiCredential } : {}) }, stopAll));
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    await waitFor(() => fetch(`${apiUrl}/health`).then((r) => r.ok), (ok) => ok, { timeoutMs: 60_000, what: 'API health' });

    const token = await signAccessToken({ orgId: 'demo-org', userId: 'demo-admin', role: 'admin' }, config.jwtSecret, 7 * 24 * 3600);
    console.log(
      [
        '',
        'LiftOS Connect is running.',
        `  API:            ${apiUrl}  (health: ${apiUrl}/health, metrics: ${apiUrl}/metrics)`,
        `  Worker metrics: http://127.0.0.1:${config.workerMetricsPort}/metrics`,
        `  Temporal UI:    ${uiUrl}  (filter runs with: OrgId="demo-org")`,
        `  Postgres:       ${postgres.url.replace(/:[^:@/]+@/, ':***@')}`,
        `  Admin token (org demo-org, 7 days):`,
        `    export TOKEN=${token}`,
        `  Operator token (codec, key rotation, deployment-wide alerts): npm run --silent token -- --operator --user YOU`,
        '',
        'Try it: see README.md, "Walk through". Ctrl-C stops everything; data stays in .data/.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

/** Runs one of our processes; if it dies on its own, the whole stack stops rather than limp on. */
function runService(name: string, entry: string, env: NodeJS.ProcessEnv, stopAll: (code: number) => Promise<void>): () => Promise<void> {
  const service = startServiceProcess(entry, { env });
  let expected = false;
  void service.exited.then((code) => {
    if (expected) return;
    console.error(`${name} exited unexpectedly (code ${code})`);
    void stopAll(1);
  });
  return async () => {
    expected = true;
    await service.stop();
  };
}

void main();
