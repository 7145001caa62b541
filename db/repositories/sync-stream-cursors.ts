import type { Kysely, Transaction } from 'kysely';
import type { StreamKind } from '../../domain/platforms';
import type { DateWindow } from '../../domain/sync';
import { type SyncKind, advancedCursor } from '../../domain/sync-window';
import type { Database, SyncStreamCursor } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export async function listStreamCursors(db: Db, connectionId: string): Promise<SyncStreamCursor[]> {
  return db.selectFrom('sync_stream_cursors').selectAll().where('connection_id', '=', connectionId).orderBy('stream').execute();
}

/**
 * Moves a stream's cursor after a sync wrote the stream's last page; call it in that page's
 * transaction. The row is locked first, so the rule in `advancedCursor` sees the committed cursor.
 * Answers the cursor now in force.
 */
export async function advanceStreamCursor(
  db: Db,
  move: { connectionId: string; stream: StreamKind; kind: SyncKind; window: DateWindow; syncLogId: string },
): Promise<string | null> {
  const current = await db
    .selectFrom('sync_stream_cursors')
    .select('synced_through')
    .where('connection_id', '=', move.connectionId)
    .where('stream', '=', move.stream)
    .forUpdate()
    .executeTakeFirst();
  const existing = current?.synced_through ?? null;
  const next = advancedCursor(move.kind, move.window, existing);
  if (next === null) return existing;
  await db
    .insertInto('sync_stream_cursors')
    .values({ connection_id: move.connectionId, stream: move.stream, synced_through: next, sync_log_id: move.syncLogId, updated_at: new Date() })
    .onConflict((oc) => oc.columns(['connection_id', 'stream']).doUpdateSet({ synced_through: next, sync_log_id: move.syncLogId, updated_at: new Date() }))
    .execute();
  return next;
}
