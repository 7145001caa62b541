import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { dataValidationScheduleId } from '../domain/workflow-ids';
import { validateAllWorkflow } from '../workflows/validate-all';

/** Validations of the daily run at once, across all orgs. */
export const DAILY_VALIDATION_CONCURRENCY = 4;

/**
 * Makes sure the Schedule that validates every connection exists (daily, 05:00 UTC, after the
 * platforms have settled the previous day). Idempotent: every worker calls it at start.
 */
export async function ensureDataValidationSchedule(client: Client, taskQueue: string, scheduleId = dataValidationScheduleId()): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { calendars: [{ hour: 5, minute: 0 }] },
      action: { type: 'startWorkflow', workflowType: validateAllWorkflow, taskQueue, args: [{ concurrency: DAILY_VALIDATION_CONCURRENCY }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
