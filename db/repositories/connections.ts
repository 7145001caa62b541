import type { Kysely, Transaction } from 'kysely';
import type { ConnectionStatus } from '../../domain/connection';
import type { PlatformId } from '../../domain/platforms';
import type { SealedSecret } from '../../domain/sealed-secret';
import type { SyncStatus } from '../../domain/sync';
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

/** Which of an org's connections to list; each filter left out keeps every connection. */
export interface OrgConnectionsFilter {
  /** Leave out the connections in this status. */
  exceptStatus?: ConnectionStatus;
  /** Only these connections (none when empty). */
  ids?: readonly string[];
  /** Only the connections on these platforms (none when empty). */
  platforms?: readonly PlatformId[];
  /** By id (the default), or by creation, oldest first. */
  order?: 'id' | 'created';
}

/** The org's connections (another org's ids match nothing): what bulk sync, validate-all, test-all and rollout scopes act on. */
export async function listOrgConnections(db: Db, orgId: string, filter: OrgConnectionsFilter = {}): Promise<Connection[]> {
  if (filter.ids?.length === 0 || filter.platforms?.length === 0) return [];
  let query = db.selectFrom('user_platform_connections').selectAll().where('org_id', '=', orgId);
  if (filter.exceptStatus) query = query.where('status', '<>', filter.exceptStatus);
  if (filter.ids) query = query.where('id', 'in', filter.ids);
  if (filter.platforms) query = query.where('platform', 'in', filter.platforms);
  query = filter.order === 'created' ? query.orderBy('created_at').orderBy('id') : query.orderBy('id');
  return query.execute();
}

/** How many of the org's connections are in each status (statuses without one are left out). */
export async function countConnectionsByStatus(db: Db, orgId: string): Promise<Partial<Record<ConnectionStatus, number>>> {
  const rows = await db
    .selectFrom('user_platform_connections')
    .select(['status', (eb) => eb.fn.countAll<string>().as('count')])
    .where('org_id', '=', orgId)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}

/** The id of the org's connection to this platform account, if it has one. */
export async function findConnectionIdByAccount(db: Db, account: { orgId: string; platform: PlatformId; accountId: string }): Promise<string | undefined> {
  const row = await db
    .selectFrom('user_platform_connections')
    .select('id')
    .where('org_id', '=', account.orgId)
    .where('platform', '=', account.platform)
    .where('account_id', '=', account.accountId)
    .executeTakeFirst();
  return row?.id;
}

export async function listConnections(db: Db, orgId: string, page: { limit: number; offset: number }): Promise<{ items: Connection[]; total: number }> {
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
    db
      .selectFrom('user_platform_connections')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow(),
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

/**
 * Replaces the connection's sealed credentials only if they are still `expected` (a compare-and-swap
 * on the ciphertext it read); false when they were replaced meanwhile or the connection is gone.
 */
export async function swapConnectionCredentials(db: Db, id: string, swap: { expected: Buffer; sealed: SealedSecret; at: Date }): Promise<boolean> {
  const result = await db
    .updateTable('user_platform_connections')
    .set({ ...credentialColumns(swap.sealed), updated_at: swap.at })
    .where('id', '=', id)
    .where('credentials_ciphertext', '=', swap.expected)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
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
    .set(
      outcome === 'failed'
        ? (eb) => ({ consecutive_sync_failures: eb('consecutive_sync_failures', '+', 1) })
        : { consecutive_sync_failures: 0, sync_warning_at: null },
    )
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
