import type { Client } from '@temporalio/client';
import { dataRetentionScheduleId } from '../domain/workflow-ids';
import { dataRetentionWorkflow } from '../workflows/data-retention';
import { ensureDeploymentSchedule } from './deployment-schedule';

/**
 * Makes sure the Schedule that deletes synced rows past their retention exists (daily, 03:30 UTC, a
 * quiet hour). Idempotent: every worker calls it at start; the first creates it, later ones find it.
 */
export async function ensureDataRetentionSchedule(client: Client, taskQueue: string, scheduleId = dataRetentionScheduleId()): Promise<string | null> {
  return ensureDeploymentSchedule(client, {
    scheduleId,
    spec: { calendars: [{ hour: 3, minute: 30 }] },
    workflowType: dataRetentionWorkflow,
    taskQueue,
    args: [{}],
  });
}
