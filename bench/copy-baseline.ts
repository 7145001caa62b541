import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { METRICS_COPY_COLUMNS } from '../db/metrics-copy-format';

/**
 * The baseline: one raw COPY of already-serialised rows into `table`, the fastest way rows can
 * enter Postgres. The sync's ingest rate is reported as a fraction of this.
 */
export async function copyRows(pool: pg.Pool, table: string, copyText: string): Promise<void> {
  const client = await pool.connect();
  try {
    // ~1 MiB chunks: the stream's per-chunk overhead stays out of the baseline.
    const chunks: string[] = [];
    for (let i = 0; i < copyText.length; i += 1 << 20) chunks.push(copyText.slice(i, i + (1 << 20)));
    await pipeline(Readable.from(chunks), client.query(copyFrom(`copy ${table} (${METRICS_COPY_COLUMNS.join(', ')}) from stdin`)));
  } finally {
    client.release();
  }
}
