import type { Client } from '@temporalio/client';
import { oauthStateCleanupScheduleId } from '../domain/workflow-ids';
import { oauthStateCleanupWorkflow } from '../workflows/oauth-state-cleanup';
import { ensureDeploymentSchedule } from './deployment-schedule';

/**
 * Makes sure the Schedule that purges expired OAuth states exists (every 15 minutes). Idempotent:
 * every worker calls it at start; the first creates it, later ones find it.
 */
export async function ensureOAuthStateCleanupSchedule(client: Client, taskQueue: string, scheduleId = oauthStateCleanupScheduleId()): Promise<string | null> {
  return ensureDeploymentSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every: '15 minutes' }] },
    workflowType: oauthStateCleanupWorkflow,
    taskQueue,
    args: [],
  });
}
