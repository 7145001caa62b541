import type { Kysely, Transaction } from 'kysely';
import type { Database, NewAuditEntry } from '../schema';
import { storableJson } from '../storable-text';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Appends one audit entry. The table rejects updates and deletes (see the initial migration). Details may
 * quote a platform (an error message): a NUL in it must not make the audited action fail.
 */
export async function appendAudit(db: Db, entry: NewAuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ ...entry, details: storableJson(entry.details ?? {}) })
    .execute();
}
