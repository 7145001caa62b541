import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { Hono } from 'hono';
import { latestSyncLog, listSyncLogs } from '../../db/repositories/sync-logs';
import { ConnectionIdKey, OrgIdKey, PlatformKey } from '../../domain/search-attributes';
import type { SyncProgress } from '../../domain/sync';
import { connectionSyncWorkflowId } from '../../domain/workflow-ids';
import { connectionSyncWorkflow, progressQuery } from '../../workflows/connection-sync';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentSync, presentSyncLog } from '../presenters/sync';
import { ListQuery, StartSyncBody } from './connection-schemas';
import { loadOwnConnection, requireServableSource } from './connections';

/** How long a progress query may wait for a worker before the API answers from the log alone. */
const PROGRESS_QUERY_DEADLINE_MS = 2_000;

/** Sync of one connection: start (202), read (status and progress), cancel. Mounted at /connections/:id/sync. */
export function connectionSyncRoutes(deps: AppDeps) {
  /** The running sync of a connection, if any, with its live progress. */
  async function runningSync(connectionId: string) {
    const handle = deps.temporal.workflow.getHandle(connectionSyncWorkflowId(connectionId));
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return null;
      const progress = await deps.temporal.connection
        .withDeadline(Date.now() + PROGRESS_QUERY_DEADLINE_MS, () => handle.query(progressQuery))
        .catch((): SyncProgress | null => null);
      return { handle, workflowId: description.workflowId, runId: description.runId, progress };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  return new Hono<AppEnv>()
    .post('/', validate('json', StartSyncBody.optional()), async (c) => {
      const body = c.req.valid('json') ?? {};
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      if (connection.status !== 'active') {
        throw new ApiError(409, 'connection_not_active', `The connection is ${connection.status}; it must be active to sync`);
      }
      requireServableSource(deps, connection);
      const workflowId = connectionSyncWorkflowId(connection.id);
      try {
        const handle = await deps.temporal.workflow.start(connectionSyncWorkflow, {
          taskQueue: deps.taskQueue,
          workflowId,
          args: [
            {
              connectionId: connection.id,
              orgId: connection.org_id,
              platform: connection.platform,
              window: body.start_date && body.end_date ? { startDate: body.start_date, endDate: body.end_date } : undefined,
              requestedBy: { actorId: c.get('principal').userId, actorRole: c.get('principal').role, requestId: c.get('requestId') },
            },
          ],
          typedSearchAttributes: [
            { key: OrgIdKey, value: connection.org_id },
            { key: PlatformKey, value: connection.platform },
            { key: ConnectionIdKey, value: connection.id },
          ],
        });
        // The workflow audits sync.start/sync.end itself, in the same transaction as its sync log.
        return c.json({ status: 'running', workflow_id: workflowId, run_id: handle.firstExecutionRunId }, 202);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          throw new ApiError(409, 'sync_already_running', 'A sync of this connection is already running', { workflow_id: workflowId });
        }
        throw err;
      }
    })
    .get('/', async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const [running, log] = await Promise.all([runningSync(connection.id), latestSyncLog(deps.db, connection.id)]);
      // A running workflow may not have written its log row yet; only its own log belongs with it.
      const ownLog = running && log?.run_id !== running.runId ? undefined : log;
      if (!running && !ownLog) throw new ApiError(404, 'not_found', 'This connection has not been synced yet');
      return c.json(presentSync(ownLog, running));
    })
    .get('/history', validate('query', ListQuery), async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const logs = await listSyncLogs(deps.db, connection.id, c.req.valid('query').limit);
      return c.json({ syncs: logs.map(presentSyncLog) });
    })
    .delete('/', async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const running = await runningSync(connection.id);
      if (!running) throw new ApiError(409, 'no_sync_running', 'No sync of this connection is running');
      await running.handle.cancel();
      await c.get('audit')({ action: 'sync.cancel', targetType: 'connection', targetId: connection.id, outcome: 'success', details: { workflow_id: running.workflowId } });
      return c.json({ status: 'cancelling', workflow_id: running.workflowId, run_id: running.runId }, 202);
    });
}
