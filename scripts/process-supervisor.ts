import { DEFAULT_RESTART_POLICY, describeCrash, planRestart, type ProcessExit, type RestartPolicy } from './restart-backoff';

/** One run of a supervised process: its id, how it ends, and how to end it. */
export interface SupervisedRun {
  pid: number | undefined;
  exit: Promise<ProcessExit>;
  stop(): Promise<unknown>;
}

export interface Supervisor {
  /** The current run's process id (undefined while it is down). */
  pid(): number | undefined;
  /** Ends supervision: no more restarts; the running process (if any) is stopped and awaited. */
  stop(): Promise<void>;
}

/**
 * Starts a process and keeps it running: when it ends on its own it is started again after the
 * backoff of `planRestart`, with one console line saying which process, how it ended and when it
 * comes back. A failed restart counts as another crash. The first start's failure is thrown, so
 * a stack that cannot start at all stops instead of retrying forever.
 */
export async function startSupervised(
  name: string,
  start: () => Promise<SupervisedRun>,
  options: {
    log: (line: string) => void;
    policy?: RestartPolicy;
    now?: () => number;
    /**
     * True once the whole stack is shutting down: an exit then is expected, not a crash. (Ctrl-C
     * signals every process of the terminal's group at once, before this one's stop() is reached.)
     */
    shuttingDown?: () => boolean;
  },
): Promise<Supervisor> {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const now = options.now ?? Date.now;
  let current: SupervisedRun | undefined = await start();
  let startedAt = now();
  let crashesInARow = 0;
  let stopped = false;
  const stopping = () => stopped || (options.shuttingDown?.() ?? false);
  let wake: (() => void) | undefined;
  options.log(`${name} running (pid ${current.pid})`);

  const waitOrStop = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      wake = () => {
        clearTimeout(timer);
        done();
      };
    });

  const supervising = (async () => {
    for (;;) {
      const run: SupervisedRun = current!;
      const exit = await run.exit;
      if (stopping()) return;
      current = undefined;
      let plan = planRestart(policy, crashesInARow, now() - startedAt);
      crashesInARow = plan.crashesInARow;
      options.log(describeCrash(name, run.pid, exit, plan));
      for (;;) {
        await waitOrStop(plan.delayMs);
        if (stopping()) return;
        try {
          current = await start();
          break;
        } catch (err) {
          plan = planRestart(policy, crashesInARow, 0);
          crashesInARow = plan.crashesInARow;
          options.log(
            `${name} did not start (${err instanceof Error ? err.message : String(err)}); retrying in ${plan.delayMs / 1000} s (crash ${plan.crashesInARow} in a row)`,
          );
        }
      }
      if (stopping()) {
        await current.stop();
        return;
      }
      startedAt = now();
      options.log(`${name} restarted (pid ${current.pid})`);
    }
  })();

  return {
    pid: () => current?.pid,
    async stop() {
      stopped = true;
      wake?.();
      await current?.stop();
      await supervising;
    },
  };
}
