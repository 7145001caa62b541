import type { Kysely } from 'kysely';
import { appendAudit } from '../db/repositories/audit-log';
import { deleteExpiredRowsBatch, listRetentionTargets } from '../db/repositories/retention-policies';
import type { Database } from '../db/schema';
import { type RetainedTable, retentionCutoffDate } from '../domain/data-retention';

/** The actor of the retention workflow's audit entries. */
export const DATA_RETENTION_ACTOR = 'data-retention';

/** One connection's expired rows: those dated before `cutoffDate`. */
export interface RetentionPurge {
  connectionId: string;
  orgId: string;
  retentionDays: number;
  cutoffDate: string;
}

export function createDataRetentionActivities(deps: { db: Kysely<Database>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Every connection with a retention, and the first day each keeps as of today. */
    async listRetentionPurges(): Promise<RetentionPurge[]> {
      const today = now();
      const targets = await listRetentionTargets(deps.db);
      return targets.map((t) => ({ ...t, cutoffDate: retentionCutoffDate(t.retentionDays, today) }));
    },

    /** Deletes one batch of a connection's expired rows from one table (its own transaction); how many went. */
    async deleteExpiredRows(input: { purge: RetentionPurge; table: RetainedTable; batchSize: number }): Promise<{ deleted: number }> {
      return { deleted: await deleteExpiredRowsBatch(deps.db, input.table, input.purge, input.purge.cutoffDate, input.batchSize) };
    },

    /** One audit entry per connection purged, under its org: the cutoff and the rows removed from each table. */
    async auditRetentionPurge(input: { purge: RetentionPurge; deleted: Record<RetainedTable, number> }): Promise<void> {
      await appendAudit(deps.db, {
        org_id: input.purge.orgId,
        actor_id: DATA_RETENTION_ACTOR,
        actor_role: 'system',
        action: 'retention.purge',
        target_type: 'connection',
        target_id: input.purge.connectionId,
        outcome: 'success',
        request_id: null,
        details: {
          retention_days: input.purge.retentionDays,
          cutoff_date: input.purge.cutoffDate,
          rows_deleted: input.deleted.marketing_metrics + input.deleted.marketing_metrics_mock_archive,
          marketing_metrics: input.deleted.marketing_metrics,
          marketing_metrics_mock_archive: input.deleted.marketing_metrics_mock_archive,
        },
      });
    },
  };
}

export type DataRetentionActivities = ReturnType<typeof createDataRetentionActivities>;
