import { type Kysely, sql, type Transaction } from 'kysely';
import type { PlatformId } from '../../domain/platforms';
import type { SyncStatus } from '../../domain/sync';
import type { Database, NewSyncLog, SyncCheckpoint, SyncLog } from '../schema';
import { storableOptionalText } from '../storable-text';
import { type PlatformRequestCounts, addPageToSyncLogStream, pageCounterIncrements } from './sync-log-streams';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Idempotent per workflow run: a retried activity finds the row its first attempt wrote (`created` false).
 * Reasons and errors may quote a platform: stored as Postgres text can hold them (db/storable-text.ts).
 */
export async function openSyncLog(db: Db, log: NewSyncLog): Promise<{ log: SyncLog; created: boolean }> {
  const values = { ...log, error: storableOptionalText(log.error), fallback_reason: storableOptionalText(log.fallback_reason) };
  const inserted = await db
    .insertInto('data_sync_logs')
    .values(values)
    .onConflict((oc) => oc.column('run_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { log: inserted, created: true };
  return { log: await db.selectFrom('data_sync_logs').selectAll().where('run_id', '=', log.run_id).executeTakeFirstOrThrow(), created: false };
}

export async function findSyncLog(db: Db, id: string): Promise<SyncLog | undefined> {
  return db.selectFrom('data_sync_logs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function latestSyncLog(db: Db, connectionId: string): Promise<SyncLog | undefined> {
  return db.selectFrom('data_sync_logs').selectAll().where('connection_id', '=', connectionId).orderBy('started_at', 'desc').limit(1).executeTakeFirst();
}

export async function listSyncLogs(db: Db, connectionId: string, limit: number): Promise<SyncLog[]> {
  return db.selectFrom('data_sync_logs').selectAll().where('connection_id', '=', connectionId).orderBy('started_at', 'desc').limit(limit).execute();
}

/** An org's syncs on one platform started in a window, by how they stand. */
export interface PlatformSyncCounts {
  platform: PlatformId;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  /** Mean duration of the completed ones; null when none completed. */
  avgCompletedSeconds: number | null;
}

/** The org's syncs started at or after `since`, counted per platform (platform order), for the dashboard. */
export async function syncCountsByPlatformSince(db: Db, orgId: string, since: Date): Promise<PlatformSyncCounts[]> {
  const rows = await db
    .selectFrom('data_sync_logs')
    .select([
      'platform',
      sql<string>`count(*) filter (where status = 'completed')`.as('completed'),
      sql<string>`count(*) filter (where status = 'failed')`.as('failed'),
      sql<string>`count(*) filter (where status = 'cancelled')`.as('cancelled'),
      sql<string>`count(*) filter (where status = 'running')`.as('running'),
      sql<number | null>`avg(extract(epoch from finished_at - started_at)) filter (where status = 'completed')`.as('avg_seconds'),
    ])
    .where('org_id', '=', orgId)
    .where('started_at', '>=', since)
    .groupBy('platform')
    .orderBy('platform')
    .execute();
  return rows.map((r) => ({
    platform: r.platform,
    completed: Number(r.completed),
    failed: Number(r.failed),
    cancelled: Number(r.cancelled),
    running: Number(r.running),
    avgCompletedSeconds: r.avg_seconds === null ? null : Number(r.avg_seconds),
  }));
}

/** A sync's running totals, as committed. */
export interface SyncTotals {
  pages: number;
  recordsFetched: number;
  recordsWritten: number;
  bytesRead: number;
  bytesWritten: number;
  /** Records left out (no column could hold one of their values), and records stored with their text cleaned. */
  recordsQuarantined: number;
  recordsCleaned: number;
}

/**
 * Adds one written page to the log and its stream's counters and answers the sync's totals. Runs in
 * the page's transaction, so counts, checkpoint and rows always agree, whatever attempt wrote them.
 * `after` is the checkpoint the writer resumed from or last wrote: when the log's has moved on (an
 * attempt that lost its worker's link to Temporal while a retry took over) the page is refused with
 * `undefined`, and the caller rolls its rows back, so no page is counted twice.
 */
export async function addPageToSyncLog(
  db: Db,
  id: string,
  page: {
    recordsFetched: number;
    recordsWritten: number;
    bytesRead: number;
    bytesWritten: number;
    checkpoint: SyncCheckpoint;
    recordsQuarantined?: number;
    recordsCleaned?: number;
    requests?: PlatformRequestCounts;
    /** The checkpoint this write follows: refused (undefined) when another attempt has moved the log on. */
    after: SyncCheckpoint | null;
  },
): Promise<SyncTotals | undefined> {
  const row = await db
    .updateTable('data_sync_logs')
    .set({
      ...pageCounterIncrements(page),
      ...(page.recordsQuarantined ? { records_quarantined: sql<number>`records_quarantined + ${page.recordsQuarantined}` } : {}),
      ...(page.recordsCleaned ? { records_cleaned: sql<number>`records_cleaned + ${page.recordsCleaned}` } : {}),
      checkpoint: JSON.stringify(page.checkpoint) as unknown as SyncCheckpoint,
    })
    .where('id', '=', id)
    .where(sql<boolean>`checkpoint is not distinct from ${page.after === null ? null : JSON.stringify(page.after)}::jsonb`)
    .returning(['pages', 'records_fetched', 'records_written', 'bytes_read', 'bytes_written', 'records_quarantined', 'records_cleaned'])
    .executeTakeFirst();
  if (!row) return undefined;
  await addPageToSyncLogStream(db, id, page.checkpoint.stream, { ...page, completed: page.checkpoint.done });
  return syncTotals(row);
}

export function syncTotals(
  log: Pick<SyncLog, 'pages' | 'records_fetched' | 'records_written' | 'bytes_read' | 'bytes_written' | 'records_quarantined' | 'records_cleaned'>,
): SyncTotals {
  return {
    pages: log.pages,
    recordsFetched: log.records_fetched,
    recordsWritten: log.records_written,
    bytesRead: Number(log.bytes_read),
    bytesWritten: Number(log.bytes_written),
    recordsQuarantined: log.records_quarantined,
    recordsCleaned: log.records_cleaned,
  };
}

/** Closes a running log; a log already closed keeps its first outcome. */
export async function closeSyncLog(
  db: Db,
  id: string,
  outcome: { status: Exclude<SyncStatus, 'running'>; error: string | null; at: Date },
): Promise<SyncLog | undefined> {
  return db
    .updateTable('data_sync_logs')
    .set({ status: outcome.status, error: storableOptionalText(outcome.error), finished_at: outcome.at })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}
