import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema';

/** One transaction seen two ways: the raw client (for COPY) and Kysely (for typed queries). */
export interface PgTransaction {
  client: pg.PoolClient;
  db: Kysely<Database>;
}

/**
 * Runs `work` in a transaction on one pooled connection. Kysely's own transactions hide the client,
 * and COPY needs it; here both share the connection, so rows and bookkeeping commit together.
 */
export async function withPgTransaction<T>(pool: pg.Pool, work: (trx: PgTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // Kysely over this one connection; releasing is ours to do, once, below.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: { connect: async () => ({ query: client.query.bind(client), release() {} }), end: async () => {} } }),
  });
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await work({ client, db });
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw err;
  } finally {
    // A connection whose rollback failed may be unusable: destroy it rather than return it to the pool.
    client.release(broken);
  }
}
