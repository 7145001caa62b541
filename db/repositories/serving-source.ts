import type { Kysely, Transaction } from 'kysely';
import type { DataSource } from '../../domain/connection';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The source whose rows stand for a connection's synced data: that of its latest completed sync (mock
 * after a hybrid fallback), or before any, mock for a mock-mode connection and live otherwise. What
 * system-initiated work about a connection's data (the daily validation, the rollouts' validation report gate)
 * asks for explicitly, so a connection served by mock is judged by its mock rows.
 */
export async function servingSource(db: Db, connection: { id: string; data_mode: string }): Promise<DataSource> {
  const latest = await db
    .selectFrom('data_sync_logs')
    .select('source')
    .where('connection_id', '=', connection.id)
    .where('status', '=', 'completed')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return latest?.source ?? (connection.data_mode === 'mock' ? 'mock' : 'live');
}
