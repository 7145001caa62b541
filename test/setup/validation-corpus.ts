import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createMockConnector } from '../../connectors/mock/connector';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { upsertMetrics } from '../../db/repositories/marketing-metrics';
import type { Connection } from '../../db/schema';
import type { PlatformId } from '../../domain/platforms';
import { addDays } from '../../domain/sync';
import type { RuleSample, ValidationRuleId } from '../../domain/validation-rules';
import type { MetricRecord } from '../../domain/sync';
import { createTestConnection } from './fixtures';
import type { TestHarness } from './test-harness';

/**
 * A labelled corpus for the validation rules: connections filled from the seeded mock generator,
 * some left clean and some with one planted defect each, and the items (rows, days, entities or the
 * connection itself) each rule must flag. Fixed dates, so the data is the same on every run.
 */
export const CORPUS_AS_OF = '2026-11-02';
const HISTORY_DAYS = 60;
const FIRST_DAY = addDays(CORPUS_AS_OF, -HISTORY_DAYS);
/** Day `n` of the history (0 = first). */
const day = (n: number) => addDays(FIRST_DAY, n);

export interface CorpusConnection {
  label: string;
  connection: Connection;
  /** Items each rule must flag on this connection (item keys as in `sampleItem`). */
  expected: Partial<Record<ValidationRuleId, string[]>>;
}

/** How a rule's sample names the item it flags: its stream, entity and day where it has them, else the connection. */
export function sampleItem(sample: RuleSample): string {
  return [sample.stream, sample.entityId, sample.date].filter((p) => p !== undefined).join('|') || 'connection';
}

/** Stores records as a live sync would, one batch per stream (the rules judge live rows unless asked for mock). */
async function storeAsLive(harness: TestHarness, connection: Connection, records: MetricRecord[]): Promise<void> {
  const target = { connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, source: 'live' as const };
  await withPgTransaction(harness.database.pool, async ({ client }) => {
    for (const stream of new Set(records.map((r) => r.stream))) {
      await upsertMetrics(
        client,
        toMetricsBatch(
          { ...target, stream },
          records.filter((r) => r.stream === stream),
        ),
      );
    }
  });
}

interface Planted {
  records: MetricRecord[];
  connection: Connection;
}

/** Clean connections of many seeds in one org (so cross-platform applies): none may be flagged by any rule. */
export async function buildCleanCorpus(harness: TestHarness, perPlatform: number): Promise<Connection[]> {
  const orgId = `org-corpus-clean-${randomUUID().slice(0, 8)}`;
  const connections: Connection[] = [];
  for (const platform of ['meta_business', 'google_ads', 'tiktok', 'linkedin_ads', 'x_ads', 'klaviyo'] as const) {
    for (let i = 0; i < perPlatform; i++) {
      const accountId = `${platform === 'meta_business' ? 'act_' : ''}9${String(i).padStart(5, '0')}`;
      const connection = await createTestConnection(harness, { platform, dataMode: 'mock', accountId, orgId });
      const connector = createMockConnector({ platform, accountId });
      const records: MetricRecord[] = [];
      for (const stream of connector.listStreams())
        records.push(
          ...(await connector.fetchPage({ stream, cursor: null, window: { startDate: FIRST_DAY, endDate: addDays(CORPUS_AS_OF, -1) }, pageSize: 100_000 }))
            .records,
        );
      await storeAsLive(harness, connection, records);
      connections.push(connection);
    }
  }
  return connections;
}

