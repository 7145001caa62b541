import { join } from 'node:path';
import { loadConfig } from '../config/config';
import { createDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import { startPostgres } from '../db/postgres-server';
import { signAccessToken } from '../security/access-token';
import { startServiceProcess, waitFor } from './service-process';
import { isLoopbackName } from '../connectors/platform-network';
import { classifyAddress } from '../security/public-address';
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
    if (!process.env.TEMPORAL_ADDRESS) {
      const [, port] = temporalAddress.split(':');
      // The Web UI decodes payloads through the API's codec server, authorised by a token in its path.
      const uiToken = await signAccessToken({ orgId: 'demo-org', userId: 'temporal-web-ui', role: 'admin' }, config.jwtSecret, 30 * 24 * 3600);
      const server = await startTemporalDevServer({
        cli: process.env.TEMPORAL_CLI ?? 'temporal',
        dataDir: config.dataDir,
        port: Number(port ?? 7233),
        uiPort: 8233,
        uiCodecEndpoint: `http://127.0.0.1:${config.apiPort}/codec/${uiToken}`,
      });
      stops.push(server.stop);
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    // Platforms pointed at local emulators need loopback hosts allowed; an explicit ALLOW_LOOPBACK_PLATFORM_HOSTS wins.
    const emulated = loopbackPlatforms(config.platformBaseUrls);
    const allowLoopback = process.env.ALLOW_LOOPBACK_PLATFORM_HOSTS ?? (emulated.length > 0 ? 'true' : 'false');
    if (allowLoopback === 'true') console.warn(`warning: loopback platform hosts allowed (development setting)${emulated.length > 0 ? ` for ${emulated.join(', ')} on loopback` : ''}`);
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
    };
    stops.push(runService('worker', 'workers/main.ts', env, stopAll));
    stops.push(runService('api', 'api/main.ts', env, stopAll));
    const apiUrl = `http://127.0.0.1:${config.apiPort}`;
    await waitFor(() => fetch(`${apiUrl}/health`).then((r) => r.ok), (ok) => ok, { timeoutMs: 60_000, what: 'API health' });

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
    .filter(([, url]) => url !== undefined && URL.canParse(url) && (classifyAddress(new URL(url).hostname) === 'loopback' || isLoopbackName(new URL(url).hostname)))
    .map(([platform]) => platform);
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
