/**
 * When to restart a crashed process: exponential backoff with a cap, forgotten once a run has
 * stayed up long enough to count as healthy. Pure, so the schedule is tested without processes.
 */

export interface RestartPolicy {
  /** Delay before the first restart after a healthy run. */
  initialDelayMs: number;
  /** Each further crash in a row multiplies the delay by this. */
  factor: number;
  /** The delay never grows past this. */
  maxDelayMs: number;
  /** A run that lasted this long was healthy: its crash starts the schedule over. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1_000, factor: 2, maxDelayMs: 30_000, stableAfterMs: 60_000 };

export interface RestartPlan {
  /** Crashes in a row, this one included (1 after a healthy run). */
  crashesInARow: number;
  delayMs: number;
}

/** The plan after a run that lasted `uptimeMs`, given how many crashes in a row came before it. */
export function planRestart(policy: RestartPolicy, previousCrashesInARow: number, uptimeMs: number): RestartPlan {
  const crashesInARow = uptimeMs >= policy.stableAfterMs ? 1 : previousCrashesInARow + 1;
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (crashesInARow - 1));
  return { crashesInARow, delayMs };
}

/** How a process ended, as Node reports it: an exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  return exit.code === null ? 'exited' : `exited with code ${exit.code}`;
}

/** The console line of a crash: which process, how it ended, and when it comes back. */
export function describeCrash(name: string, pid: number | undefined, exit: ProcessExit, plan: RestartPlan): string {
  const seconds = plan.delayMs / 1000;
  const inARow = plan.crashesInARow > 1 ? ` (crash ${plan.crashesInARow} in a row)` : '';
  return `${name}${pid === undefined ? '' : ` (pid ${pid})`} ${describeExit(exit)}; restarting in ${seconds} s${inARow}`;
}
