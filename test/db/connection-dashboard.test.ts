import { randomUUID } from 'node:crypto';
import { createDatabase, type DatabaseHandle } from '../../db/database';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { withPgTransaction } from '../../db/pg-transaction';
import { appendAudit } from '../../db/repositories/audit-log';
import { connectionTotals, recentActivity, storedRowsBySource, syncActivitySince } from '../../db/repositories/connection-dashboard';
import { insertConnection } from '../../db/repositories/connections';
import { upsertMetrics } from '../../db/repositories/marketing-metrics';
import { openSyncLog } from '../../db/repositories/sync-logs';
import type { PlatformId } from '../../domain/platforms';
import type { MetricRecord, SyncStatus } from '../../domain/sync';
import { testEnv } from '../setup/test-env';
import { connectionRow } from '../setup/fixtures';

const DAY_MS = 86_400_000;

function record(entityId: string, date: string): MetricRecord {
  return {
    stream: 'ad_performance',
    entityId,
    date,
    entityName: null,
    parentId: null,
    impressions: 10,
    clicks: 1,
    spend: 1,
    conversions: 0,
    revenue: 0,
    currency: 'USD',
    raw: {},
  };
}

/** The UTC date `daysAgo` days before today, as the series names it. */
const utcDate = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

describe('connection dashboard repository (migrated Postgres)', () => {
  let database: DatabaseHandle;
  const orgA = `org-dash-a-${randomUUID()}`;
  const orgB = `org-dash-b-${randomUUID()}`;
  const ids = { metaA: randomUUID(), googleA: randomUUID(), klaviyoA: randomUUID(), warnedA: randomUUID(), b: randomUUID() };

  async function syncLog(orgId: string, connectionId: string, platform: PlatformId, status: SyncStatus, startedAt: Date, recordsWritten: number) {
    return (
      await openSyncLog(database.db, {
        connection_id: connectionId,
        org_id: orgId,
        platform,
        workflow_id: 'wf',
        run_id: randomUUID(),
        status,
        source: 'mock',
        window_start: '2026-01-01',
        window_end: '2026-01-31',
        error: status === 'failed' ? 'boom' : null,
        checkpoint: null,
        started_at: startedAt,
        finished_at: status === 'running' ? null : startedAt,
        records_written: recordsWritten,
      })
    ).log;
  }

  beforeAll(async () => {
    database = createDatabase(testEnv('databaseUrl'), { max: 2 });
    await insertConnection(database.db, connectionRow(orgA, { id: ids.metaA, platform: 'meta_business' }));
    await insertConnection(database.db, connectionRow(orgA, { id: ids.googleA, platform: 'google_ads', data_mode: 'live', last_sync_status: 'failed' }));
    await insertConnection(database.db, connectionRow(orgA, { id: ids.klaviyoA, platform: 'klaviyo', status: 'reauth_required', data_mode: 'auto' }));
    await insertConnection(database.db, connectionRow(orgA, { id: ids.warnedA, platform: 'meta_business', sync_warning_at: new Date() }));
    await insertConnection(database.db, connectionRow(orgB, { id: ids.b, platform: 'shopify', status: 'disabled', data_mode: 'hybrid' }));
  });
  afterAll(() => database.close());

  it("counts an org's connections by status, platform and data mode, and those failing, without another org's", async () => {
    expect(await connectionTotals(database.db, orgA)).toEqual({
      total: 4,
      // google_ads (last sync failed), klaviyo (reauth_required), the warned meta connection.
      failing: 3,
      byStatus: { active: 3, reauth_required: 1 },
      byPlatform: { meta_business: 2, google_ads: 1, klaviyo: 1 },
      byDataMode: { mock: 2, live: 1, auto: 1 },
    });
    expect(await connectionTotals(database.db, orgB)).toEqual({
      total: 1,
      failing: 1,
      byStatus: { disabled: 1 },
      byPlatform: { shopify: 1 },
      byDataMode: { hybrid: 1 },
    });
    expect(await connectionTotals(database.db, `org-none-${randomUUID()}`)).toEqual({ total: 0, failing: 0, byStatus: {}, byPlatform: {}, byDataMode: {} });
  });

  it("counts the org's stored rows by source", async () => {
    const write = (orgId: string, connectionId: string, source: 'live' | 'mock', records: MetricRecord[]) =>
      withPgTransaction(database.pool, async (trx) =>
        upsertMetrics(trx.client, toMetricsBatch({ connectionId, orgId, platform: 'meta_business', stream: 'ad_performance', source }, records)),
      );
    await write(orgA, ids.metaA, 'mock', [record('a', '2026-01-01'), record('b', '2026-01-01')]);
    await write(orgA, ids.warnedA, 'live', [record('c', '2026-01-01')]);
    await write(orgB, ids.b, 'mock', [record('d', '2026-01-01'), record('e', '2026-01-01'), record('f', '2026-01-01')]);
    expect(await storedRowsBySource(database.db, orgA)).toEqual({ live: 1, mock: 2 });
    expect(await storedRowsBySource(database.db, orgB)).toEqual({ live: 0, mock: 3 });
  });

  it('series syncs per UTC day by outcome over the window, every day present, and sums the records they wrote', async () => {
    const now = Date.now();
    await syncLog(orgA, ids.metaA, 'meta_business', 'completed', new Date(now - 1000), 100);
    await syncLog(orgA, ids.metaA, 'meta_business', 'failed', new Date(now - 2000), 5);
    await syncLog(orgA, ids.googleA, 'google_ads', 'completed', new Date(now - 2 * DAY_MS), 40);
    // Outside a 3-day window, inside a 14-day one.
    await syncLog(orgA, ids.googleA, 'google_ads', 'cancelled', new Date(now - 5 * DAY_MS), 7);
    await syncLog(orgB, ids.b, 'shopify', 'completed', new Date(now - 1000), 999);

    const three = await syncActivitySince(database.db, orgA, 3);
    const none = { running: 0, completed: 0, failed: 0, cancelled: 0 };
    expect(three.series.map((d) => d.date)).toEqual([utcDate(2), utcDate(1), utcDate(0)]);
    expect(three.series[0]!.counts).toEqual({ ...none, completed: 1 });
    expect(three.series[1]!.counts).toEqual(none);
    // The two syncs of a second ago: today, unless the day turned between them and now.
    expect(three.series[1]!.counts.completed + three.series[2]!.counts.completed).toBe(1);
    expect(three.recordsWritten).toBe(145);

    const fourteen = await syncActivitySince(database.db, orgA, 14);
    expect(fourteen.series).toHaveLength(14);
    expect(fourteen.series.reduce((n, d) => n + d.counts.cancelled, 0)).toBe(1);
    expect(fourteen.recordsWritten).toBe(152);
    expect((await syncActivitySince(database.db, orgB, 1)).recordsWritten).toBe(999);
  });

  it("merges the org's latest syncs and audit entries newest first, bounded, without another org's", async () => {
    await appendAudit(database.db, {
      org_id: orgA,
      actor_id: 'u1',
      actor_role: 'editor',
      action: 'connection.create',
      target_type: 'connection',
      target_id: ids.metaA,
      outcome: 'success',
      request_id: null,
      details: { secret: 'not shown' },
    });
    await appendAudit(database.db, {
      org_id: orgB,
      actor_id: 'u2',
      actor_role: 'admin',
      action: 'connection.delete',
      target_type: 'connection',
      target_id: ids.b,
      outcome: 'success',
      request_id: null,
    });
    const activity = await recentActivity(database.db, orgA, 20);
    // Four syncs and one audit entry of org A.
    expect(activity).toHaveLength(5);
    expect(activity[0]).toMatchObject({ kind: 'audit', action: 'connection.create', actorRole: 'editor', targetId: ids.metaA });
    expect(activity[0]).not.toHaveProperty('details');
    expect(activity.slice(1).map((a) => (a.kind === 'sync' ? a.status : a.kind))).toEqual(['completed', 'failed', 'completed', 'cancelled']);
    const times = activity.map((a) => a.at.getTime());
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect(activity.some((a) => (a.kind === 'sync' ? a.connectionId === ids.b : a.targetId === ids.b))).toBe(false);
    expect(await recentActivity(database.db, orgA, 2)).toEqual(activity.slice(0, 2));
  });
});
