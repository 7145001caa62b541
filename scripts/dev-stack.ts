import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { type PostgresServer, startPostgres } from '../db/postgres-server';
import { signAccessToken } from '../security/access-token';
import { startSupervised, type SupervisedRun } from './process-supervisor';
import { startServiceProcess, waitFor } from './service-process';
import { isLoopbackName } from '../connectors/platform-network';
import { classifyAddress } from '../security/public-address';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';

/**
 * ./scripts/start: Postgres (DATABASE_URL or embedded under .data/), migrations, the Temporal
 * dev server (unless TEMPORAL_ADDRESS points elsewhere), the worker and the API. Each process it
 * runs is supervised: one that dies is restarted with backoff while the others keep running.
 * Ctrl-C stops them in reverse order; data stays under .data/ for the next start.
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
  const shuttingDown = () => stopping;
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // Bundling takes seconds: done while Postgres and Temporal start.
    const bundling = bundleWorkflows(config.dataDir);
    bundling.catch(() => {}); // awaited below; a failure before then must not go unhandled
    const postgresOptions = {
      databaseUrl: config.databaseUrl,
      dataDir: join(config.dataDir, 'postgres'),
      port: config.embeddedPostgresPort,
      database: 'liftos',
    };
    const postgres = await startPostgres(postgresOptions);
    if (postgres.process) {
      // Same port and data directory on every restart: clients reconnect to the same URL.
      // Its first run is the one started above (migrations needed it); restarts start it again.
      let first: PostgresServer | undefined = postgres;
      const supervisor = await startSupervised(
        'postgres',
        async () => {
          const server = first ?? (await startPostgres(postgresOptions));
          first = undefined;
          return asRun(server);
        },
        { log, shuttingDown },
      );
      stops.push(supervisor.stop);
    } else {
      stops.push(postgres.stop);
    }
    const database = createDatabase(postgres.url, { max: 1 });
    await migrateToLatest(database.db);
    await database.close();

    let temporalAddress = config.temporal.address;
    let uiUrl = "your Temporal server's Web UI";
    let codecUiCredential = config.codecUiCredential;
    if (!process.env.TEMPORAL_ADDRESS) {
      // The Web UI decodes payloads through the API's codec server with a credential that can only
      // decode, made anew at each start (the previous start's stops working).
      const credential = randomBytes(32).toString('base64url');
      codecUiCredential = credential;
      // A restart reuses the SQLite file (--db-filename): workflow histories survive it.
      let server: TemporalDevServer | undefined;
      const supervisor = await startSupervised(
        'temporal dev server',
        async () =>
          (server = await startTemporalDevServer({
            cli: process.env.TEMPORAL_CLI ?? 'temporal',
            dataDir: config.dataDir,
            port: config.temporalDevServer.port,
            uiPort: config.temporalDevServer.uiPort,
            uiCodecEndpoint: `http://127.0.0.1:${config.apiPort}/codec/${credential}`,
          })),
        { log, shuttingDown },
      );
      stops.push(supervisor.stop);
      temporalAddress = server!.address;
      uiUrl = server!.uiUrl;
    }

    // Platforms pointed at local emulators need loopback hosts allowed; an explicit ALLOW_LOOPBACK_PLATFORM_HOSTS wins.
    const emulated = loopbackPlatforms(config.platformBaseUrls);
    const allowLoopback = process.env.ALLOW_LOOPBACK_PLATFORM_HOSTS ?? (emulated.length > 0 ? 'true' : 'false');
    if (allowLoopback === 'true')
      console.warn(`warning: loopback platform hosts allowed (development setting)${emulated.length > 0 ? ` for ${emulated.join(', ')} on loopback` : ''}`);
    // Secrets resolved once here (with one warning for dev secrets), then handed down.
    const env = {
      ...process.env,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporalAddress,
      DATA_DIR: config.dataDir,
      JWT_SECRET: config.jwtSecret,
      CREDENTIALS_KEYS: config.credentialsKeys.spec,
      PAYLOAD_CODEC_KEYS: config.payloadCodecKeys.spec,
      ALLOW_LOOPBACK_PLATFORM_HOSTS: allowLoopback,
      WORKFLOW_BUNDLE_PATH: await bundling,
    };
    for (const [name, entry] of [
      ['worker', 'workers/main.ts'],
      ['api', 'api/main.ts'],
    ] as const) {
      // Only the API checks the codec credential; it reaches it by environment, not argv.
      const processEnv = name === 'api' && codecUiCredential ? { ...env, CODEC_UI_CREDENTIAL: codecUiCredential } : env;
      const supervisor = await startSupervised(name, async () => startServiceProcess(entry, { env: processEnv }), { log, shuttingDown });
      stops.push(supervisor.stop);
    }
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    await waitFor(
      () => fetch(`${apiUrl}/health`).then((r) => r.ok),
      (ok) => ok,
      { timeoutMs: 60_000, what: 'API health' },
    );

    const token = await signAccessToken({ orgId: 'demo-org', userId: 'demo-admin', role: 'admin' }, config.jwtSecret, 7 * 24 * 3600);
    console.log(
      [
        '',
        'LiftOS Connect is running.',
        `  API:            ${apiUrl}  (health: ${apiUrl}/health)`,
        `  API metrics:    http://${config.metricsHost}:${config.apiMetricsPort}/metrics  (its own port: custom series carry org ids)`,
        `  Worker metrics: http://${config.metricsHost}:${config.workerMetricsPort}/metrics`,
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

/** The platforms whose `<PLATFORM>_BASE_URL` is on this machine (an emulator). */
function loopbackPlatforms(baseUrls: Partial<Record<string, string>>): string[] {
  return Object.entries(baseUrls)
    .filter(
      ([, url]) => url !== undefined && URL.canParse(url) && (classifyAddress(new URL(url).hostname) === 'loopback' || isLoopbackName(new URL(url).hostname)),
    )
    .map(([platform]) => platform);
}

/** Bundled once per start, so a worker restarted after a crash skips the bundling (seconds). */
async function bundleWorkflows(dataDir: string): Promise<string> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet });
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'workflow-bundle.js');
  writeFileSync(path, code);
  return path;
}

/** Supervision's console lines, marked as the start script's own among the services' output. */
function log(line: string): void {
  console.log(`[start] ${line}`);
}

function asRun(postgres: PostgresServer): SupervisedRun {
  return { pid: postgres.process!.pid, exit: postgres.process!.exit, stop: postgres.stop };
}

void main();
