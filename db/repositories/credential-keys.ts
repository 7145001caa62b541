import type { Kysely, Transaction } from 'kysely';
import type { SealedSecret } from '../../domain/sealed-secret';
import type { Connection, Database } from '../schema';
import { credentialColumns } from './connections';

type Db = Kysely<Database> | Transaction<Database>;

export type SealedCredentialsRow = Pick<Connection, 'id' | 'credentials_ciphertext' | 'credentials_wrapped_key' | 'credentials_key_version'>;

/**
 * The next rows whose data keys are not wrapped by `currentVersion`, in id order after `afterId`.
 * Locked for the caller's transaction; rows another rotation holds are skipped, not waited on.
 */
export async function lockRowsNeedingRewrap(
  trx: Transaction<Database>,
  currentVersion: string,
  afterId: string | null,
  limit: number,
): Promise<SealedCredentialsRow[]> {
  let query = trx
    .selectFrom('user_platform_connections')
    .select(['id', 'credentials_ciphertext', 'credentials_wrapped_key', 'credentials_key_version'])
    .where('credentials_key_version', '<>', currentVersion);
  if (afterId) query = query.where('id', '>', afterId);
  return query.orderBy('id').limit(limit).forUpdate().skipLocked().execute();
}

/** Stores a re-wrapped data key, only if the row still has the version it was read with (idempotent). */
export async function storeRewrappedKey(db: Db, id: string, fromVersion: string, sealed: SealedSecret): Promise<boolean> {
  const result = await db
    .updateTable('user_platform_connections')
    .set(credentialColumns(sealed))
    .where('id', '=', id)
    .where('credentials_key_version', '=', fromVersion)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many connections each master key version wraps. */
export async function countByKeyVersion(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('user_platform_connections')
    .select(['credentials_key_version', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy('credentials_key_version')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.credentials_key_version, Number(r.n)]));
}
