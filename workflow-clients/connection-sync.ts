import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { Connection } from '../db/schema';
import { connectionSearchAttributes } from '../domain/search-attributes';
import type { SyncProgress, SyncRequester } from '../domain/sync';
import { WorkflowAlreadyRunning } from '../domain/workflow-already-running';
import { connectionSyncWorkflowId } from '../domain/workflow-ids';
import { type ConnectionSyncInput, connectionSyncWorkflow, progressQuery } from '../workflows/connection-sync';

/** How long a progress query may wait for a worker before the caller answers from the sync log alone. */
const PROGRESS_QUERY_DEADLINE_MS = 2_000;

type SyncedConnection = Pick<Connection, 'id' | 'org_id' | 'platform'>;

/**
 * The search attributes of a connection's sync runs: those the API starts, and the scheduled-sync runs
 * its Schedule starts (schedules/connection-sync-schedule.ts), so both are found by the same filter.
 */
export function connectionSyncSearchAttributes(connection: SyncedConnection) {
  return connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id });
}

/**
 * Starts the sync of a connection under its one sync workflow id, so a sync, a backfill and a resync
 * never run at once: a second start while one runs throws WorkflowAlreadyRunning. Answers the ids.
 */
export async function startConnectionSync(
  client: Client,
  taskQueue: string,
  connection: SyncedConnection,
  options: Pick<ConnectionSyncInput, 'window' | 'resync'> & { requestedBy: SyncRequester },
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = connectionSyncWorkflowId(connection.id);
  try {
    const handle = await client.workflow.start(connectionSyncWorkflow, {
      taskQueue,
      workflowId,
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, ...options }],
      typedSearchAttributes: connectionSyncSearchAttributes(connection),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new WorkflowAlreadyRunning('connection_sync', workflowId, 'A sync of this connection is already running');
    }
    throw err;
  }
}

/** The running sync of a connection, if any, with its live progress (null when no worker answers in time). */
export async function runningConnectionSync(
  client: Client,
  connectionId: string,
): Promise<{ workflowId: string; runId: string; progress: SyncProgress | null } | null> {
  const handle = client.workflow.getHandle(connectionSyncWorkflowId(connectionId));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return null;
    const progress = await client.connection
      .withDeadline(Date.now() + PROGRESS_QUERY_DEADLINE_MS, () => handle.query(progressQuery))
      .catch((): SyncProgress | null => null);
    return { workflowId: description.workflowId, runId: description.runId, progress };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** Asks the connection's latest sync run to cancel (it stops between pages and closes its log as cancelled). */
export async function cancelConnectionSync(client: Client, connectionId: string): Promise<void> {
  await client.workflow.getHandle(connectionSyncWorkflowId(connectionId)).cancel();
}
