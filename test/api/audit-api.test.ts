import { randomUUID } from 'node:crypto';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('audit API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-audit-${randomUUID().slice(0, 8)}`;
  let admin: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('audit') });
    admin = await api.token(orgId, 'admin', 'ada');
  });
  afterAll(() => harness.close());

  it('lists the org’s entries newest first, filtered by connection, action and time, page by page', async () => {
    const ids: string[] = [];
    for (const platform of ['meta_business', 'google_ads', 'klaviyo']) {
      ids.push((await api.call('POST', CONNECTIONS, { token: admin, json: { platform, data_mode: 'mock', credentials: {} } })).json.id);
    }
    await api.call('PUT', `${CONNECTIONS}/${ids[0]}`, { token: admin, json: { display_name: 'Renamed' } });
    const viewer = await api.token(orgId, 'viewer', 'vic');
    await api.call('DELETE', `${CONNECTIONS}/${ids[1]}`, { token: viewer });
    // Another org's trail stays its own.
    const stranger = await api.token(`org-other-${randomUUID().slice(0, 6)}`, 'admin');
    await api.call('POST', CONNECTIONS, { token: stranger, json: { platform: 'tiktok', data_mode: 'mock', credentials: {} } });

    const all = await api.call('GET', '/api/v1/audit', { token: admin });
    expect(all.status).toBe(200);
    expect(all.json.entries.map((e: { action: string }) => e.action)).toEqual([
      'permission.denied',
      'connection.update',
      'connection.create',
      'connection.create',
      'connection.create',
    ]);
    expect(all.json.entries[0]).toMatchObject({ actor_id: 'vic', actor_role: 'viewer', outcome: 'denied', request_id: expect.any(String) });

    const forConnection = await api.call('GET', `/api/v1/audit?connection_id=${ids[0]}`, { token: admin });
    expect(forConnection.json.entries.map((e: { action: string }) => e.action)).toEqual(['connection.update', 'connection.create']);
    const creates = await api.call('GET', '/api/v1/audit?action=connection.create&limit=2', { token: admin });
    expect(creates.json.entries).toHaveLength(2);
    const rest = await api.call('GET', `/api/v1/audit?action=connection.create&limit=2&before_id=${creates.json.next_before_id}`, { token: admin });
    expect(rest.json.entries).toHaveLength(1);
    expect(rest.json.next_before_id).toBeNull();
    const future = await api.call('GET', `/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { token: admin });
    expect(future.json.entries).toEqual([]);
    expect((await api.call('GET', '/api/v1/audit?from=yesterday', { token: admin })).status).toBe(400);
  });

  it('offers no way to change the trail', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await api.call(method, '/api/v1/audit', { token: admin, json: {} })).status).toBe(404);
    }
  });
});
