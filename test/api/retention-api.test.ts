import { randomUUID } from 'node:crypto';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const RETENTION = '/api/v1/platform-connections/retention';
const CONNECTIONS = '/api/v1/platform-connections/connections';

describe('retention policy API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-ret-api-${randomUUID().slice(0, 8)}`;
  const otherOrg = `org-ret-api-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('api-retention') });
  });
  afterAll(() => harness.close());

  const auditOf = (org: string) =>
    harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'details'])
      .where('org_id', '=', org)
      .where('action', 'like', 'retention.%')
      .orderBy('id')
      .execute();

  it('an admin sets the org default and a connection override; a viewer reads them; every change is audited', async () => {
    const admin = await api.token(orgId, 'admin');
    const viewer = await api.token(orgId, 'viewer');
    const created = await api.call('POST', CONNECTIONS, { token: admin, json: { platform: 'klaviyo', credentials: {}, data_mode: 'mock' } });
    const id = created.json.id as string;

    const initial = await api.call('GET', RETENTION, { token: viewer });
    expect(initial.json).toMatchObject({ default_retention_days: null, is_default: true, updated_at: null });
    expect(initial.json.connections).toEqual([
      { connection_id: id, has_override: false, retention_days: null, effective_retention_days: null, updated_at: null },
    ]);

    const saved = await api.call('PUT', RETENTION, { token: admin, json: { default_retention_days: 90 } });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ default_retention_days: 90, is_default: false });
    const override = await api.call('PUT', `${CONNECTIONS}/${id}/retention`, { token: admin, json: { retention_days: 30 } });
    expect(override.json).toMatchObject({ connection_id: id, has_override: true, retention_days: 30, effective_retention_days: 30 });
    const read = await api.call('GET', RETENTION, { token: viewer });
    expect(read.json).toMatchObject({ default_retention_days: 90, is_default: false });
    expect(read.json.connections[0]).toMatchObject({ has_override: true, retention_days: 30, effective_retention_days: 30 });

    const reset = await api.call('DELETE', `${CONNECTIONS}/${id}/retention`, { token: admin });
    expect(reset.json).toEqual({ connection_id: id, has_override: false, retention_days: null, effective_retention_days: 90, updated_at: null });
    // Keeping forever is a choice an admin can make back.
    expect((await api.call('PUT', RETENTION, { token: admin, json: { default_retention_days: null } })).json.default_retention_days).toBeNull();

    expect(await auditOf(orgId)).toEqual([
      { action: 'retention.update', target_id: orgId, details: { default_retention_days: 90, previous_default_retention_days: null } },
      { action: 'retention.connection_update', target_id: id, details: { retention_days: 30 } },
      { action: 'retention.connection_reset', target_id: id, details: { had_override: true } },
      { action: 'retention.update', target_id: orgId, details: { default_retention_days: null, previous_default_retention_days: 90 } },
    ]);
  });

  it('refuses viewers and editors (403), bad input (400) and other orgs’ connections (404), changing nothing', async () => {
    const admin = await api.token(otherOrg, 'admin');
    const created = await api.call('POST', CONNECTIONS, { token: admin, json: { platform: 'klaviyo', credentials: {}, data_mode: 'mock' } });
    const id = created.json.id as string;
    await api.call('PUT', RETENTION, { token: admin, json: { default_retention_days: 365 } });
    const before = await api.call('GET', RETENTION, { token: admin });
    const auditBefore = await auditOf(otherOrg);

    for (const role of ['viewer', 'editor'] as const) {
      const token = await api.token(otherOrg, role);
      const refused = await api.call('PUT', RETENTION, { token, json: { default_retention_days: 1 } });
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe('forbidden');
      expect((await api.call('PUT', `${CONNECTIONS}/${id}/retention`, { token, json: { retention_days: 1 } })).status).toBe(403);
      expect((await api.call('DELETE', `${CONNECTIONS}/${id}/retention`, { token })).status).toBe(403);
    }
    for (const json of [
      { default_retention_days: 0 },
      { default_retention_days: 3651 },
      { default_retention_days: 1.5 },
      { default_retention_days: '30' },
      {},
      { default_retention_days: 30, extra: 1 },
    ]) {
      const bad = await api.call('PUT', RETENTION, { token: admin, json });
      expect({ json, status: bad.status, code: bad.json.error.code }).toEqual({ json, status: 400, code: 'validation_error' });
    }
    expect((await api.call('PUT', `${CONNECTIONS}/${id}/retention`, { token: admin, json: { retention_days: -1 } })).status).toBe(400);
    // Another org's admin cannot reach this org's connection.
    const stranger = await api.token(orgId, 'admin');
    expect((await api.call('PUT', `${CONNECTIONS}/${id}/retention`, { token: stranger, json: { retention_days: 1 } })).status).toBe(404);
    expect((await api.call('DELETE', `${CONNECTIONS}/${id}/retention`, { token: stranger })).status).toBe(404);

    expect((await api.call('GET', RETENTION, { token: admin })).json).toEqual(before.json);
    expect(await auditOf(otherOrg)).toEqual(auditBefore);
  });
});
