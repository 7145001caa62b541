import { randomUUID } from 'node:crypto';
import { waitFor } from '../../scripts/service-process';
import { bulkSyncProgressQuery } from '../../workflows/bulk-sync';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const API = '/api/v1/platform-connections';

describe('POST /sync/bulk', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-bulk-${randomUUID().slice(0, 8)}`;
  let editor: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('bulk');
    worker = await startTestSyncWorker(harness, { taskQueue, settings: { pageSize: 50, chunkBudgetMs: 200 } });
    api = createTestApi(harness, { taskQueue });
    editor = await api.token(orgId, 'editor');
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  it('syncs every active connection with at most `concurrency` at once, skipping one already syncing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (
          await api.call('POST', `${API}/connections`, {
            token: editor,
            json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, account_id: `act_${i}` },
          })
        ).json.id,
      );
    }
    const disabled = (await api.call('POST', `${API}/connections`, { token: editor, json: { platform: 'tiktok', data_mode: 'mock', credentials: {} } })).json
      .id;
    await api.call('PUT', `${API}/connections/${disabled}`, { token: editor, json: { status: 'disabled' } });
    // Already syncing (a long backfill): the bulk run must not start a second sync of it.
    await api.call('POST', `${API}/connections/${ids[0]}/sync`, { token: editor, json: { start_date: '2016-01-01', end_date: '2018-12-31' } });

    const res = await api.call('POST', `${API}/sync/bulk`, { token: editor, json: { all: true, concurrency: 2 } });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ connections: 6, skipped_inactive: 1 });
    const bulk = harness.temporal.client.workflow.getHandle(res.json.workflow_id);
    let peak = 0;
    const final = await waitFor(
      async () => {
        const description = await bulk.describe();
        if (description.status.name !== 'RUNNING') return bulk.result();
        const progress = await bulk.query(bulkSyncProgressQuery);
        peak = Math.max(peak, progress.running);
        return null;
      },
      (p) => p !== null,
      { timeoutMs: 60_000, what: 'bulk sync finished' },
    );
    expect(final).toEqual({ total: 6, completed: 5, failed: 0, skipped: 1, running: 0 });
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    await harness.temporal.client.workflow.getHandle(`connection-sync:${ids[0]}`).cancel();
  });

  it('refuses unknown connections, other orgs’ connections and ambiguous bodies', async () => {
    const stranger = await api.token(`org-x-${randomUUID().slice(0, 6)}`, 'editor');
    const theirs = (await api.call('POST', `${API}/connections`, { token: stranger, json: { platform: 'klaviyo', data_mode: 'mock', credentials: {} } })).json
      .id;
    const notFound = await api.call('POST', `${API}/sync/bulk`, { token: editor, json: { connection_ids: [theirs, randomUUID()] } });
    expect(notFound.status).toBe(404);
    expect(notFound.json.error.details.connection_ids).toHaveLength(2);
    expect((await api.call('POST', `${API}/sync/bulk`, { token: editor, json: { all: true, connection_ids: [theirs] } })).status).toBe(400);
    expect((await api.call('POST', `${API}/sync/bulk`, { token: editor, json: {} })).status).toBe(400);
    expect((await api.call('POST', `${API}/sync/bulk`, { token: editor, json: { all: true, concurrency: 500 } })).status).toBe(400);
  });
});
