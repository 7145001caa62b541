import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, defineQuery, setHandler, startChild } from '@temporalio/workflow';
import type { PlatformId } from '../domain/platforms';
import { connectionSearchAttributes } from '../domain/search-attributes';
import type { SyncRequester } from '../domain/sync';
import { connectionSyncWorkflowId } from '../domain/workflow-ids';
import { forEachBounded } from './bounded-fan-out';
import { connectionSyncWorkflow } from './connection-sync';

export interface BulkSyncInput {
  orgId: string;
  connections: { connectionId: string; platform: PlatformId }[];
  /** Syncs running at once; the rest wait their turn. */
  concurrency: number;
  requestedBy?: SyncRequester;
}

export interface BulkSyncProgress {
  total: number;
  completed: number;
  failed: number;
  /** A sync of that connection was already running. */
  skipped: number;
  running: number;
}

export const bulkSyncProgressQuery = defineQuery<BulkSyncProgress>('progress');

/** Syncs many connections of an org with a bounded fan-out: at most `concurrency` child syncs at once. */
export async function bulkSyncWorkflow(input: BulkSyncInput): Promise<BulkSyncProgress> {
  const progress: BulkSyncProgress = { total: input.connections.length, completed: 0, failed: 0, skipped: 0, running: 0 };
  setHandler(bulkSyncProgressQuery, () => progress);
  await forEachBounded(input.connections, input.concurrency, async (next) => {
    try {
      const child = await startChild(connectionSyncWorkflow, {
        workflowId: connectionSyncWorkflowId(next.connectionId),
        args: [{ connectionId: next.connectionId, orgId: input.orgId, platform: next.platform, requestedBy: input.requestedBy }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: connectionSearchAttributes({ orgId: input.orgId, platform: next.platform, connectionId: next.connectionId }),
      });
      progress.running++;
      await child.result().then(
        () => progress.completed++,
        () => progress.failed++,
      );
      progress.running--;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      progress.skipped++;
    }
  });
  return progress;
}
