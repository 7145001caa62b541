import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { alertEvaluationScheduleId } from '../domain/workflow-ids';
import { alertEvaluationWorkflow } from '../workflows/alert-evaluation';

/**
 * Makes sure the Schedule that evaluates the alert rules exists (every minute; a run still going
 * skips the next). Idempotent: every worker calls it at start.
 */
export async function ensureAlertEvaluationSchedule(client: Client, taskQueue: string, scheduleId = alertEvaluationScheduleId()): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: alertEvaluationWorkflow, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
