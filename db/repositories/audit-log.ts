import type { Kysely, Transaction } from 'kysely';
import type { Database, NewAuditEntry } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Appends one audit entry. The table rejects updates and deletes (see the initial migration). */
export async function appendAudit(db: Db, entry: NewAuditEntry): Promise<void> {
  await db.insertInto('audit_log').values({ ...entry, details: JSON.stringify(entry.details ?? {}) }).execute();
}
