import type { Kysely, Transaction } from 'kysely';
import type { AuditEntry, Database } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditFilter {
  orgId: string;
  connectionId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Keyset pagination: entries older than this id. */
  beforeId?: string;
  limit: number;
}

/** An org's audit entries, newest first. */
export async function listAuditEntries(db: Db, filter: AuditFilter): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().where('org_id', '=', filter.orgId);
  if (filter.connectionId) query = query.where('target_type', '=', 'connection').where('target_id', '=', filter.connectionId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}
