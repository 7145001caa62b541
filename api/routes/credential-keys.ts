import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { deploymentSearchAttributes } from '../../domain/search-attributes';
import { keyRotationWorkflowId } from '../../domain/workflow-ids';
import { keyRotationProgressQuery, keyRotationWorkflow } from '../../workflows/key-rotation';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';

/** How long the progress query may wait for a worker before the API answers the status alone. */
const PROGRESS_QUERY_DEADLINE_MS = 2_000;

const RotateBody = z.strictObject({ batch_size: z.number().int().min(1).max(1000).optional() }).optional();

/** Master key rotation: re-wraps every connection's data key under the keyring's current key. A deployment operator's power (it spans every org). */
export function credentialKeyRoutes(deps: AppDeps) {
  const handle = () => deps.temporal.workflow.getHandle(keyRotationWorkflowId());
  return new Hono<AppEnv>()
    .post('/rotate', validate('json', RotateBody), async (c) => {
      const actor = c.get('actor');
      try {
        const started = await deps.temporal.workflow.start(keyRotationWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId: keyRotationWorkflowId(),
          args: [
            {
              requestedBy: { orgId: null, actorId: actor.userId, actorRole: actor.role, requestId: c.get('requestId') },
              batchSize: c.req.valid('json')?.batch_size,
            },
          ],
          typedSearchAttributes: deploymentSearchAttributes(),
        });
        return c.json({ status: 'running', workflow_id: started.workflowId, run_id: started.firstExecutionRunId }, 202);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError(409, 'rotation_running', 'A key rotation is already running');
        throw err;
      }
    })
    .get('/rotate', async (c) => {
      try {
        const description = await handle().describe();
        const running = description.status.name === 'RUNNING';
        // A running rotation's progress needs a worker to answer the query: without one, the status alone.
        const progress = running
          ? await deps.temporal.connection.withDeadline(Date.now() + PROGRESS_QUERY_DEADLINE_MS, () => handle().query(keyRotationProgressQuery)).catch(() => null)
          : await handle().result().catch(() => null);
        return c.json({
          status: running ? 'running' : description.status.name.toLowerCase(),
          progress_available: progress !== null,
          workflow_id: description.workflowId,
          run_id: description.runId,
          target_version: progress?.targetVersion ?? null,
          batches: progress?.batches ?? 0,
          rewrapped: progress?.rewrapped ?? 0,
          failed_connection_ids: progress?.failedIds ?? [],
        });
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'not_found', 'No key rotation has run yet');
        throw err;
      }
    });
}
