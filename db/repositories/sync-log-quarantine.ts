import type { Kysely, Transaction } from 'kysely';
import { RECORD_ISSUE_SAMPLES, type RecordIssue, type RecordIssueAction } from '../../domain/record-quarantine';
import type { Database, SyncLogQuarantineSample } from '../schema';
import { storableOptionalText, storableText } from '../storable-text';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Keeps samples of a page's cleaned and quarantined records, up to RECORD_ISSUE_SAMPLES per sync and
 * action (the counts on the log are exact). Runs in the page's transaction: a retried page adds none twice.
 */
export async function addSyncLogQuarantineSamples(db: Db, syncLogId: string, action: RecordIssueAction, samples: readonly RecordIssue[]): Promise<void> {
  if (samples.length === 0) return;
  const kept = await db
    .selectFrom('data_sync_log_quarantine')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('sync_log_id', '=', syncLogId)
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  const room = RECORD_ISSUE_SAMPLES - Number(kept.n);
  if (room <= 0) return;
  await db
    .insertInto('data_sync_log_quarantine')
    .values(
      samples.slice(0, room).map((s) => ({
        sync_log_id: syncLogId,
        action,
        stream: storableText(s.stream),
        entity_id: storableOptionalText(s.entityId),
        record_date: storableOptionalText(s.date),
        field: s.field,
        reason: storableText(s.reason),
      })),
    )
    .execute();
}

/** The samples of the given syncs, quarantined first, in the order they were met. */
export async function listSyncLogQuarantineSamples(db: Db, syncLogIds: readonly string[]): Promise<SyncLogQuarantineSample[]> {
  if (syncLogIds.length === 0) return [];
  return db
    .selectFrom('data_sync_log_quarantine')
    .selectAll()
    .where('sync_log_id', 'in', syncLogIds)
    .orderBy('sync_log_id')
    .orderBy('action', 'desc')
    .orderBy('id')
    .execute();
}
