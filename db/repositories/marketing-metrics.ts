import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { PlatformId } from '../../domain/platforms';
import type { MetricRecord } from '../../domain/sync';
import type { Database, MetricRow } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Upserts one page of records in a single statement: each column travels as one array
 * parameter and UNNEST turns them back into rows, so a 10,000-row page is one round trip.
 * The natural key (connection, stream, entity, date) makes a re-sync update in place.
 * Returns the number of rows inserted or updated.
 */
export async function upsertMetrics(
  db: Db,
  target: { connectionId: string; orgId: string; platform: PlatformId },
  records: readonly MetricRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const n = records.length;
  const streams = new Array<string>(n);
  const entityIds = new Array<string>(n);
  const dates = new Array<string>(n);
  const names = new Array<string | null>(n);
  const parents = new Array<string | null>(n);
  const impressions = new Array<number | null>(n);
  const clicks = new Array<number | null>(n);
  const spend = new Array<number | null>(n);
  const conversions = new Array<number | null>(n);
  const revenue = new Array<number | null>(n);
  const currencies = new Array<string | null>(n);
  const raws = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    streams[i] = r.stream;
    entityIds[i] = r.entityId;
    dates[i] = r.date;
    names[i] = r.entityName;
    parents[i] = r.parentId;
    impressions[i] = r.impressions;
    clicks[i] = r.clicks;
    spend[i] = r.spend;
    conversions[i] = r.conversions;
    revenue[i] = r.revenue;
    currencies[i] = r.currency;
    raws[i] = JSON.stringify(r.raw);
  }
  const result = await sql`
    insert into marketing_metrics as m
      (connection_id, stream, entity_id, date, org_id, platform, entity_name, parent_id,
       impressions, clicks, spend, conversions, revenue, currency, raw, synced_at)
    select ${target.connectionId}::uuid, u.stream, u.entity_id, u.date, ${target.orgId}, ${target.platform}, u.entity_name, u.parent_id,
           u.impressions, u.clicks, u.spend, u.conversions, u.revenue, u.currency, u.raw, now()
    from unnest(
      ${streams}::text[], ${entityIds}::text[], ${dates}::date[], ${names}::text[], ${parents}::text[],
      ${impressions}::bigint[], ${clicks}::bigint[], ${spend}::numeric[], ${conversions}::numeric[], ${revenue}::numeric[],
      ${currencies}::text[], ${raws}::jsonb[]
    ) as u(stream, entity_id, date, entity_name, parent_id, impressions, clicks, spend, conversions, revenue, currency, raw)
    on conflict (connection_id, stream, entity_id, date) do update set
      entity_name = excluded.entity_name, parent_id = excluded.parent_id,
      impressions = excluded.impressions, clicks = excluded.clicks, spend = excluded.spend,
      conversions = excluded.conversions, revenue = excluded.revenue, currency = excluded.currency,
      raw = excluded.raw, synced_at = excluded.synced_at
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export async function countMetrics(db: Db, connectionId: string): Promise<number> {
  const row = await db.selectFrom('marketing_metrics').select((eb) => eb.fn.countAll<string>().as('n')).where('connection_id', '=', connectionId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listMetrics(db: Db, connectionId: string, page: { limit: number; offset: number }): Promise<MetricRow[]> {
  return db
    .selectFrom('marketing_metrics')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('date', 'desc')
    .orderBy('stream')
    .orderBy('entity_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}
