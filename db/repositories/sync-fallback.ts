import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import type { Database, SyncCheckpoint } from '../schema';
import { storableText } from '../storable-text';
import { type SyncTotals, syncTotals } from './sync-logs';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Switches a running sync from live to mock at `stream`, in the caller's transaction:
 * - withdraws the live rows this sync introduced for that stream (first written since the log opened;
 *   only one sync of a connection runs at a time, so they are from its half-written live pages), so
 *   that the stream gets no new live rows from a sync that ends on mock; rows of earlier syncs stay,
 *   with the values its live pages refreshed them to, since deleting them would lose data;
 * - restarts the stream's checkpoint (mock cursors are not live cursors);
 * - records the source, the reason and the moment, which divides the log's live rows from its mock rows.
 * Idempotent: a retried attempt finds the log already on mock and changes nothing.
 */
export async function fallBackSyncLogToMock(
  db: Db,
  syncLogId: string,
  fallback: { stream: StreamKind; reason: string },
): Promise<{ totals: SyncTotals; withdrawn: number } | undefined> {
  const log = await db.selectFrom('data_sync_logs').selectAll().where('id', '=', syncLogId).forUpdate().executeTakeFirst();
  if (!log) return undefined;
  if (log.fallback_at !== null) return { totals: syncTotals(log), withdrawn: 0 };
  const deleted = await db
    .deleteFrom('marketing_metrics')
    .where('connection_id', '=', log.connection_id)
    .where('stream', '=', fallback.stream)
    .where('source', '=', 'live')
    .where('first_synced_at', '>=', log.started_at)
    .executeTakeFirst();
  const withdrawn = Number(deleted.numDeletedRows);
  const checkpoint: SyncCheckpoint = { stream: fallback.stream, cursor: null, done: false };
  const updated = await db
    .updateTable('data_sync_logs')
    .set({
      source: 'mock',
      fallback_reason: storableText(fallback.reason),
      fallback_at: sql<Date>`now()`,
      checkpoint: JSON.stringify(checkpoint) as unknown as SyncCheckpoint,
      // The withdrawn rows are no longer in Postgres; the log counts what is.
      records_written: sql`greatest(records_written - ${withdrawn}, 0)`,
    })
    .where('id', '=', syncLogId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { totals: syncTotals(updated), withdrawn };
}
