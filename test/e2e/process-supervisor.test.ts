import { type ChildProcess, spawn } from 'node:child_process';
import { startSupervised, type SupervisedRun } from '../../scripts/process-supervisor';
import { waitFor } from '../../scripts/service-process';

const policy = { initialDelayMs: 50, factor: 2, maxDelayMs: 400, stableAfterMs: 60_000 };

/** A real process that runs until it is signalled. */
function sleeper(): SupervisedRun & { child: ChildProcess } {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return {
    child,
    pid: child.pid,
    exit,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}

describe('startSupervised (real processes)', () => {
  it('restarts a killed process with growing delays, says so, and stops for good when asked', async () => {
    const lines: string[] = [];
    const runs: ReturnType<typeof sleeper>[] = [];
    const supervisor = await startSupervised(
      'sleeper',
      async () => {
        const run = sleeper();
        runs.push(run);
        return run;
      },
      { log: (line) => lines.push(line), policy },
    );
    expect(lines).toEqual([`sleeper running (pid ${runs[0]!.pid})`]);

    for (const n of [1, 2]) {
      const killed = runs.at(-1)!;
      killed.child.kill('SIGKILL');
      await waitFor(
        async () => runs.length,
        (count) => count === n + 1,
        { timeoutMs: 10_000, what: `restart ${n}` },
      );
      expect(supervisor.pid()).toBe(runs.at(-1)!.pid);
    }
    expect(lines).toEqual([
      `sleeper running (pid ${runs[0]!.pid})`,
      `sleeper (pid ${runs[0]!.pid}) killed by SIGKILL; restarting in 0.05 s`,
      `sleeper restarted (pid ${runs[1]!.pid})`,
      `sleeper (pid ${runs[1]!.pid}) killed by SIGKILL; restarting in 0.1 s (crash 2 in a row)`,
      `sleeper restarted (pid ${runs[2]!.pid})`,
    ]);

    await supervisor.stop();
    expect(await runs[2]!.exit).toEqual({ code: null, signal: 'SIGTERM' });
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toHaveLength(3); // a stopped supervisor restarts nothing
  });

  it('retries a restart that fails, and treats an exit during shutdown as expected', async () => {
    const lines: string[] = [];
    let shuttingDown = false;
    let failures = 1;
    const runs: ReturnType<typeof sleeper>[] = [];
    const supervisor = await startSupervised(
      'flaky',
      async () => {
        if (runs.length === 1 && failures-- > 0) throw new Error('port in use');
        const run = sleeper();
        runs.push(run);
        return run;
      },
      { log: (line) => lines.push(line), policy, shuttingDown: () => shuttingDown },
    );

    runs[0]!.child.kill('SIGKILL');
    await waitFor(
      async () => runs.length,
      (count) => count === 2,
      { timeoutMs: 10_000, what: 'restart after a failed one' },
    );
    expect(lines[2]).toBe('flaky did not start (port in use); retrying in 0.1 s (crash 2 in a row)');

    // Ctrl-C reaches every process of the group at once: the stack is already shutting down.
    shuttingDown = true;
    runs[1]!.child.kill('SIGINT');
    await runs[1]!.exit;
    await new Promise((r) => setTimeout(r, 300));
    expect(runs).toHaveLength(2);
    expect(lines.at(-1)).toBe(`flaky restarted (pid ${runs[1]!.pid})`);
    await supervisor.stop();
  });
});
