import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Connection } from '../db/schema';
import { connectionSearchAttributes } from '../domain/search-attributes';
import type { SyncRequester } from '../domain/sync';
import { connectionSyncWorkflowId } from '../domain/workflow-ids';
import { type ConnectionSyncInput, connectionSyncWorkflow } from '../workflows/connection-sync';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';

/**
 * Starts the sync of a connection under its one sync workflow id, so a sync, a backfill and a
 * resync never run at once (a second start answers 409). Answers the workflow and run ids.
 */
export async function startConnectionSync(
  deps: AppDeps,
  connection: Connection,
  options: Pick<ConnectionSyncInput, 'window' | 'resync'> & { requestedBy: SyncRequester },
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = connectionSyncWorkflowId(connection.id);
  try {
    const handle = await deps.temporal.workflow.start(connectionSyncWorkflow, {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, ...options }],
      typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ApiError(409, 'sync_already_running', 'A sync of this connection is already running', { workflow_id: workflowId });
    }
    throw err;
  }
}
