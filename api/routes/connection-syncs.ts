import { Hono } from 'hono';
import { listSyncLogQuarantineSamples } from '../../db/repositories/sync-log-quarantine';
import { listSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { latestSyncLog, listSyncLogs } from '../../db/repositories/sync-logs';
import { cancelConnectionSync, runningConnectionSync, startConnectionSync } from '../../workflow-clients/connection-sync';
import { ApiError } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentSync, presentSyncLog } from '../presenters/sync';
import { ListQuery, StartSyncBody, SyncCancellingResponse, SyncHistoryResponse, SyncView } from './connection-schemas';
import { routeDocs } from '../openapi/route-docs';
import { WorkflowStarted } from '../response-schemas';
import { loadOwnConnection } from '../own-connection';

const describeRoute = routeDocs('Syncs');
const NOT_FOUND = { 404: 'No connection of the org has this id' };
const docs = {
  start: describeRoute({
    summary: 'Starts a sync of the connection: its next window, or a backfill of the range given',
    responses: { 202: WorkflowStarted },
    errors: { ...NOT_FOUND, 409: 'The connection is not active (connection_not_active), or a sync of it is running (sync_already_running)' },
  }),
  read: describeRoute({
    summary: 'The current or last sync, with live progress while it runs',
    responses: { 200: SyncView },
    errors: { 404: 'No connection of the org has this id, or it has not been synced yet' },
  }),
  history: describeRoute({ summary: 'Past syncs of the connection, newest first', responses: { 200: SyncHistoryResponse }, errors: NOT_FOUND }),
  cancel: describeRoute({
    summary: 'Cancels the running sync',
    responses: { 202: SyncCancellingResponse },
    errors: { ...NOT_FOUND, 409: 'No sync of the connection is running (no_sync_running)' },
  }),
};

/** Sync of one connection: start (202), read (status and progress), cancel. Mounted at /connections/:id/sync. */
export function connectionSyncRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/', docs.start, validate('json', StartSyncBody.optional()), async (c) => {
      const body = c.req.valid('json') ?? {};
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      // auto and hybrid serve a connection awaiting re-authorisation from mock.
      const mockWhileReauth = connection.status === 'reauth_required' && (connection.data_mode === 'auto' || connection.data_mode === 'hybrid');
      if (connection.status !== 'active' && !mockWhileReauth) {
        throw new ApiError(409, 'connection_not_active', `The connection is ${connection.status}; it must be active to sync`);
      }
      const started = await startConnectionSync(deps.temporal, deps.taskQueue, connection, {
        window: body.start_date && body.end_date ? { startDate: body.start_date, endDate: body.end_date } : undefined,
        requestedBy: { actorId: c.get('principal').userId, actorRole: c.get('principal').role, requestId: c.get('requestId') },
      });
      // The workflow audits sync.start/sync.end itself, in the same transaction as its sync log.
      return c.json({ status: 'running', workflow_id: started.workflowId, run_id: started.runId }, 202);
    })
    .get('/', docs.read, async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const [running, log] = await Promise.all([runningConnectionSync(deps.temporal, connection.id), latestSyncLog(deps.db, connection.id)]);
      // A running workflow may not have written its log row yet; only its own log belongs with it.
      const ownLog = running && log?.run_id !== running.runId ? undefined : log;
      if (!running && !ownLog) throw new ApiError(404, 'not_found', 'This connection has not been synced yet');
      const [streams, quarantine] = ownLog
        ? await Promise.all([listSyncLogStreams(deps.db, [ownLog.id]), listSyncLogQuarantineSamples(deps.db, [ownLog.id])])
        : [[], []];
      return c.json(presentSync(ownLog, running, streams, quarantine));
    })
    .get('/history', docs.history, validate('query', ListQuery), async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const logs = await listSyncLogs(deps.db, connection.id, c.req.valid('query').limit);
      const ids = logs.map((l) => l.id);
      const [streams, quarantine] = await Promise.all([listSyncLogStreams(deps.db, ids), listSyncLogQuarantineSamples(deps.db, ids)]);
      return c.json({
        syncs: logs.map((log) =>
          presentSyncLog(
            log,
            streams.filter((s) => s.sync_log_id === log.id),
            quarantine.filter((q) => q.sync_log_id === log.id),
          ),
        ),
      });
    })
    .delete('/', docs.cancel, async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id')!);
      const running = await runningConnectionSync(deps.temporal, connection.id);
      if (!running) throw new ApiError(409, 'no_sync_running', 'No sync of this connection is running');
      await cancelConnectionSync(deps.temporal, connection.id);
      await c.get('audit')({
        action: 'sync.cancel',
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: { workflow_id: running.workflowId },
      });
      return c.json({ status: 'cancelling', workflow_id: running.workflowId, run_id: running.runId }, 202);
    });
}
