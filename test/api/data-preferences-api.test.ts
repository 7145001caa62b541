import { randomUUID } from 'node:crypto';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const PREFERENCES = '/api/v1/platform-connections/preferences';
const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('default data mode: the user’s preference for new connections', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-pref-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('api-preferences') });
  });
  afterAll(() => harness.close());

  it('is mock until set; once set, connections created without data_mode get it, others keep theirs', async () => {
    const alice = await api.token(orgId, 'editor', 'alice');
    const bob = await api.token(orgId, 'editor', 'bob');
    expect((await api.call('GET', PREFERENCES, { token: alice })).json).toEqual({ default_data_mode: 'mock', is_default: true });
    const before = await api.call('POST', CONNECTIONS, { token: alice, json: { platform: 'klaviyo', credentials: {}, account_id: 'a-1' } });
    expect(before.json.data_mode).toBe('mock');

    const saved = await api.call('PUT', PREFERENCES, { token: alice, json: { default_data_mode: 'hybrid' } });
    expect(saved.json).toMatchObject({ default_data_mode: 'hybrid', is_default: false });
    expect((await api.call('GET', PREFERENCES, { token: alice })).json).toEqual({ default_data_mode: 'hybrid', is_default: false });

    const defaulted = await api.call('POST', CONNECTIONS, { token: alice, json: { platform: 'klaviyo', credentials: {}, account_id: 'a-2' } });
    expect(defaulted.status).toBe(201);
    expect(defaulted.json.data_mode).toBe('hybrid');
    const explicit = await api.call('POST', CONNECTIONS, {
      token: alice,
      json: { platform: 'klaviyo', data_mode: 'auto', credentials: {}, account_id: 'a-3' },
    });
    expect(explicit.json.data_mode).toBe('auto');
    // Bob's preference is his own.
    expect((await api.call('POST', CONNECTIONS, { token: bob, json: { platform: 'klaviyo', credentials: {}, account_id: 'b-1' } })).json.data_mode).toBe(
      'mock',
    );

    const audit = await harness.database.db.selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', defaulted.json.id).execute();
    expect(audit).toEqual([
      { action: 'connection.create', details: { platform: 'klaviyo', data_mode: 'hybrid', data_mode_from_preference: true, schedule: 'applied' } },
    ]);
  });

  it('a live preference still needs the platform’s credential fields; bad preferences are refused', async () => {
    const carol = await api.token(orgId, 'editor', 'carol');
    await api.call('PUT', PREFERENCES, { token: carol, json: { default_data_mode: 'live' } });
    const refused = await api.call('POST', CONNECTIONS, { token: carol, json: { platform: 'klaviyo', credentials: {}, account_id: 'c-1' } });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([{ field: 'credentials.api_key', message: 'api_key is required for a live klaviyo connection' }]);
    const accepted = await api.call('POST', CONNECTIONS, {
      token: carol,
      json: { platform: 'klaviyo', credentials: { api_key: 'pk_test_123' }, account_id: 'c-1' },
    });
    expect(accepted.json.data_mode).toBe('live');

    for (const json of [{ default_data_mode: 'sometimes' }, {}, { default_data_mode: 'mock', extra: 1 }]) {
      const res = await api.call('PUT', PREFERENCES, { token: carol, json });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe('validation_error');
    }
    expect((await api.call('GET', PREFERENCES, { token: carol })).json.default_data_mode).toBe('live');
  });
});
