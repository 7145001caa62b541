import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Connection } from '../db/schema';
import type { DataSource } from '../domain/connection';
import { connectionSearchAttributes, orgSearchAttributes } from '../domain/search-attributes';
import type { ValidationReport } from '../domain/validation-report';
import { connectionValidationWorkflowId, orgValidateAllWorkflowId } from '../domain/workflow-ids';
import { validationWorkflow } from '../workflows/data-validation';
import { type ValidateAllResult, validateAllWorkflow } from '../workflows/validate-all';

/**
 * Starts the validation of a connection's rows of one source, or joins the one running: its id is one
 * per connection and source, and the conflict policy USE_EXISTING answers the running run instead of
 * refusing (later runs reuse the id; run ids tell them apart).
 */
export async function startConnectionValidation(
  client: Client,
  taskQueue: string,
  connection: Pick<Connection, 'id' | 'org_id' | 'platform'>,
  source: DataSource,
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = connectionValidationWorkflowId(connection.id, source);
  const handle = await client.workflow.start(validationWorkflow, {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, source }],
    typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}

/**
 * Starts an org's validate-all over the given connections, or joins the one running (one per org and
 * source, conflict policy USE_EXISTING). Its children carry their connection's attributes; the daily
 * run over every org is the data-validation-daily Schedule's (schedules/data-validation-schedule.ts).
 */
export async function startOrgValidateAll(
  client: Client,
  taskQueue: string,
  input: { orgId: string; connectionIds: string[]; concurrency: number; source: DataSource },
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = orgValidateAllWorkflowId(input.orgId, input.source);
  const handle = await client.workflow.start(validateAllWorkflow, {
    taskQueue,
    workflowId,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ orgId: input.orgId, connectionIds: input.connectionIds, concurrency: input.concurrency, source: input.source }],
    typedSearchAttributes: orgSearchAttributes(input.orgId),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}

/**
 * The status of a validation or validate-all run (RUNNING, COMPLETED, FAILED, …; the latest run of the
 * id without `runId`), or null once Temporal no longer keeps it (past retention).
 */
export async function validationRunStatus(client: Client, workflowId: string, runId?: string): Promise<string | null> {
  try {
    return (await client.workflow.getHandle(workflowId, runId).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** A validation run's report, once it has finished; rejects with WorkflowFailedError when it failed. */
export function validationRunReport(client: Client, workflowId: string, runId?: string): Promise<ValidationReport> {
  return client.workflow.getHandle<typeof validationWorkflow>(workflowId, runId).result();
}

/** A validate-all run's results, once it has finished; rejects with WorkflowFailedError when it failed. */
export function validateAllRunResult(client: Client, workflowId: string, runId: string): Promise<ValidateAllResult> {
  return client.workflow.getHandle<typeof validateAllWorkflow>(workflowId, runId).result();
}
