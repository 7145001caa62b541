import { type Kysely, sql, type Transaction } from 'kysely';
import type { RetainedTable } from '../../domain/data-retention';
import type { Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** The org's default, or undefined while it has set none (synced data is then kept forever). */
export async function findOrgRetention(db: Db, orgId: string): Promise<{ default_days: number | null; updated_at: Date } | undefined> {
  return db.selectFrom('org_retention_policies').select(['default_days', 'updated_at']).where('org_id', '=', orgId).executeTakeFirst();
}

export async function saveOrgRetention(
  db: Db,
  orgId: string,
  defaultDays: number | null,
  updatedBy: string,
): Promise<{ default_days: number | null; updated_at: Date }> {
  const now = new Date();
  return db
    .insertInto('org_retention_policies')
    .values({ org_id: orgId, default_days: defaultDays, updated_at: now, updated_by: updatedBy })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ default_days: defaultDays, updated_at: now, updated_by: updatedBy }))
    .returning(['default_days', 'updated_at'])
    .executeTakeFirstOrThrow();
}

/** Every connection of the org, oldest first, with its override (null override days: kept forever; no override: the org's default). */
export async function listConnectionRetention(
  db: Db,
  orgId: string,
): Promise<{ connection_id: string; has_override: boolean; retention_days: number | null; updated_at: Date | null }[]> {
  const rows = await db
    .selectFrom('user_platform_connections as c')
    .leftJoin('connection_retention_overrides as o', 'o.connection_id', 'c.id')
    .select(['c.id', 'o.connection_id as override_of', 'o.retention_days', 'o.updated_at'])
    .where('c.org_id', '=', orgId)
    .orderBy('c.created_at')
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({ connection_id: r.id, has_override: r.override_of !== null, retention_days: r.retention_days, updated_at: r.updated_at }));
}

export async function findConnectionRetentionOverride(db: Db, orgId: string, connectionId: string): Promise<{ retention_days: number | null } | undefined> {
  return db
    .selectFrom('connection_retention_overrides')
    .select('retention_days')
    .where('org_id', '=', orgId)
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
}

/** Sets a connection's override; the caller has checked the connection is the org's. */
export async function saveConnectionRetentionOverride(
  db: Db,
  orgId: string,
  connectionId: string,
  retentionDays: number | null,
  updatedBy: string,
): Promise<{ retention_days: number | null; updated_at: Date }> {
  const now = new Date();
  return db
    .insertInto('connection_retention_overrides')
    .values({ connection_id: connectionId, org_id: orgId, retention_days: retentionDays, updated_at: now, updated_by: updatedBy })
    .onConflict((oc) => oc.column('connection_id').doUpdateSet({ retention_days: retentionDays, updated_at: now, updated_by: updatedBy }))
    .returning(['retention_days', 'updated_at'])
    .executeTakeFirstOrThrow();
}

/** Removes a connection's override (it follows the org's default again); whether there was one. */
export async function removeConnectionRetentionOverride(db: Db, orgId: string, connectionId: string): Promise<boolean> {
  const result = await db.deleteFrom('connection_retention_overrides').where('org_id', '=', orgId).where('connection_id', '=', connectionId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export interface RetentionTarget {
  connectionId: string;
  orgId: string;
  retentionDays: number;
}

/**
 * Every connection of every org whose data has a retention: its override's days, or its org's
 * default when it has no override (an override of null keeps forever, and is left out).
 */
export async function listRetentionTargets(db: Db): Promise<RetentionTarget[]> {
  const rows = await db
    .selectFrom('user_platform_connections as c')
    .leftJoin('connection_retention_overrides as o', 'o.connection_id', 'c.id')
    .leftJoin('org_retention_policies as p', 'p.org_id', 'c.org_id')
    .select(['c.id', 'c.org_id', sql<number | null>`case when o.connection_id is not null then o.retention_days else p.default_days end`.as('days')])
    .orderBy('c.id')
    .execute();
  return rows.filter((r) => r.days !== null).map((r) => ({ connectionId: r.id, orgId: r.org_id, retentionDays: r.days! }));
}

/**
 * Deletes at most `limit` of one connection's rows dated before `cutoffDate` (YYYY-MM-DD) from `table`,
 * in one statement (its own transaction unless `db` is one); how many went. Rows of the cutoff day
 * stay. Running it again after a crash deletes what is left: nothing is marked, nothing half done.
 */
export async function deleteExpiredRowsBatch(
  db: Db,
  table: RetainedTable,
  target: { orgId: string; connectionId: string },
  cutoffDate: string,
  limit: number,
): Promise<number> {
  const result = await sql`
    delete from ${sql.table(table)} where ctid in (
      select ctid from ${sql.table(table)}
      where connection_id = ${target.connectionId} and org_id = ${target.orgId} and date < ${cutoffDate}::date
      limit ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
