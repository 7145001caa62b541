import { type Kysely, sql } from 'kysely';
import type { AlertObservation } from '../../domain/alert-evaluation';
import type { AlertSignal } from '../../domain/alert-rules';
import { aggregateMetricByLabels } from '../repositories/metric-samples';
import type { Database } from '../schema';

/**
 * Reads one signal of the alert rules over [from, to]: one observation per group. Each is one
 * grouped query on an indexed time range (sync logs by start, reports by connection, audit by time).
 */
export async function observeAlertSignal(db: Kysely<Database>, signal: AlertSignal, window: { from: Date; to: Date }): Promise<AlertObservation[]> {
  const { from, to } = window;
  switch (signal.kind) {
    case 'sync_error_rate': {
      const rows = await db
        .selectFrom('data_sync_logs')
        .select(['org_id', 'platform', sql<string>`count(*) filter (where status = 'failed')`.as('failed'), sql<string>`count(*)`.as('finished')])
        .where('status', 'in', ['completed', 'failed'])
        .where('finished_at', '>=', from)
        .where('finished_at', '<=', to)
        .groupBy(['org_id', 'platform'])
        .having(sql`count(*)`, '>=', signal.minSyncs)
        .execute();
      return rows.map((r) => ({ orgId: r.org_id, labels: { platform: r.platform }, value: Number(r.failed) / Number(r.finished) }));
    }
    case 'sync_duration_p95': {
      const rows = await db
        .selectFrom('data_sync_logs')
        .select(['org_id', 'platform', sql<number>`percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at))`.as('p95')])
        .where('status', 'in', ['completed', 'failed'])
        .where('finished_at', '>=', from)
        .where('finished_at', '<=', to)
        .groupBy(['org_id', 'platform'])
        .execute();
      return rows.map((r) => ({ orgId: r.org_id, labels: { platform: r.platform }, value: Number(r.p95) }));
    }
    case 'validation_score': {
      const rows = await db
        .selectFrom('data_validation_reports')
        .distinctOn('connection_id')
        .select(['connection_id', 'org_id', 'platform', 'score'])
        .where('validated_at', '>=', from)
        .where('validated_at', '<=', to)
        .orderBy('connection_id')
        .orderBy('validated_at', 'desc')
        .execute();
      return rows.map((r) => ({ orgId: r.org_id, labels: { connection_id: r.connection_id, platform: r.platform }, value: Number(r.score) }));
    }
    case 'sync_failure_streak': {
      // Failed syncs after the connection's last completed one in the window.
      const { rows } = await sql<{ connection_id: string; org_id: string; platform: string; streak: string }>`
        select connection_id, org_id, platform,
               count(*) filter (where status = 'failed' and (last_ok is null or started_at > last_ok)) as streak
        from (
          select connection_id, org_id, platform, status, started_at,
                 max(started_at) filter (where status = 'completed') over (partition by connection_id) as last_ok
          from data_sync_logs
          where status in ('completed', 'failed') and started_at >= ${from} and started_at <= ${to}
        ) s
        group by connection_id, org_id, platform`.execute(db);
      return rows
        .filter((r) => Number(r.streak) > 0)
        .map((r) => ({ orgId: r.org_id, labels: { connection_id: r.connection_id, platform: r.platform }, value: Number(r.streak) }));
    }
    case 'permission_denials': {
      const rows = await db
        .selectFrom('audit_log')
        .select(['org_id', sql<string>`count(*)`.as('denials')])
        .where('action', '=', 'permission.denied')
        .where('occurred_at', '>=', from)
        .where('occurred_at', '<=', to)
        .groupBy('org_id')
        .execute();
      return rows.map((r) => ({ orgId: r.org_id, labels: {}, value: Number(r.denials) }));
    }
    case 'sync_volume_ratio': {
      const { rows } = await sql<{ connection_id: string; org_id: string; platform: string; latest: string; baseline: number | null; baseline_syncs: string }>`
        select connection_id, org_id, platform,
               max(records_written) filter (where rn = 1) as latest,
               percentile_cont(0.5) within group (order by records_written) filter (where rn > 1) as baseline,
               count(*) filter (where rn > 1) as baseline_syncs
        from (
          select connection_id, org_id, platform, records_written,
                 row_number() over (partition by connection_id order by started_at desc) as rn
          from data_sync_logs
          where status = 'completed' and started_at >= ${from} and started_at <= ${to}
        ) s
        group by connection_id, org_id, platform`.execute(db);
      return rows
        .filter((r) => Number(r.baseline_syncs) >= signal.minBaselineSyncs && Number(r.baseline) > 0)
        .map((r) => ({ orgId: r.org_id, labels: { connection_id: r.connection_id, platform: r.platform }, value: Number(r.latest) / Number(r.baseline) }));
    }
    case 'metric':
      return aggregateMetricByLabels(db, { name: signal.metric, aggregate: signal.aggregate, from, to });
  }
}
