import type { Kysely, Transaction } from 'kysely';
import type { ConnectionStatus } from '../../domain/connection';
import type { SyncStatus } from '../../domain/sync';
import type { SealedSecret } from '../../security/credential-vault';
import type { Connection, ConnectionUpdate, Database, NewConnection } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** A connection's sealed credentials, as the vault opens them. */
export function connectionCredentials(c: Pick<Connection, 'credentials_ciphertext' | 'credentials_wrapped_key' | 'credentials_key_version'>): SealedSecret {
  return { keyVersion: c.credentials_key_version, wrappedKey: c.credentials_wrapped_key, ciphertext: c.credentials_ciphertext };
}

/** The columns that store sealed credentials. */
export function credentialColumns(sealed: SealedSecret) {
  return {
    credentials_ciphertext: Buffer.from(sealed.ciphertext),
    credentials_wrapped_key: Buffer.from(sealed.wrappedKey),
    credentials_key_version: sealed.keyVersion,
  };
}

export async function insertConnection(db: Db, connection: NewConnection): Promise<Connection> {
  return db.insertInto('user_platform_connections').values(connection).returningAll().executeTakeFirstOrThrow();
}

/** A connection as seen from one org: another org's id reads as absent. */
export async function findConnection(db: Db, orgId: string, id: string): Promise<Connection | undefined> {
  return db.selectFrom('user_platform_connections').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** For activities, which act on a connection id they were given by a workflow started for that org. */
export async function findConnectionById(db: Db, id: string): Promise<Connection | undefined> {
  return db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listConnections(
  db: Db,
  orgId: string,
  page: { limit: number; offset: number },
): Promise<{ items: Connection[]; total: number }> {
  const [items, count] = await Promise.all([
    db
      .selectFrom('user_platform_connections')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db.selectFrom('user_platform_connections').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

export async function updateConnection(db: Db, orgId: string, id: string, changes: ConnectionUpdate): Promise<Connection | undefined> {
  return db
    .updateTable('user_platform_connections')
    .set({ ...changes, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteConnection(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('user_platform_connections').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function setConnectionStatus(db: Db, id: string, status: ConnectionStatus): Promise<void> {
  await db.updateTable('user_platform_connections').set({ status, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function recordConnectionSync(db: Db, id: string, status: SyncStatus, at: Date): Promise<void> {
  await db.updateTable('user_platform_connections').set({ last_sync_at: at, last_sync_status: status, updated_at: at }).where('id', '=', id).execute();
}

/**
 * Counts a finished sync into the connection's run of failures: a failure adds one, a success ends
 * the run (and its warning). Answers the run's length after it, or undefined when the connection is gone.
 */
export async function countSyncOutcome(db: Db, id: string, outcome: 'failed' | 'completed'): Promise<number | undefined> {
  const row = await db
    .updateTable('user_platform_connections')
    .set(outcome === 'failed' ? (eb) => ({ consecutive_sync_failures: eb('consecutive_sync_failures', '+', 1) }) : { consecutive_sync_failures: 0, sync_warning_at: null })
    .where('id', '=', id)
    .returning('consecutive_sync_failures')
    .executeTakeFirst();
  return row?.consecutive_sync_failures;
}

export async function setSyncWarning(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('user_platform_connections').set({ sync_warning_at: at, updated_at: at }).where('id', '=', id).execute();
}

/** A page of every org's connections in id order, with what their sync Schedules derive from. */
export async function listScheduledConnectionsAfter(db: Db, afterId: string | null, limit: number, orgId?: string) {
  let query = db.selectFrom('user_platform_connections').select(['id', 'org_id', 'platform', 'sync_frequency', 'status']).orderBy('id').limit(limit);
  if (afterId) query = query.where('id', '>', afterId);
  if (orgId) query = query.where('org_id', '=', orgId);
  return query.execute();
}

/** Which of these ids are connections (of any org). */
export async function existingConnectionIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('user_platform_connections').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
