import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { keyRotationWorkflowId } from '../../domain/workflow-ids';
import { keyRotationProgressQuery, keyRotationWorkflow } from '../../workflows/key-rotation';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';

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
        const progress =
          description.status.name === 'RUNNING' ? await handle().query(keyRotationProgressQuery) : await handle().result().catch(() => null);
        return c.json({
          status: description.status.name === 'RUNNING' ? 'running' : description.status.name.toLowerCase(),
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
