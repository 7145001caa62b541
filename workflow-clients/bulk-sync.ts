import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { orgSearchAttributes } from '../domain/search-attributes';
import { bulkSyncWorkflowId } from '../domain/workflow-ids';
import { type BulkSyncInput, bulkSyncWorkflow } from '../workflows/bulk-sync';

/**
 * Starts a bulk sync of an org's connections (OrgId and Scope=org; each child sync carries its
 * connection's attributes). Every request is a run of its own: its id takes a fresh run key, never a
 * client's request id (those are for correlation, not identity), so starts never conflict.
 */
export async function startBulkSync(client: Client, taskQueue: string, input: BulkSyncInput): Promise<{ workflowId: string; runId: string }> {
  const workflowId = bulkSyncWorkflowId(input.orgId, randomUUID());
  const handle = await client.workflow.start(bulkSyncWorkflow, {
    taskQueue,
    workflowId,
    args: [input],
    typedSearchAttributes: orgSearchAttributes(input.orgId),
  });
  return { workflowId, runId: handle.firstExecutionRunId };
}
