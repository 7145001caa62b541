import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { connectionSyncWorkflowId } from '../domain/workflow-ids';
import { connectionSearchAttributes } from '../domain/search-attributes';
import type { PlatformId } from '../domain/platforms';
import { connectionSyncWorkflow } from './connection-sync';

export interface ScheduledSyncInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
}

/**
 * Started by a connection's Schedule. Schedules suffix their workflow ids with the scheduled time,
 * which would let a scheduled sync run beside a manual one; this trigger starts the sync itself
 * under the connection's one sync id, and skips the tick when a sync is already running.
 */
export async function scheduledSyncWorkflow(input: ScheduledSyncInput): Promise<{ started: boolean; workflowId: string }> {
  const workflowId = connectionSyncWorkflowId(input.connectionId);
  try {
    await startChild(connectionSyncWorkflow, {
      workflowId,
      args: [{ connectionId: input.connectionId, orgId: input.orgId, platform: input.platform }],
      taskQueue: workflowInfo().taskQueue,
      // The sync outlives this trigger.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: connectionSearchAttributes({ orgId: input.orgId, platform: input.platform, connectionId: input.connectionId }),
    });
    return { started: true, workflowId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { started: false, workflowId };
    throw err;
  }
}
