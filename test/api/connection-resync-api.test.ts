import { randomUUID } from 'node:crypto';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('resync API and per-stream sync accounting', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-${randomUUID().slice(0, 8)}`;
  let editor: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('api-resync');
    worker = await startTestSyncWorker(harness, { taskQueue, settings: { pageSize: 100 } });
    api = createTestApi(harness, { taskQueue });
    editor = await api.token(orgId, 'editor');
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  it('refuses a bad stream (400 unknown name, 422 not of this platform), then resyncs one stream and shows it in history', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: editor,
      json: { platform: 'klaviyo', data_mode: 'mock', credentials: {}, account_id: uniqueName('acct') },
    });
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ consecutive_sync_failures: 0, sync_warning: false, sync_warning_at: null });

    const unknown = await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor, json: { stream: 'tweets' } });
    expect(unknown.status).toBe(400);
    const foreign = await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor, json: { stream: 'ad_performance' } });
    expect([foreign.status, foreign.json.error.code]).toEqual([422, 'unknown_stream']);
    expect((await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor, json: { stream: 'contacts', extra: 1 } })).status).toBe(400);

    const started = await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor, json: { stream: 'contacts' } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ workflow_id: `connection-sync:${id}`, stream: 'contacts' });
    const done = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 30_000, what: 'resync completed' },
    );
    expect(done.json).toMatchObject({ kind: 'resync', streams: [expect.objectContaining({ stream: 'contacts', completed: true, records_written: 250 })] });
    expect(done.json.bytes_written).toBe(done.json.streams[0].bytes_written);
    expect(done.json.bytes_written).toBeGreaterThan(0);

    // A whole-connection resync (bare POST) syncs every stream; history lists both, newest first, per stream.
    expect((await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor })).status).toBe(202);
    await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.status === 'completed' && r.json.streams.length === 2,
      { timeoutMs: 30_000, what: 'full resync completed' },
    );
    const history = await api.call('GET', `${CONNECTIONS}/${id}/sync/history`, { token: editor });
    expect(history.json.syncs.map((s: { kind: string; streams: { stream: string }[] }) => [s.kind, s.streams.map((x) => x.stream)])).toEqual([
      ['resync', ['contacts', 'email_performance']],
      ['resync', ['contacts']],
    ]);
    for (const s of history.json.syncs[0].streams)
      expect(s).toMatchObject({
        pages: expect.any(Number),
        records_fetched: expect.any(Number),
        bytes_read: 0,
        bytes_written: expect.any(Number),
        window: { start_date: expect.any(String), end_date: expect.any(String) },
      });
  });

  it('refuses to resync a disabled connection', async () => {
    const id = (
      await api.call('POST', CONNECTIONS, { token: editor, json: { platform: 'hubspot', data_mode: 'mock', credentials: {}, account_id: uniqueName('acct') } })
    ).json.id as string;
    await api.call('PUT', `${CONNECTIONS}/${id}`, { token: editor, json: { status: 'disabled' } });
    const res = await api.call('POST', `${CONNECTIONS}/${id}/resync`, { token: editor });
    expect([res.status, res.json.error.code]).toEqual([409, 'connection_not_active']);
  });
});
