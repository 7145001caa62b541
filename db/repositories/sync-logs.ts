import { type Kysely, sql, type Transaction } from 'kysely';
import type { SyncStatus } from '../../domain/sync';
import type { Database, NewSyncLog, SyncCheckpoint, SyncLog } from '../schema';
import { addPageToSyncLogStream, pageCounterIncrements } from './sync-log-streams';

type Db = Kysely<Database> | Transaction<Database>;

/** Idempotent per workflow run: a retried activity finds the row its first attempt wrote (`created` false). */
export async function openSyncLog(db: Db, log: NewSyncLog): Promise<{ log: SyncLog; created: boolean }> {
  const inserted = await db.insertInto('data_sync_logs').values(log).onConflict((oc) => oc.column('run_id').doNothing()).returningAll().executeTakeFirst();
  if (inserted) return { log: inserted, created: true };
  return { log: await db.selectFrom('data_sync_logs').selectAll().where('run_id', '=', log.run_id).executeTakeFirstOrThrow(), created: false };
}

export async function findSyncLog(db: Db, id: string): Promise<SyncLog | undefined> {
  return db.selectFrom('data_sync_logs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function latestSyncLog(db: Db, connectionId: string): Promise<SyncLog | undefined> {
  return db
    .selectFrom('data_sync_logs')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function listSyncLogs(db: Db, connectionId: string, limit: number): Promise<SyncLog[]> {
  return db.selectFrom('data_sync_logs').selectAll().where('connection_id', '=', connectionId).orderBy('started_at', 'desc').limit(limit).execute();
}

/** A sync's running totals, as committed. */
export interface SyncTotals {
  pages: number;
  recordsFetched: number;
  recordsWritten: number;
  bytesRead: number;
  bytesWritten: number;
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
  page: { recordsFetched: number; recordsWritten: number; bytesRead: number; bytesWritten: number; checkpoint: SyncCheckpoint; after: SyncCheckpoint | null },
): Promise<SyncTotals | undefined> {
  const row = await db
    .updateTable('data_sync_logs')
    .set({ ...pageCounterIncrements(page), checkpoint: JSON.stringify(page.checkpoint) as unknown as SyncCheckpoint })
    .where('id', '=', id)
    .where(sql<boolean>`checkpoint is not distinct from ${page.after === null ? null : JSON.stringify(page.after)}::jsonb`)
    .returning(['pages', 'records_fetched', 'records_written', 'bytes_read', 'bytes_written'])
    .executeTakeFirst();
  if (!row) return undefined;
  await addPageToSyncLogStream(db, id, page.checkpoint.stream, { ...page, completed: page.checkpoint.done });
  return syncTotals(row);
}

export function syncTotals(log: Pick<SyncLog, 'pages' | 'records_fetched' | 'records_written' | 'bytes_read' | 'bytes_written'>): SyncTotals {
  return { pages: log.pages, recordsFetched: log.records_fetched, recordsWritten: log.records_written, bytesRead: Number(log.bytes_read), bytesWritten: Number(log.bytes_written) };
}

/** Closes a running log; a log already closed keeps its first outcome. */
export async function closeSyncLog(db: Db, id: string, outcome: { status: Exclude<SyncStatus, 'running'>; error: string | null; at: Date }): Promise<SyncLog | undefined> {
  return db
    .updateTable('data_sync_logs')
    .set({ status: outcome.status, error: outcome.error, finished_at: outcome.at })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}
