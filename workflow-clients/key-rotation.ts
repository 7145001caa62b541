import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { deploymentSearchAttributes } from '../domain/search-attributes';
import { WorkflowAlreadyRunning } from '../domain/workflow-already-running';
import { keyRotationWorkflowId } from '../domain/workflow-ids';
import { type KeyRotationInput, type KeyRotationProgress, keyRotationProgressQuery, keyRotationWorkflow } from '../workflows/key-rotation';

/** How long the progress query may wait for a worker before the status is answered alone. */
const PROGRESS_QUERY_DEADLINE_MS = 2_000;

/**
 * Starts the master key rotation (Scope=deployment: it spans every org). Its one id allows one at a
 * time: a second start while one runs throws WorkflowAlreadyRunning.
 */
export async function startKeyRotation(
  client: Client,
  taskQueue: string,
  input: Pick<KeyRotationInput, 'requestedBy' | 'batchSize'>,
): Promise<{ workflowId: string; runId: string }> {
  const workflowId = keyRotationWorkflowId();
  try {
    const started = await client.workflow.start(keyRotationWorkflow, {
      taskQueue,
      workflowId,
      args: [{ requestedBy: input.requestedBy, batchSize: input.batchSize }],
      typedSearchAttributes: deploymentSearchAttributes(),
    });
    return { workflowId: started.workflowId, runId: started.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new WorkflowAlreadyRunning('key_rotation', workflowId, 'A key rotation is already running');
    throw err;
  }
}

/**
 * The latest rotation: its status (RUNNING, COMPLETED, …) and its progress, from the running workflow's
 * query or the closed one's result (null when neither answers: no worker, or it failed). Null when no
 * rotation has run (or Temporal no longer keeps it).
 */
export async function latestKeyRotation(
  client: Client,
): Promise<{ status: string; workflowId: string; runId: string; progress: KeyRotationProgress | null } | null> {
  const handle = client.workflow.getHandle<typeof keyRotationWorkflow>(keyRotationWorkflowId());
  try {
    const description = await handle.describe();
    const running = description.status.name === 'RUNNING';
    // A running rotation's progress needs a worker to answer the query.
    const progress = running
      ? await client.connection.withDeadline(Date.now() + PROGRESS_QUERY_DEADLINE_MS, () => handle.query(keyRotationProgressQuery)).catch(() => null)
      : await handle.result().catch(() => null);
    return { status: description.status.name, workflowId: description.workflowId, runId: description.runId, progress };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
