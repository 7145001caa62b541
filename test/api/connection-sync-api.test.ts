import { randomUUID } from 'node:crypto';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { waitFor } from '../../scripts/service-process';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('sync API: start, watch, cancel', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-${randomUUID().slice(0, 8)}`;
  let editor: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('api-sync');
    // Small pages make a long backfill take seconds: long enough to watch and cancel.
    worker = await startTestSyncWorker(harness, { taskQueue, settings: { pageSize: 20, chunkBudgetMs: 200 } });
    api = createTestApi(harness, { taskQueue });
    editor = await api.token(orgId, 'editor');
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  async function createMockConnection(platform: string) {
    const res = await api.call('POST', CONNECTIONS, { token: editor, json: { platform, data_mode: 'mock', credentials: {}, account_id: uniqueName('acct') } });
    expect(res.status).toBe(201);
    return res.json.id as string;
  }

  it('starts a sync (202), refuses a second one while it runs (409), shows progress, and completes', async () => {
    const id = await createMockConnection('meta_business');
    const started = await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor, json: { start_date: '2023-01-01', end_date: '2025-12-31' } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ workflow_id: `connection-sync:${id}`, run_id: expect.any(String) });

    const again = await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('sync_already_running');

    const running = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.status === 200 && r.json.progress?.pages > 0,
      { timeoutMs: 30_000, what: 'sync running with progress' },
    );
    expect(running.json).toMatchObject({ status: 'running', workflow_id: `connection-sync:${id}`, run_id: started.json.run_id, source: 'mock' });

    // Web UI filters: the run carries OrgId, Platform and ConnectionId.
    const description = await harness.temporal.client.workflow.getHandle(`connection-sync:${id}`).describe();
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['OrgId', orgId],
        ['Platform', 'meta_business'],
        ['ConnectionId', id],
      ]),
    );

    const done = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 60_000, what: 'sync completed' },
    );
    const expectedRows = 1096 * 18;
    expect(done.json).toMatchObject({
      status: 'completed',
      records_synced: expectedRows,
      records_fetched: expectedRows,
      window: { start_date: '2023-01-01', end_date: '2025-12-31' },
      error: null,
    });
    expect(await countMetrics(harness.database.db, id, { source: 'mock' })).toBe(expectedRows);

    const history = await api.call('GET', `${CONNECTIONS}/${id}/sync/history`, { token: editor });
    expect(history.json.syncs).toHaveLength(1);
    const connection = await api.call('GET', `${CONNECTIONS}/${id}`, { token: editor });
    expect(connection.json.last_sync_status).toBe('completed');

    // The workflow audits its own start and end, with the requester from the API call.
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_id', 'actor_role', 'request_id'])
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.outcome, a.actor_id, a.actor_role])).toEqual([
      ['connection.create', 'success', 'editor-user', 'editor'],
      ['sync.start', 'success', 'editor-user', 'editor'],
      ['sync.end', 'success', 'editor-user', 'editor'],
    ]);
    expect(audit[1]!.request_id).toEqual(expect.any(String));
  });

  it('cancels a running sync between pages: status cancelled, written rows kept, nothing half-written', async () => {
    const id = await createMockConnection('google_ads');
    expect((await api.call('DELETE', `${CONNECTIONS}/${id}/sync`, { token: editor })).json.error.code).toBe('no_sync_running');
    await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor, json: { start_date: '2024-01-01', end_date: '2026-06-30' } });
    await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.progress?.pages >= 3,
      { timeoutMs: 30_000, what: 'three pages written' },
    );

    const cancelled = await api.call('DELETE', `${CONNECTIONS}/${id}/sync`, { token: editor });
    expect(cancelled.status).toBe(202);
    expect(cancelled.json.status).toBe('cancelling');

    const final = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.status === 'cancelled',
      { timeoutMs: 30_000, what: 'sync cancelled' },
    );
    const log = await latestSyncLog(harness.database.db, id);
    expect(log).toMatchObject({ status: 'cancelled' });
    // Every page was written whole: the rows in Postgres are exactly the log's count, in whole pages.
    const rows = await countMetrics(harness.database.db, id, { source: 'mock' });
    expect(rows).toBe(log!.records_written);
    expect(rows % 20).toBe(0);
    expect(rows).toBeLessThan(912 * 18);
    expect(final.json.records_synced).toBe(rows);
  });

  it('starts a sync from a bare POST with no body and no content type (as `curl -X POST` sends it)', async () => {
    const id = await createMockConnection('linkedin_ads');
    const res = await api.app.request(`${CONNECTIONS}/${id}/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${editor}` },
      body: new ReadableStream({ start: (c) => c.close() }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(202);
  });

  it('refuses to sync a disabled connection', async () => {
    const id = await createMockConnection('tiktok');
    expect((await api.call('PUT', `${CONNECTIONS}/${id}`, { token: editor, json: { status: 'disabled' } })).status).toBe(200);
    const res = await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('connection_not_active');
  });
});
