import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import type { DateWindow } from '../../domain/sync';
import type { Database, SyncLogStream } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Records the streams a sync planned, with their windows. Idempotent: a retried start finds them. */
export async function openSyncLogStreams(db: Db, syncLogId: string, windows: readonly { stream: StreamKind; window: DateWindow }[]): Promise<void> {
  if (windows.length === 0) return;
  await db
    .insertInto('data_sync_log_streams')
    .values(windows.map(({ stream, window }) => ({ sync_log_id: syncLogId, stream, window_start: window.startDate, window_end: window.endDate })))
    .onConflict((oc) => oc.columns(['sync_log_id', 'stream']).doNothing())
    .execute();
}

/** What one written page adds to a sync's counters: the log and its stream rows count alike. */
export function pageCounterIncrements(page: { recordsFetched: number; recordsWritten: number; bytesRead: number; bytesWritten: number }) {
  return {
    pages: sql<number>`pages + 1`,
    records_fetched: sql<number>`records_fetched + ${page.recordsFetched}`,
    records_written: sql<number>`records_written + ${page.recordsWritten}`,
    bytes_read: sql<string>`bytes_read + ${page.bytesRead}`,
    bytes_written: sql<string>`bytes_written + ${page.bytesWritten}`,
  };
}

/** Adds one written page to its stream's counters; runs in the page's transaction. */
export async function addPageToSyncLogStream(
  db: Db,
  syncLogId: string,
  stream: StreamKind,
  page: { recordsFetched: number; recordsWritten: number; bytesRead: number; bytesWritten: number; completed: boolean },
): Promise<void> {
  await db
    .updateTable('data_sync_log_streams')
    .set({ ...pageCounterIncrements(page), ...(page.completed ? { completed_at: new Date() } : {}) })
    .where('sync_log_id', '=', syncLogId)
    .where('stream', '=', stream)
    .execute();
}

/** The streams of the given syncs. */
export async function listSyncLogStreams(db: Db, syncLogIds: readonly string[]): Promise<SyncLogStream[]> {
  if (syncLogIds.length === 0) return [];
  return db.selectFrom('data_sync_log_streams').selectAll().where('sync_log_id', 'in', syncLogIds).orderBy('stream').execute();
}
