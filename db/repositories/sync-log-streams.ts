import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import type { PlatformRequestTotals } from '../../domain/rollout-analysis';
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

/** Live platform requests a stream made (failed ones included) and the seconds they took. */
export interface PlatformRequestCounts {
  requests: number;
  errors: number;
  seconds: number;
}

function requestCounterIncrements(counts: PlatformRequestCounts) {
  return {
    platform_requests: sql<number>`platform_requests + ${counts.requests}`,
    platform_request_errors: sql<number>`platform_request_errors + ${counts.errors}`,
    platform_request_seconds: sql<number>`platform_request_seconds + ${counts.seconds}`,
  };
}

/** Adds one written page (and the platform requests made since the last one) to its stream's counters; runs in the page's transaction. */
export async function addPageToSyncLogStream(
  db: Db,
  syncLogId: string,
  stream: StreamKind,
  page: { recordsFetched: number; recordsWritten: number; bytesRead: number; bytesWritten: number; completed: boolean; requests?: PlatformRequestCounts },
): Promise<void> {
  await db
    .updateTable('data_sync_log_streams')
    .set({
      ...pageCounterIncrements(page),
      ...(page.requests ? requestCounterIncrements(page.requests) : {}),
      ...(page.completed ? { completed_at: new Date() } : {}),
    })
    .where('sync_log_id', '=', syncLogId)
    .where('stream', '=', stream)
    .execute();
}

/** Adds platform requests that wrote no page (those that failed, or whose page was not written) to the stream. */
export async function addPlatformRequestsToSyncLogStream(db: Db, syncLogId: string, stream: StreamKind, counts: PlatformRequestCounts): Promise<void> {
  if (counts.requests === 0) return;
  await db
    .updateTable('data_sync_log_streams')
    .set(requestCounterIncrements(counts))
    .where('sync_log_id', '=', syncLogId)
    .where('stream', '=', stream)
    .execute();
}

/**
 * The live platform requests of these connections' syncs started since `since`, as their streams
 * counted them: what a rollout's analysis judges, and nothing of the connections it does not expose.
 */
export async function platformRequestTotalsOfSyncs(db: Db, q: { connectionIds: readonly string[]; since: Date }): Promise<PlatformRequestTotals> {
  if (q.connectionIds.length === 0) return { requests: 0, failed: 0, seconds: 0 };
  const row = await db
    .selectFrom('data_sync_log_streams as s')
    .innerJoin('data_sync_logs as l', 'l.id', 's.sync_log_id')
    .select([
      sql<string>`coalesce(sum(s.platform_requests), 0)`.as('requests'),
      sql<string>`coalesce(sum(s.platform_request_errors), 0)`.as('failed'),
      sql<number>`coalesce(sum(s.platform_request_seconds), 0)`.as('seconds'),
    ])
    .where('l.connection_id', 'in', q.connectionIds)
    .where('l.started_at', '>=', q.since)
    .executeTakeFirstOrThrow();
  return { requests: Number(row.requests), failed: Number(row.failed), seconds: Number(row.seconds) };
}

/** The streams of the given syncs. */
export async function listSyncLogStreams(db: Db, syncLogIds: readonly string[]): Promise<SyncLogStream[]> {
  if (syncLogIds.length === 0) return [];
  return db.selectFrom('data_sync_log_streams').selectAll().where('sync_log_id', 'in', syncLogIds).orderBy('stream').execute();
}
