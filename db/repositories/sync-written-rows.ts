import type { Kysely, Transaction } from 'kysely';
import type { Database, MetricRow, SyncLog } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;
type SyncWindow = Pick<SyncLog, 'connection_id' | 'started_at'>;

/**
 * The metric rows a sync wrote: the connection's rows synced since its log opened (both times are
 * Postgres's clock). Read by the sync's own workflow before it closes, while no other sync of the
 * connection can run (one workflow id per connection), so no later sync's rows are among them.
 * Rows without any metric (contacts) are left out. Both sources' rows (a hybrid sync that fell back
 * wrote some of each; a live and a mock row may share a day), each record saying its own. Ordered by
 * the whole key, so offsets name the same rows every call.
 */
function writtenRows(db: Db, log: SyncWindow) {
  return db
    .selectFrom('marketing_metrics')
    .where('connection_id', '=', log.connection_id)
    .where('synced_at', '>=', log.started_at)
    .where((eb) =>
      eb.or([
        eb('impressions', 'is not', null),
        eb('clicks', 'is not', null),
        eb('spend', 'is not', null),
        eb('conversions', 'is not', null),
        eb('revenue', 'is not', null),
      ]),
    );
}

export async function countSyncWrittenRows(db: Db, log: SyncWindow): Promise<number> {
  const row = await writtenRows(db, log)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listSyncWrittenRows(db: Db, log: SyncWindow, page: { offset: number; limit: number }): Promise<MetricRow[]> {
  return writtenRows(db, log)
    .selectAll()
    .orderBy('stream')
    .orderBy('entity_id')
    .orderBy('date')
    .orderBy('source')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
}
