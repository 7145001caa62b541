import type { Client } from '@temporalio/client';
import { connectionScheduleReconciliationScheduleId } from '../domain/workflow-ids';
import { connectionScheduleReconciliationWorkflow } from '../workflows/connection-schedule-reconciliation';
import { ensureDeploymentSchedule } from './deployment-schedule';

/** How often the sync Schedules are brought in line with Postgres, unless configured (SCHEDULE_RECONCILE_INTERVAL_MINUTES). */
export const DEFAULT_SCHEDULE_RECONCILIATION_MINUTES = 5;

/**
 * Makes sure the Schedule that reconciles every connection's sync Schedule exists and runs at the
 * configured interval (a run still going skips the next). Idempotent: every worker calls it at start.
 */
export async function ensureConnectionScheduleReconciliationSchedule(
  client: Client,
  taskQueue: string,
  options: { intervalMinutes?: number; scheduleId?: string } = {},
): Promise<string | null> {
  const scheduleId = options.scheduleId ?? connectionScheduleReconciliationScheduleId();
  const every = `${options.intervalMinutes ?? DEFAULT_SCHEDULE_RECONCILIATION_MINUTES} minutes`;
  // A changed interval takes effect when the next worker starts.
  return ensureDeploymentSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every }] },
    workflowType: connectionScheduleReconciliationWorkflow,
    taskQueue,
    args: [{}],
    updateSpec: true,
  });
}
