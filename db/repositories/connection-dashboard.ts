import { type Kysely, sql, type Transaction } from 'kysely';
import type { ConnectionStatus, DataMode, DataSource } from '../../domain/connection';
import type { PlatformId } from '../../domain/platforms';
import type { SyncStatus } from '../../domain/sync';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** An org's connections counted: in all, by status, platform and data mode, and those needing attention. */
export interface ConnectionTotals {
  total: number;
  /** Flagged by the failure policy, waiting for re-authorisation, in error, disabled, or whose last sync failed. */
  failing: number;
  byStatus: Partial<Record<ConnectionStatus, number>>;
  byPlatform: Partial<Record<PlatformId, number>>;
  byDataMode: Partial<Record<DataMode, number>>;
}

export async function connectionTotals(db: Db, orgId: string): Promise<ConnectionTotals> {
  // One grouping set per breakdown: a single scan of the org's connections.
  const rows = await db
    .selectFrom('user_platform_connections')
    .select([
      'status',
      'platform',
      'data_mode',
      sql<number>`grouping(status, platform, data_mode)`.as('grouping'),
      (eb) => eb.fn.countAll<string>().as('count'),
      sql<string>`count(*) filter (where status <> 'active' or sync_warning_at is not null or last_sync_status = 'failed')`.as('failing'),
    ])
    .where('org_id', '=', orgId)
    .groupBy(sql`grouping sets ((status), (platform), (data_mode), ())`)
    .execute();
  const totals: ConnectionTotals = { total: 0, failing: 0, byStatus: {}, byPlatform: {}, byDataMode: {} };
  for (const r of rows) {
    const count = Number(r.count);
    // grouping() sets a bit for each column left out of the row's set: 3 (status kept), 5 (platform), 6 (data_mode), 7 (none).
    if (Number(r.grouping) === 7) {
      totals.total = count;
      totals.failing = Number(r.failing);
    } else if (Number(r.grouping) === 3) totals.byStatus[r.status] = count;
    else if (Number(r.grouping) === 5) totals.byPlatform[r.platform] = count;
    else if (Number(r.grouping) === 6) totals.byDataMode[r.data_mode] = count;
  }
  return totals;
}

/** The org's stored metric rows by the source that served them. */
export async function storedRowsBySource(db: Db, orgId: string): Promise<Record<DataSource, number>> {
  const rows = await db
    .selectFrom('marketing_metrics')
    .select(['source', (eb) => eb.fn.countAll<string>().as('count')])
    .where('org_id', '=', orgId)
    .groupBy('source')
    .execute();
  const counts: Record<DataSource, number> = { live: 0, mock: 0 };
  for (const r of rows) counts[r.source] = Number(r.count);
  return counts;
}

/** One UTC day of the window: the org's syncs started that day by status. */
export interface DailySyncOutcomes {
  date: string;
  counts: Record<SyncStatus, number>;
}

/**
 * The org's syncs per UTC day over the last `days` days (today included), by status, every day
 * present (zeros included) so a chart needs no gap filling; and the records they wrote.
 */
export async function syncActivitySince(db: Db, orgId: string, days: number): Promise<{ series: DailySyncOutcomes[]; recordsWritten: number }> {
  const result = await sql<{
    date: string;
    running: string;
    completed: string;
    failed: string;
    cancelled: string;
    records_written: string;
  }>`
    with day as (
      select d::date as date
      from generate_series((now() at time zone 'utc')::date - ${days - 1}::int, (now() at time zone 'utc')::date, interval '1 day') as d
    ), sync as (
      select (started_at at time zone 'utc')::date as date, status, records_written
      from data_sync_logs
      where org_id = ${orgId} and started_at >= ((now() at time zone 'utc')::date - ${days - 1}::int) at time zone 'utc'
    )
    select to_char(day.date, 'YYYY-MM-DD') as date,
      count(sync.status) filter (where sync.status = 'running') as running,
      count(sync.status) filter (where sync.status = 'completed') as completed,
      count(sync.status) filter (where sync.status = 'failed') as failed,
      count(sync.status) filter (where sync.status = 'cancelled') as cancelled,
      coalesce(sum(sync.records_written), 0) as records_written
    from day left join sync on sync.date = day.date
    group by day.date
    order by day.date`.execute(db);
  const series = result.rows.map((r) => ({
    date: r.date,
    counts: { running: Number(r.running), completed: Number(r.completed), failed: Number(r.failed), cancelled: Number(r.cancelled) },
  }));
  return { series, recordsWritten: result.rows.reduce((sum, r) => sum + Number(r.records_written), 0) };
}

/** A line of the org's recent activity: a sync or an audited action. */
export type ActivityItem =
  | {
      kind: 'sync';
      at: Date;
      syncLogId: string;
      connectionId: string;
      platform: PlatformId;
      status: SyncStatus;
      source: DataSource;
      recordsWritten: number;
      error: string | null;
    }
  | {
      kind: 'audit';
      at: Date;
      auditId: string;
      action: string;
      actorRole: string;
      targetType: string;
      targetId: string | null;
      outcome: 'success' | 'failure' | 'denied';
    };

/** The org's latest syncs (by start) and audit entries, merged newest first, at most `limit`. */
export async function recentActivity(db: Db, orgId: string, limit: number): Promise<ActivityItem[]> {
  const [syncs, audits] = await Promise.all([
    db
      .selectFrom('data_sync_logs')
      .select(['id', 'connection_id', 'platform', 'status', 'source', 'records_written', 'error', 'started_at'])
      .where('org_id', '=', orgId)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('audit_log')
      .select(['id', 'occurred_at', 'action', 'actor_role', 'target_type', 'target_id', 'outcome'])
      .where('org_id', '=', orgId)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  ]);
  const items: ActivityItem[] = [
    ...syncs.map((s) => ({
      kind: 'sync' as const,
      at: s.started_at,
      syncLogId: s.id,
      connectionId: s.connection_id,
      platform: s.platform,
      status: s.status,
      source: s.source,
      recordsWritten: s.records_written,
      error: s.error,
    })),
    ...audits.map((a) => ({
      kind: 'audit' as const,
      at: a.occurred_at,
      auditId: a.id,
      action: a.action,
      actorRole: a.actor_role,
      targetType: a.target_type,
      targetId: a.target_id,
      outcome: a.outcome,
    })),
  ];
  return items.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
}
