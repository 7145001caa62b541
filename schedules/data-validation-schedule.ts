import type { Client } from '@temporalio/client';
import { dataValidationScheduleId } from '../domain/workflow-ids';
import { validateAllWorkflow } from '../workflows/validate-all';
import { ensureDeploymentSchedule } from './deployment-schedule';

/** Validations of the daily run at once, across all orgs. */
export const DAILY_VALIDATION_CONCURRENCY = 4;

/**
 * Makes sure the Schedule that validates every connection exists (daily, 05:00 UTC, after the
 * platforms have settled the previous day). Idempotent: every worker calls it at start.
 */
export async function ensureDataValidationSchedule(client: Client, taskQueue: string, scheduleId = dataValidationScheduleId()): Promise<string | null> {
  return ensureDeploymentSchedule(client, {
    scheduleId,
    spec: { calendars: [{ hour: 5, minute: 0 }] },
    workflowType: validateAllWorkflow,
    taskQueue,
    args: [{ concurrency: DAILY_VALIDATION_CONCURRENCY }],
  });
}
