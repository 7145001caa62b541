import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Connection } from '../db/schema';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { tokenRefreshWorkflowId } from '../domain/workflow-ids';
import { tokenRefreshWorkflow } from '../workflows/token-refresh';

/**
 * Starts the connection's token refresh loop. A loop already running is replaced (conflict policy
 * TERMINATE_EXISTING): it may be asleep until the previous grant's expiry, or about to give up on it
 * (a re-authorisation follows a refused refresh token). A refresh it has in flight finishes first,
 * under the connection's lock.
 */
export function startTokenRefreshWorkflow(
  client: Client,
  taskQueue: string,
  connection: Pick<Connection, 'id' | 'org_id' | 'platform'>,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof tokenRefreshWorkflow>> {
  return client.workflow.start(tokenRefreshWorkflow, {
    taskQueue,
    workflowId: tokenRefreshWorkflowId(connection.id),
    args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform }],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
  });
}
