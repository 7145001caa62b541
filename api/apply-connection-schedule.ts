import type { AppDeps } from './app-deps';

/** What became of a connection's Schedule when the API changed the connection (recorded in its audit entry). */
export type ScheduleOutcome = 'applied' | 'pending_reconciliation';

/**
 * Applies a connection's Schedule after Postgres has taken the change. Postgres is the truth: when
 * Temporal cannot be reached (or refuses), the write stands and the reconciler
 * (workflows/connection-schedule-reconciliation.ts) brings the Schedule in line later.
 */
export async function applyConnectionSchedule(deps: Pick<AppDeps, 'logger'>, connectionId: string, op: () => Promise<void>): Promise<ScheduleOutcome> {
  try {
    await op();
    return 'applied';
  } catch (err) {
    deps.logger.warn({ connectionId, error: err instanceof Error ? err.message : String(err) }, 'connection schedule left to the reconciler');
    return 'pending_reconciliation';
  }
}
