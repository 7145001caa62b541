import { randomUUID } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';
const DASHBOARD = '/api/v1/platform-connections/dashboard';
const RANGE = { start_date: '2026-01-01', end_date: '2026-01-10' };

describe('GET /platform-connections/dashboard: real syncs by a real worker, one org at a time', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let emulator: RunningEmulator;
  const orgA = `org-dash-a-${randomUUID().slice(0, 8)}`;
  const orgB = `org-dash-b-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 50 });
    const taskQueue = uniqueName('api-dashboard');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    api = createTestApi(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
  });
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  /** Creates a mock connection of the org and syncs it to completion; its records synced, as the sync API reports them. */
  async function syncedConnection(token: string, platform: string): Promise<{ id: string; records: number }> {
    const created = await api.call('POST', CONNECTIONS, { token, json: { platform, data_mode: 'mock', credentials: {}, account_id: uniqueName('acct') } });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token, json: RANGE })).status).toBe(202);
    const done = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token }),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 60_000, what: `${platform} sync completed` },
    );
    return { id, records: done.json.records_synced as number };
  }

  it("shows the caller's org only: its connections, syncs, rows and audit events, counted from real syncs", async () => {
    const [editorA, viewerA, editorB] = await Promise.all([api.token(orgA, 'editor'), api.token(orgA, 'viewer'), api.token(orgB, 'editor')]);
    const meta = await syncedConnection(editorA, 'meta_business');
    const klaviyo = await syncedConnection(editorA, 'klaviyo');
    const other = await syncedConnection(editorB, 'shopify');
    // A disabled connection counts as failing.
    expect((await api.call('PUT', `${CONNECTIONS}/${klaviyo.id}`, { token: editorA, json: { status: 'disabled' } })).status).toBe(200);
    // A live connection whose platform rejects its credentials: its real sync fails.
    const google = await createTestConnection(harness, {
      platform: 'google_ads',
      dataMode: 'live',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
      orgId: orgA,
    });
    emulator.faults.set({ failNext: { status: 401, count: 1_000 } });
    expect((await api.call('POST', `${CONNECTIONS}/${google.id}/sync`, { token: editorA, json: RANGE })).status).toBe(202);
    await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${google.id}/sync`, { token: editorA }),
      (r) => r.json?.status === 'failed',
      { timeoutMs: 60_000, what: 'google_ads sync failed' },
    );
    emulator.faults.clear();

    const res = await api.call('GET', DASHBOARD, { token: viewerA });
    expect(res.status).toBe(200);
    const dashboard = res.json;
    const mockRows =
      (await countMetrics(harness.database.db, meta.id, { source: 'mock' })) + (await countMetrics(harness.database.db, klaviyo.id, { source: 'mock' }));
    expect(mockRows).toBe(meta.records + klaviyo.records);
    expect(dashboard).toMatchObject({
      totals: { connections: 3, active: 1, failing: 2 },
      by_status: { active: 1, reauth_required: 1, error: 0, disabled: 1 },
      data_sources: {
        connections_by_data_mode: { mock: 2, live: 1, auto: 0, hybrid: 0 },
        stored_rows: { live: 0, mock: mockRows },
        // The live connection is still served live (its mode says so); the disabled one by nothing.
        serving_now: { live: 1, mock: 1, not_served: 1 },
      },
      health: { healthy: 1, degraded: 1, unhealthy: 1 },
      window: { days: 14 },
      records_synced: meta.records + klaviyo.records,
    });
    expect(dashboard.by_platform).toEqual(
      expect.arrayContaining([
        { platform: 'klaviyo', connections: 1 },
        { platform: 'meta_business', connections: 1 },
      ]),
    );
    expect(dashboard.by_platform).toHaveLength(3);
    // Unhealthy first, then degraded; the healthy one is not listed.
    expect(dashboard.health.attention).toEqual([
      expect.objectContaining({ connection_id: google.id, platform: 'google_ads', status: 'unhealthy', reasons: expect.arrayContaining([expect.any(String)]) }),
      expect.objectContaining({ connection_id: klaviyo.id, status: 'degraded', reasons: ['the connection is disabled'] }),
    ]);
    expect(dashboard.sync_series).toHaveLength(14);
    type Day = { counts: { completed: number; failed: number } };
    expect(dashboard.sync_series.reduce((n: number, d: Day) => n + d.counts.completed, 0)).toBe(2);
    expect(dashboard.sync_series.reduce((n: number, d: Day) => n + d.counts.failed, 0)).toBe(1);
    expect(dashboard.window.end_date).toBe(dashboard.sync_series.at(-1).date);

    type Activity = { kind: 'sync' | 'audit'; at: string; connection_id?: string; target_id?: string | null; action?: string };
    const activity = dashboard.recent_activity as Activity[];
    expect(activity.filter((a) => a.kind === 'sync').map((a) => a.connection_id)).toEqual(expect.arrayContaining([meta.id, klaviyo.id]));
    const audited = activity.filter((a) => a.kind === 'audit');
    expect(audited).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'connection.update', target_id: klaviyo.id })]));
    expect(audited).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'connection.create', target_id: meta.id })]));
    expect(activity.some((a) => a.connection_id === other.id || a.target_id === other.id)).toBe(false);
    const times = activity.map((a) => Date.parse(a.at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    // Org B sees its own: one connection, its rows, none of org A's activity.
    const b = (await api.call('GET', DASHBOARD, { token: editorB })).json;
    expect(b).toMatchObject({
      totals: { connections: 1, active: 1, failing: 0 },
      by_platform: [{ platform: 'shopify', connections: 1 }],
      health: { healthy: 1, degraded: 0, unhealthy: 0, attention: [] },
      records_synced: other.records,
    });
    expect(b.data_sources.stored_rows).toEqual({ live: 0, mock: other.records });
    expect(b.data_sources.serving_now).toEqual({ live: 0, mock: 1, not_served: 0 });
    const bIds = (b.recent_activity as Activity[]).flatMap((a) => [a.connection_id, a.target_id]);
    expect(bIds).not.toContain(meta.id);
    expect(bIds).not.toContain(klaviyo.id);
  });

  it('takes ?days= from 1 to 90 and refuses anything else with a field error', async () => {
    const viewer = await api.token(orgA, 'viewer');
    const one = await api.call('GET', `${DASHBOARD}?days=1`, { token: viewer });
    expect(one.status).toBe(200);
    expect(one.json.sync_series).toHaveLength(1);
    expect(one.json.window.start_date).toBe(one.json.window.end_date);
    expect((await api.call('GET', `${DASHBOARD}?days=90`, { token: viewer })).json.sync_series).toHaveLength(90);
    for (const days of ['0', '91', 'abc', '1.5']) {
      const res = await api.call('GET', `${DASHBOARD}?days=${days}`, { token: viewer });
      expect({ days, status: res.status, code: res.json.error.code, field: res.json.error.details[0].field }).toEqual({
        days,
        status: 400,
        code: 'validation_error',
        field: 'days',
      });
    }
  });

  it('asks for a token', async () => {
    expect((await api.call('GET', DASHBOARD)).status).toBe(401);
  });
});