export async function buildValidationCorpus(harness: TestHarness): Promise<CorpusConnection[]> {
  const db = harness.database.db;
  const run = randomUUID().slice(0, 8);

  async function load(platform: PlatformId, accountId: string, orgId: string, options: { lastDay?: string } = {}): Promise<Planted> {
    const connection = await createTestConnection(harness, { platform, dataMode: 'mock', accountId, orgId });
    const connector = createMockConnector({ platform, accountId });
    const window = { startDate: FIRST_DAY, endDate: options.lastDay ?? addDays(CORPUS_AS_OF, -1) };
    const records: MetricRecord[] = [];
    for (const stream of connector.listStreams()) {
      const page = await connector.fetchPage({ stream, cursor: null, window, pageSize: 100_000 });
      records.push(...page.records);
    }
    await storeAsLive(harness, connection, records);
    return { records, connection };
  }

  /** The ad row of ad `ad` (0-17) on day `n`: the generator orders rows day by day, ads within a day. */
  const adRow = (p: Planted, ad: number, n: number) => p.records.filter((r) => r.stream === 'ad_performance')[n * 18 + ad]!;
  const rowKey = (r: MetricRecord) => `${r.stream}|${r.entityId}|${r.date}`;
  const whereRow = (p: Planted, r: MetricRecord) =>
    sql`connection_id = ${p.connection.id} and stream = ${r.stream} and entity_id = ${r.entityId} and date = ${r.date}`;
  const update = (p: Planted, r: MetricRecord, set: ReturnType<typeof sql>) => sql`update marketing_metrics set ${set} where ${whereRow(p, r)}`.execute(db);

  const corpus: CorpusConnection[] = [];
  const org = (name: string) => `org-corpus-${name}-${run}`;

  // An org with three clean ad connections and one whose costs are ten times theirs.
  const mixed = org('mixed');
  for (const [platform, account] of [
    ['meta_business', 'act_500101'],
    ['google_ads', '5001002'],
    ['tiktok', '5001003'],
  ] as const) {
    corpus.push({ label: `clean ${platform}`, connection: (await load(platform, account, mixed)).connection, expected: {} });
  }
  const dear = await load('x_ads', '5001004', mixed);
  await sql`update marketing_metrics set spend = spend * 10 where connection_id = ${dear.connection.id}`.execute(db);
  corpus.push({ label: 'x_ads costs 10× its org', connection: dear.connection, expected: { cross_platform_consistency: ['connection'] } });

  corpus.push({ label: 'clean klaviyo', connection: (await load('klaviyo', 'kl-5001', org('klaviyo'))).connection, expected: {} });
  corpus.push({ label: 'clean linkedin_ads', connection: (await load('linkedin_ads', '5001005', org('linkedin'))).connection, expected: {} });

  const stale = await load('meta_business', 'act_500201', org('stale'), { lastDay: addDays(CORPUS_AS_OF, -6) });
  corpus.push({
    label: 'stale meta_business',
    connection: stale.connection,
    expected: { daily_freshness: ['connection'], weekly_availability: [5, 4, 3, 2, 1].map((d) => `ad_performance|${addDays(CORPUS_AS_OF, -d)}`) },
  });

  const missing = await load('meta_business', 'act_500301', org('missing'));
  const missingRows = [adRow(missing, 0, 15), adRow(missing, 1, 25), adRow(missing, 2, 35)];
  await update(missing, missingRows[0]!, sql`entity_name = null`);
  await update(missing, missingRows[1]!, sql`spend = null`);
  await update(missing, missingRows[2]!, sql`currency = null`);
  corpus.push({ label: 'meta_business missing required fields', connection: missing.connection, expected: { required_fields: missingRows.map(rowKey) } });

  const related = await load('google_ads', '5003001', org('relationships'));
  const relatedRows = [adRow(related, 3, 20), adRow(related, 4, 30), adRow(related, 5, 40)];
  await update(related, relatedRows[0]!, sql`impressions = 30, clicks = 35, spend = 17.5, conversions = least(conversions, 35)`);
  await update(related, relatedRows[1]!, sql`conversions = clicks + 3`);
  await update(related, relatedRows[2]!, sql`raw = jsonb_set(raw, '{cpc}', '9.99')`);
  corpus.push({ label: 'google_ads broken metric relationships', connection: related.connection, expected: { metric_relationships: relatedRows.map(rowKey) } });

  const ranged = await load('tiktok', '5004001', org('ranges'));
  const rangedRows = [adRow(ranged, 0, 12), adRow(ranged, 1, 22), adRow(ranged, 2, 32), adRow(ranged, 3, 42), adRow(ranged, 4, 47)];
  await update(ranged, rangedRows[0]!, sql`spend = -50`);
  await update(ranged, rangedRows[1]!, sql`clicks = -3`);
  await update(ranged, rangedRows[2]!, sql`revenue = -20`);
  await update(ranged, rangedRows[3]!, sql`clicks = 1, spend = 600, conversions = 0`);
  await update(ranged, rangedRows[4]!, sql`impressions = 50, clicks = 1, spend = 100, conversions = 0`);
  corpus.push({ label: 'tiktok out-of-range values', connection: ranged.connection, expected: { value_ranges: rangedRows.map(rowKey) } });

  const dropped = await load('google_ads', '5005001', org('volume'));
  await sql`delete from marketing_metrics where connection_id = ${dropped.connection.id} and date = ${day(30)} and entity_id not in (${adRow(dropped, 0, 30).entityId}, ${adRow(dropped, 1, 30).entityId})`.execute(
    db,
  );
  corpus.push({ label: 'google_ads volume drop', connection: dropped.connection, expected: { volume_consistency: [`ad_performance|${day(30)}`] } });

  const spiked = await load('meta_business', 'act_500601', org('spike'));
  await sql`update marketing_metrics set impressions = impressions * 6, clicks = clicks * 6, spend = spend * 6, conversions = conversions * 6, revenue = revenue * 6
    where connection_id = ${spiked.connection.id} and date = ${day(35)}`.execute(db);
  corpus.push({ label: 'meta_business spike', connection: spiked.connection, expected: { temporal_consistency: [`ad_performance|${day(35)}`] } });

  const gapped = await load('tiktok', '5007001', org('gap'));
  await sql`delete from marketing_metrics where connection_id = ${gapped.connection.id} and date = ${day(25)}`.execute(db);
  corpus.push({ label: 'tiktok gap day', connection: gapped.connection, expected: { temporal_consistency: [`ad_performance|${day(25)}`] } });

  const tangled = await load('meta_business', 'act_500801', org('hierarchy'));
  const orphan = adRow(tangled, 0, 0);
  const moved = adRow(tangled, 4, 0);
  const misfiled = adRow(tangled, 8, 0);
  const otherCampaign = String(adRow(tangled, 17, 0).raw.campaign_id);
  await sql`update marketing_metrics set parent_id = null, raw = raw - 'adset_id' where connection_id = ${tangled.connection.id} and entity_id = ${orphan.entityId}`.execute(
    db,
  );
  await sql`update marketing_metrics set raw = jsonb_set(raw, '{campaign_id}', to_jsonb(${otherCampaign}::text)) where connection_id = ${tangled.connection.id} and entity_id = ${moved.entityId}`.execute(
    db,
  );
  await sql`update marketing_metrics set raw = jsonb_set(raw, '{adset_id}', to_jsonb(${String(adRow(tangled, 17, 0).parentId)}::text))
    where connection_id = ${tangled.connection.id} and entity_id = ${misfiled.entityId} and date between ${day(10)} and ${day(20)}`.execute(db);
  corpus.push({
    label: 'meta_business broken hierarchy',
    connection: tangled.connection,
    expected: { meta_account_structure: [orphan.entityId, String(moved.parentId), misfiled.entityId] },
  });

  const scored = await load('google_ads', '5009001', org('quality'));
  const scoredRows = [adRow(scored, 0, 10), adRow(scored, 1, 20), adRow(scored, 2, 30), adRow(scored, 3, 40)];
  await update(scored, scoredRows[0]!, sql`raw = jsonb_set(raw, '{quality_score}', '0')`);
  await update(scored, scoredRows[1]!, sql`raw = jsonb_set(raw, '{quality_score}', '11')`);
  await update(scored, scoredRows[2]!, sql`raw = jsonb_set(raw, '{quality_score}', '7.5')`);
  await update(scored, scoredRows[3]!, sql`raw = jsonb_set(raw, '{quality_score}', '"high"')`);
  corpus.push({
    label: 'google_ads quality score out of range',
    connection: scored.connection,
    expected: { google_ads_quality_score: scoredRows.map(rowKey) },
  });

  return corpus;
}
