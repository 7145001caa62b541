import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/repositories/audit-log';
import { existingConnectionIds, findConnectionById, listScheduledConnectionsAfter } from '../db/repositories/connections';
import type { Database } from '../db/schema';
import type { ConnectionSyncSchedules, ScheduleFix } from '../domain/connection-sync-schedules';
import { isTemporalUnreachable } from '../schedules/connection-sync-schedule';

export interface ScheduleReconciliationActivityDeps {
  db: Kysely<Database>;
  schedules: ConnectionSyncSchedules;
}

/** Who the reconciler's audit entries name as the actor. */
export const SCHEDULE_RECONCILER_ACTOR = 'connection-schedule-reconciler';

export interface ReconcileConnectionBatchInput {
  /** Connections are visited in id order; the batch starts after this id (null: from the start). */
  afterId: string | null;
  batchSize: number;
  /** Only this org's connections (every org's when absent). */
  orgId?: string;
}

export interface ReconcileConnectionBatchResult {
  checked: number;
  fixed: number;
  /** Connections whose Schedule Temporal refused (logged by the worker). */
  failed: number;
  lastId: string | null;
  done: boolean;
}

export interface RemoveOrphanPageInput {
  pageToken: string | null;
  pageSize: number;
  /** Only Schedules that ran for this org (every org's when absent). */
  orgId?: string;
}

export interface RemoveOrphanPageResult {
  listed: number;
  removed: number;
  /** Orphans Temporal would not describe or delete (logged by the worker). */
  failed: number;
  nextPageToken: string | null;
}

export function createScheduleReconciliationActivities(deps: ScheduleReconciliationActivityDeps) {
  async function audit(orgId: string, connectionId: string, fix: ScheduleFix | 'orphan_removed', details: Record<string, unknown>) {
    await appendAudit(deps.db, {
      org_id: orgId,
      actor_id: SCHEDULE_RECONCILER_ACTOR,
      actor_role: 'system',
      action: 'connection.schedule_reconcile',
      target_type: 'connection',
      target_id: connectionId,
      outcome: 'success',
      request_id: null,
      details: { fix, ...details },
    });
  }

  return {
    /**
     * Brings the Schedules of one batch of connections (every org's, in id order) in line with their
     * rows: created when missing, removed for manual ones, spec and paused state corrected. Every
     * fix is audited under the connection's org. Running it twice changes nothing the second time.
     */
    async reconcileConnectionScheduleBatch(input: ReconcileConnectionBatchInput): Promise<ReconcileConnectionBatchResult> {
      const rows = await listScheduledConnectionsAfter(deps.db, input.afterId, input.batchSize, input.orgId);
      let fixed = 0;
      let failed = 0;
      for (const listed of rows) {
        // Read again just before acting, so a change the API made since the page was read is not undone.
        const row = await findConnectionById(deps.db, listed.id);
        if (!row) continue;
        let fix: ScheduleFix | null;
        try {
          fix = await deps.schedules.converge(row);
        } catch (err) {
          // Temporal down: the batch retries. Temporal refusing one Schedule (a cron stored before
          // frequencies were fully checked) must not stop the others.
          if (isTemporalUnreachable(err)) throw err;
          failed++;
          Context.current().log.warn('connection schedule could not be reconciled', {
            connectionId: row.id,
            error: err instanceof Error ? err.message : String(err),
          });
          continue;
        }
        if (fix) {
          // The connection may have been deleted while its Schedule was being created: take it away again.
          if (fix === 'created' && !(await findConnectionById(deps.db, row.id))) {
            await deps.schedules.remove(row.id);
            continue;
          }
          fixed++;
          await audit(row.org_id, row.id, fix, { sync_frequency: row.sync_frequency, status: row.status });
        }
        Context.current().heartbeat({ lastId: row.id });
      }
      const lastId = rows.at(-1)?.id ?? input.afterId;
      return { checked: rows.length, fixed, failed, lastId, done: rows.length < input.batchSize };
    },

    /**
     * Deletes, from one page of Temporal's sync Schedules, those whose connection no longer exists
     * (deleted while Temporal was unreachable). The listing is eventually consistent, which only
     * delays a removal to a later run: a connection row always exists before its Schedule.
     */
    async removeOrphanScheduleBatch(input: RemoveOrphanPageInput): Promise<RemoveOrphanPageResult> {
      const page = await deps.schedules.listScheduled(input);
      const existing = await existingConnectionIds(deps.db, page.connectionIds);
      let removed = 0;
      let failed = 0;
      for (const connectionId of page.connectionIds.filter((id) => !existing.has(id))) {
        let orphan: { orgId: string } | null;
        try {
          orphan = await deps.schedules.removeOrphan(connectionId, input.orgId);
        } catch (err) {
          if (isTemporalUnreachable(err)) throw err;
          failed++;
          Context.current().log.warn('orphaned connection schedule could not be removed', {
            connectionId,
            error: err instanceof Error ? err.message : String(err),
          });
          continue;
        }
        if (orphan) {
          removed++;
          await audit(orphan.orgId, connectionId, 'orphan_removed', {});
        }
        Context.current().heartbeat({ connectionId });
      }
      return { listed: page.connectionIds.length, removed, failed, nextPageToken: page.nextPageToken };
    },
  };
}

export type ScheduleReconciliationActivities = ReturnType<typeof createScheduleReconciliationActivities>;
