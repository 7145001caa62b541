import { Hono } from 'hono';
import { PLATFORMS } from '../../domain/platforms';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { startConnectionSync } from '../../workflow-clients/connection-sync';
import { ResyncBody, ResyncStartedResponse } from './connection-schemas';
import { routeDocs } from '../openapi/route-docs';
import { loadOwnConnection } from '../own-connection';

const doc = routeDocs('Syncs')({
  summary: 'Starts a full resync of the connection, or of one stream: re-reads it whole and replaces its rows',
  responses: { 202: ResyncStartedResponse },
  errors: {
    404: 'No connection of the org has this id',
    409: 'The connection is not active (connection_not_active), or a sync of it is running (sync_already_running)',
    422: "The connection's platform has no such stream (unknown_stream)",
  },
});

/**
 * Full resync of a connection, or of one stream: re-reads it whole (cursor ignored) and replaces its
 * rows. Rows it did not rewrite are removed only when it completes, so a resync that fails part-way
 * leaves the data as it was. Mounted at /connections/:id/resync.
 */
export function connectionResyncRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post('/', doc, validate('json', ResyncBody.optional()), async (c) => {
    const body = c.req.valid('json') ?? {};
    const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
    if (body.stream && !PLATFORMS[connection.platform].streams.includes(body.stream)) {
      throw new ApiError(
        422,
        'unknown_stream',
        `${connection.platform} has no ${body.stream} stream; it has ${PLATFORMS[connection.platform].streams.join(', ')}`,
        { field: 'stream' },
      );
    }
    if (connection.status !== 'active') {
      throw new ApiError(409, 'connection_not_active', `The connection is ${connection.status}; it must be active to sync`);
    }
    const started = await startConnectionSync(deps.temporal, deps.taskQueue, connection, {
      resync: body.stream ? { stream: body.stream } : {},
      requestedBy: { actorId: c.get('principal').userId, actorRole: c.get('principal').role, requestId: c.get('requestId') },
    });
    return c.json({ status: 'running', workflow_id: started.workflowId, run_id: started.runId, stream: body.stream ?? null }, 202);
  });
}
