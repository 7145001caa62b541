import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { connectionScheduleReconciliationScheduleId } from '../domain/workflow-ids';
import { connectionScheduleReconciliationWorkflow } from '../workflows/connection-schedule-reconciliation';

/** How often the sync Schedules are brought in line with Postgres. */
export const SCHEDULE_RECONCILIATION_INTERVAL = '5 minutes';

/**
 * Makes sure the Schedule that reconciles every connection's sync Schedule exists (every five
 * minutes; a run still going skips the next). Idempotent: every worker calls it at start.
 */
export async function ensureConnectionScheduleReconciliationSchedule(client: Client, taskQueue: string, scheduleId = connectionScheduleReconciliationScheduleId()): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: SCHEDULE_RECONCILIATION_INTERVAL }] },
      action: { type: 'startWorkflow', workflowType: connectionScheduleReconciliationWorkflow, taskQueue, args: [{}] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
