import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MetricRecord } from '../domain/sync';

/** COPY text format: backslash, tab, newline and carriage return escaped; \N for null. */
function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** The same rows the sync writes, as COPY input for a table shaped like marketing_metrics. */
export function toCopyText(target: { connectionId: string; orgId: string; platform: string }, records: readonly MetricRecord[]): string[] {
  return records.map(
    (r) =>
      [target.connectionId, r.stream, r.entityId, r.date, target.orgId, target.platform, r.entityName, r.parentId, r.impressions, r.clicks, r.spend, r.conversions, r.revenue, r.currency, JSON.stringify(r.raw)]
        .map(copyField)
        .join('\t') + '\n',
  );
}

/** Raw COPY into `table`: the fastest way rows can enter Postgres, the baseline for the sync's ingest. */
export async function copyRows(pool: pg.Pool, table: string, lines: readonly string[]): Promise<void> {
  const client = await pool.connect();
  try {
    const columns = 'connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id, impressions, clicks, spend, conversions, revenue, currency, raw';
    const stream = client.query(copyFrom(`copy ${table} (${columns}) from stdin`));
    // Batch lines into ~1 MiB chunks so the baseline is not slowed by per-line stream overhead.
    const chunks: string[] = [];
    let current = '';
    for (const line of lines) {
      current += line;
      if (current.length > 1 << 20) {
        chunks.push(current);
        current = '';
      }
    }
    if (current) chunks.push(current);
    await pipeline(Readable.from(chunks), stream);
  } finally {
    client.release();
  }
}
