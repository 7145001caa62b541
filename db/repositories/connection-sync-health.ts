import type { Kysely, Transaction } from 'kysely';
import type { HealthSync } from '../../domain/connection-health';
import type { Database } from '../schema';
import { listSyncLogs } from './sync-logs';

type Db = Kysely<Database> | Transaction<Database>;

/** Syncs health looks at: enough to see a run of failures and an error rate. */
const HEALTH_SYNCS = 20;

/** What a connection's sync logs say about its health: its recent syncs (newest first) and its last success. */
export async function connectionSyncHealth(db: Db, connectionId: string): Promise<{ syncs: HealthSync[]; lastSuccessfulSyncAt: Date | null }> {
  const [logs, lastCompleted] = await Promise.all([
    listSyncLogs(db, connectionId, HEALTH_SYNCS),
    db
      .selectFrom('data_sync_logs')
      .select('finished_at')
      .where('connection_id', '=', connectionId)
      .where('status', '=', 'completed')
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    syncs: logs.map((l) => ({
      status: l.status,
      source: l.source,
      fellBack: l.fallback_at !== null,
      startedAt: l.started_at,
      error: l.error ?? l.fallback_reason,
    })),
    lastSuccessfulSyncAt: lastCompleted?.finished_at ?? null,
  };
}
