import { Hono } from 'hono';
import { z } from 'zod';
import { listOrgConnections } from '../../db/repositories/connections';
import { startBulkSync } from '../../workflow-clients/bulk-sync';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { Uuid } from '../request-schemas';
import { routeDocs } from '../openapi/route-docs';
import { BulkSyncStartedResponse } from './bulk-sync-schemas';

const BulkSyncBody = z
  .strictObject({
    connection_ids: z.array(Uuid).min(1).max(1000).optional(),
    all: z.literal(true).optional(),
    concurrency: z.number().int().min(1).max(50).default(10),
  })
  .refine((b) => (b.connection_ids === undefined) !== (b.all === undefined), { message: 'Give either connection_ids or all: true', path: ['connection_ids'] });

const doc = routeDocs('Syncs')({
  summary: 'Syncs many connections of the org (connection_ids, or all), at most concurrency at a time',
  responses: { 202: BulkSyncStartedResponse },
  errors: { 404: 'Some connection_ids are not connections of the org (listed in details)', 409: 'None of the connections is active (nothing_to_sync)' },
});

/** POST /api/v1/platform-connections/sync/bulk: syncs many connections, at most `concurrency` at a time. */
export function bulkSyncRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post('/', doc, validate('json', BulkSyncBody), async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    const found = await listOrgConnections(deps.db, principal.orgId, { ids: body.connection_ids });
    const missing = (body.connection_ids ?? []).filter((id) => !found.some((f) => f.id === id));
    if (missing.length > 0) throw new ApiError(404, 'not_found', 'Some connections were not found', { connection_ids: missing });
    const active = found.filter((f) => f.status === 'active');
    if (active.length === 0) throw new ApiError(409, 'nothing_to_sync', 'None of these connections is active');

    const started = await startBulkSync(deps.temporal, deps.taskQueue, {
      orgId: principal.orgId,
      connections: active.map((a) => ({ connectionId: a.id, platform: a.platform })),
      concurrency: body.concurrency,
      requestedBy: { actorId: principal.userId, actorRole: principal.role, requestId: c.get('requestId') },
    });
    await c.get('audit')({
      action: 'sync.bulk',
      targetType: 'org',
      targetId: principal.orgId,
      outcome: 'success',
      details: { workflow_id: started.workflowId, connections: active.length },
    });
    return c.json({ workflow_id: started.workflowId, run_id: started.runId, connections: active.length, skipped_inactive: found.length - active.length }, 202);
  });
}
