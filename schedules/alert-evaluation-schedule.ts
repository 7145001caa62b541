import type { Client } from '@temporalio/client';
import { alertEvaluationScheduleId } from '../domain/workflow-ids';
import { alertEvaluationWorkflow } from '../workflows/alert-evaluation';
import { ensureDeploymentSchedule } from './deployment-schedule';

/**
 * Makes sure the Schedule that evaluates the alert rules exists (every minute; a run still going
 * skips the next). Idempotent: every worker calls it at start.
 */
export async function ensureAlertEvaluationSchedule(client: Client, taskQueue: string, scheduleId = alertEvaluationScheduleId()): Promise<string | null> {
  return ensureDeploymentSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every: '1 minute' }] },
    workflowType: alertEvaluationWorkflow,
    taskQueue,
    args: [],
  });
}
