import { Hono } from 'hono';
import { z } from 'zod';
import { latestKeyRotation, startKeyRotation } from '../../workflow-clients/key-rotation';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { WorkflowStarted } from '../response-schemas';
import { KeyRotationStatusResponse } from './credential-keys-schemas';

const RotateBody = z.strictObject({ batch_size: z.number().int().min(1).max(1000).optional() }).optional();

const describeRoute = routeDocs('Credential keys');
const docs = {
  rotate: describeRoute({
    summary: "Starts the rotation: re-wraps every connection's data key under the keyring's current key",
    responses: { 202: WorkflowStarted },
    errors: { 409: 'A rotation is already running (rotation_running)' },
  }),
  status: describeRoute({
    summary: "The rotation's progress or outcome",
    responses: { 200: KeyRotationStatusResponse },
    errors: { 404: 'No rotation has run yet' },
  }),
};

/** Master key rotation: re-wraps every connection's data key under the keyring's current key. A deployment operator's power (it spans every org). */
export function credentialKeyRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/rotate', docs.rotate, validate('json', RotateBody), async (c) => {
      const actor = c.get('actor');
      const started = await startKeyRotation(deps.temporal, deps.taskQueue, {
        requestedBy: { orgId: null, actorId: actor.userId, actorRole: actor.role, requestId: c.get('requestId') },
        batchSize: c.req.valid('json')?.batch_size,
      });
      return c.json({ status: 'running', workflow_id: started.workflowId, run_id: started.runId }, 202);
    })
    .get('/rotate', docs.status, async (c) => {
      const rotation = await latestKeyRotation(deps.temporal);
      if (!rotation) throw new ApiError(404, 'not_found', 'No key rotation has run yet');
      const { progress } = rotation;
      return c.json({
        status: rotation.status.toLowerCase(),
        progress_available: progress !== null,
        workflow_id: rotation.workflowId,
        run_id: rotation.runId,
        target_version: progress?.targetVersion ?? null,
        batches: progress?.batches ?? 0,
        rewrapped: progress?.rewrapped ?? 0,
        failed_connection_ids: progress?.failedIds ?? [],
      });
    });
}
