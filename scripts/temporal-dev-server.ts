import { Connection } from '@temporalio/client';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import type { ProcessExit } from './restart-backoff';

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  pid: number | undefined;
  /** Resolves when the server process ends, whoever ended it. */
  exit: Promise<ProcessExit>;
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` with a persistent SQLite file, the Web UI, and the
 * project's custom search attributes registered, and waits until its frontend answers.
 *
 * The UI's codec endpoint can carry a credential, so it never goes on the command line (any
 * process listing shows that): the CLI reads it from an env file of ours (`--env-file`, mode 0600,
 * rewritten at each start), which also keeps a user's ~/.config/temporalio/temporal.yaml out.
 */
export async function startTemporalDevServer(options: {
  cli: string;
  dataDir: string;
  port: number;
  uiPort: number;
  uiCodecEndpoint?: string;
}): Promise<TemporalDevServer> {
  mkdirSync(join(options.dataDir, 'logs'), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    join(options.dataDir, 'temporal.db'),
    '--log-level',
    'warn',
    ...CUSTOM_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    '--env-file',
    writeCliEnvFile(options.dataDir, options.uiCodecEndpoint),
  ];
  const log = createWriteStream(join(options.dataDir, 'logs', 'temporal.log'), { flags: 'a' });
  const child: ChildProcess = spawn(options.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // Once its output is drained; a restarted server appends to the same file.
  child.once('close', () => log.end());
  const exit = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`The Temporal dev server exited (${child.exitCode}); see ${join(options.dataDir, 'logs', 'temporal.log')}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The Temporal dev server did not answer on ${address} within 60 s: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    pid: child.pid,
    exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** The CLI's env file (YAML; JSON is YAML): flag values it applies as if given on the command line. */
function writeCliEnvFile(dataDir: string, uiCodecEndpoint: string | undefined): string {
  const path = join(dataDir, 'temporal-cli-env.yaml');
  writeFileSync(path, JSON.stringify({ env: { default: uiCodecEndpoint ? { 'ui-codec-endpoint': uiCodecEndpoint } : {} } }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
