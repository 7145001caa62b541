import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { oauthStateCleanupScheduleId } from '../domain/workflow-ids';
import { oauthStateCleanupWorkflow } from '../workflows/oauth-state-cleanup';

/**
 * Makes sure the Schedule that purges expired OAuth states exists (every 15 minutes). Idempotent:
 * every worker calls it at start; the first creates it, later ones find it.
 */
export async function ensureOAuthStateCleanupSchedule(client: Client, taskQueue: string, scheduleId = oauthStateCleanupScheduleId()): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '15 minutes' }] },
      action: { type: 'startWorkflow', workflowType: oauthStateCleanupWorkflow, taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
}
