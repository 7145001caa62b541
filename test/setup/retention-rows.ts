import { type Kysely, sql } from 'kysely';
import type { Connection, Database } from '../../db/schema';

/**
 * Writes `perDay` mock rows of each day for a connection into marketing_metrics, and as many into
 * the mock archive: what the retention tests delete from.
 */
export async function insertDatedRows(db: Kysely<Database>, connection: Connection, days: readonly string[], perDay: number): Promise<void> {
  const rows = days.flatMap((date) =>
    Array.from({ length: perDay }, (_, i) => ({
      connection_id: connection.id,
      stream: 'ad_performance' as const,
      entity_id: `e-${i}`,
      date,
      org_id: connection.org_id,
      platform: connection.platform,
      entity_name: null,
      parent_id: null,
      impressions: 1,
      clicks: 1,
      spend: 1,
      conversions: 0,
      revenue: 0,
      currency: 'USD',
      raw: sql`'{}'::jsonb`,
      synced_at: new Date(),
      first_synced_at: new Date(),
      source: 'mock' as const,
    })),
  );
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await db.insertInto('marketing_metrics').values(chunk).execute();
    await db
      .insertInto('marketing_metrics_mock_archive')
      .values(chunk.map((r) => ({ ...r, archived_at: new Date(), archived_by_sync_log_id: null })))
      .execute();
  }
}
