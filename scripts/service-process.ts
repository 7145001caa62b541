import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { ProcessExit } from './restart-backoff';

const ROOT = resolve(__dirname, '..');

/** One of our TypeScript entry points (API, worker, script) run as its own process. */
export interface ServiceProcess {
  /** The process's id (undefined if it could not be spawned). */
  pid: number | undefined;
  /** Everything it printed, when started with `capture`. */
  output(): string;
  /** Resolves with the exit code when the process ends, whoever ended it. */
  exited: Promise<number | null>;
  /** The same end with the signal that caused it, if one did (a crash shows as SIGKILL, SIGSEGV...). */
  exit: Promise<ProcessExit>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** Sends a signal without waiting, e.g. SIGKILL to simulate a crash. */
  kill(signal: NodeJS.Signals): void;
}

/**
 * `node --import tsx` keeps each service a single process: our signals reach it directly and its
 * exit means it has finished shutting down (the `tsx` CLI would relay through a second process).
 */
export function startServiceProcess(entry: string, options: { args?: string[]; env: NodeJS.ProcessEnv; capture?: boolean }): ServiceProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, entry), ...(options.args ?? [])], {
    cwd: ROOT,
    env: options.env,
    stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<ProcessExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const exited = exit.then((e) => e.code);
  return {
    pid: child.pid,
    output: () => output,
    exited,
    exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill(signal) {
      child.kill(signal);
    },
  };
}

/** Runs a script to completion and returns its stdout; a non-zero exit is an error carrying its output. */
export async function runScript(entry: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const script = startServiceProcess(entry, { args, env, capture: true });
  const code = await script.exited;
  if (code !== 0) throw new Error(`${entry} exited ${code}: ${script.output()}`);
  return script.output();
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

/** Polls `probe` until `accept` holds; probe errors count as "not yet". */
export async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: { timeoutMs: number; what: string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${options.what}: not reached within ${options.timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
