import { randomUUID } from 'node:crypto';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

/** Every route that takes a range of days checks its dates with the same schema (api/request-schemas.ts). */
describe('date ranges across the API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  const orgId = `org-${randomUUID().slice(0, 8)}`;
  let viewer: string;
  let editor: string;
  let readable: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    const taskQueue = uniqueName('api-date-ranges');
    worker = await startTestSyncWorker(harness, { taskQueue });
    api = createTestApi(harness, { taskQueue });
    viewer = await api.token(orgId, 'viewer');
    editor = await api.token(orgId, 'editor');
    readable = (await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock', orgId, credentials: {} })).id;
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  const fieldsOf = (res: { json: { error?: { details?: { field: string | null }[] } } }) => (res.json.error?.details ?? []).map((d) => d.field);

  it.each([
    ['POST /platform-connections/data', '/api/v1/platform-connections/data'],
    ['POST /live-integration/hybrid-data', '/api/v1/live-integration/hybrid-data'],
  ])('%s refuses 2024-02-30 and 2023-02-29 naming the field, and reads 2024-02-29', async (_name, path) => {
    const impossible = await api.call('POST', path, { token: viewer, json: { connection_id: readable, start_date: '2024-02-01', end_date: '2024-02-30' } });
    expect({ status: impossible.status, code: impossible.json.error?.code, fields: fieldsOf(impossible) }).toEqual({
      status: 400,
      code: 'validation_error',
      fields: ['end_date'],
    });
    const notLeap = await api.call('POST', path, { token: viewer, json: { connection_id: readable, start_date: '2023-02-29', end_date: '2023-03-01' } });
    expect({ status: notLeap.status, fields: fieldsOf(notLeap) }).toEqual({ status: 400, fields: ['start_date'] });

    const leapDay = await api.call('POST', path, {
      token: viewer,
      json: { connection_id: readable, start_date: '2024-02-28', end_date: '2024-02-29', limit: 50 },
    });
    expect(leapDay.status).toBe(200);
    expect(leapDay.json.records.length).toBeGreaterThan(0);
    expect(new Set(leapDay.json.records.map((r: { date: string }) => r.date))).toEqual(new Set(['2024-02-28', '2024-02-29']));
  });

  it.each(['test-connection/:id', 'test-suite'])('POST /live-integration/%s refuses a window with 2024-02-30 naming the field', async (route) => {
    const path = route === 'test-suite' ? '/api/v1/live-integration/test-suite?wait=false' : `/api/v1/live-integration/test-connection/${readable}?wait=false`;
    const json = { ...(route === 'test-suite' ? { connection_id: readable } : {}), start_date: '2024-02-30', end_date: '2024-03-05' };
    const res = await api.call('POST', path, { token: editor, json });
    expect({ status: res.status, code: res.json.error?.code, fields: fieldsOf(res) }).toEqual({
      status: 400,
      code: 'validation_error',
      fields: ['start_date'],
    });
  });

  it('a sync backfill refuses 2024-02-30 naming the field, starts nothing, and backfills through 2024-02-29', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: editor,
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, account_id: uniqueName('acct') },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;

    const impossible = await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor, json: { start_date: '2024-02-30', end_date: '2024-03-05' } });
    expect({ status: impossible.status, code: impossible.json.error?.code, fields: fieldsOf(impossible) }).toEqual({
      status: 400,
      code: 'validation_error',
      fields: ['start_date'],
    });

    const started = await api.call('POST', `${CONNECTIONS}/${id}/sync`, { token: editor, json: { start_date: '2024-02-27', end_date: '2024-02-29' } });
    expect(started.status).toBe(202);
    const done = await waitFor(
      () => api.call('GET', `${CONNECTIONS}/${id}/sync`, { token: editor }),
      (r) => r.json?.status === 'completed',
      { timeoutMs: 60_000, what: 'backfill completed' },
    );
    expect(done.json).toMatchObject({ status: 'completed', window: { start_date: '2024-02-27', end_date: '2024-02-29' }, error: null });
    // The refused request started nothing: the backfill is the connection's only sync.
    expect((await api.call('GET', `${CONNECTIONS}/${id}/sync/history`, { token: editor })).json.syncs).toHaveLength(1);
  });
});
