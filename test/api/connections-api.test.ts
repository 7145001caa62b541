import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { connectionCredentials } from '../../db/repositories/connections';
import { createTestApi } from '../setup/api-client';
import { createPlatformNetwork } from '../../connectors/platform-network';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';
import { signAccessToken } from '../../security/access-token';

const CONNECTIONS = '/api/v1/platform-connections/connections';
const SECRET = 'EAAB-very-secret-access-token-42';

describe('connections API', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-${randomUUID().slice(0, 8)}`;
  let admin: string;
  let editor: string;
  let viewer: string;

  const connectionCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from user_platform_connections where org_id = ${orgId}`.execute(harness.database.db)).rows[0]!.n);

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('api-connections') });
    [admin, editor, viewer] = await Promise.all([api.token(orgId, 'admin'), api.token(orgId, 'editor'), api.token(orgId, 'viewer')]);
  });
  afterAll(() => harness.close());

  it('lists the 16 platforms with their tiers and auth types', async () => {
    const res = await api.call('GET', '/api/v1/platform-connections/platforms', { token: viewer });
    expect(res.status).toBe(200);
    expect(res.json.platforms).toHaveLength(16);
    expect(res.json.platforms.map((p: { id: string }) => p.id)).toEqual(
      expect.arrayContaining(['meta_business', 'google_ads', 'klaviyo', 'x_ads', 'zoho_crm']),
    );
    expect(res.json.platforms.find((p: { id: string }) => p.id === 'meta_business')).toMatchObject({ tier: 0, tier_name: 'Core', auth_type: 'oauth2' });
    expect(res.json.platforms.find((p: { id: string }) => p.id === 'x_ads')).toMatchObject({ tier: 4, tier_name: 'Extended', auth_type: 'oauth1' });
  });

  it('creates, reads, lists, updates and deletes a connection without ever returning its credentials', async () => {
    const created = await api.call('POST', CONNECTIONS, {
      token: editor,
      json: { platform: 'meta_business', data_mode: 'mock', credentials: { access_token: SECRET }, account_id: 'act_42', display_name: 'Meta main' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      platform: 'meta_business',
      data_mode: 'mock',
      account_id: 'act_42',
      display_name: 'Meta main',
      status: 'active',
      org_id: orgId,
      credentials_configured: true,
    });
    const id = created.json.id as string;

    const read = await api.call('GET', `${CONNECTIONS}/${id}`, { token: viewer });
    expect(read.status).toBe(200);
    const list = await api.call('GET', `${CONNECTIONS}?limit=10`, { token: viewer });
    expect(list.json.connections.map((c: { id: string }) => c.id)).toContain(id);
    const updated = await api.call('PUT', `${CONNECTIONS}/${id}`, {
      token: editor,
      json: { display_name: 'Renamed', credentials: { access_token: `${SECRET}-rotated` } },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.display_name).toBe('Renamed');
    for (const res of [created, read, list, updated]) expect(res.text).not.toContain(SECRET);

    // Stored encrypted: the plaintext is nowhere in the row.
    const row = await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.credentials_ciphertext.toString('latin1')).not.toContain(SECRET);
    expect(row.credentials_key_version).toBe(harness.vault.currentKeyVersion);
    expect(harness.vault.open(id, connectionCredentials(row))).toEqual({ access_token: `${SECRET}-rotated` });

    expect((await api.call('DELETE', `${CONNECTIONS}/${id}`, { token: editor })).status).toBe(403);
    expect((await api.call('DELETE', `${CONNECTIONS}/${id}`, { token: admin })).status).toBe(204);
    expect((await api.call('GET', `${CONNECTIONS}/${id}`, { token: admin })).status).toBe(404);

    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'outcome', 'actor_id'])
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['connection.create', 'connection.update', 'connection.delete']);
  });

  describe('credentials naming a host', () => {
    // The deployment's default: public https hosts only (the shared test API allows the emulators' loopback).
    let strict: ReturnType<typeof createTestApi>;
    let strictEditor: string;
    beforeAll(async () => {
      strict = createTestApi(harness, { taskQueue: uniqueName('api-connections-hosts'), network: createPlatformNetwork() });
      strictEditor = await strict.token(orgId, 'editor');
    });

    const refused: { name: string; platform: string; credentials: Record<string, string>; field: string }[] = [
      {
        name: 'Salesforce on loopback',
        platform: 'salesforce',
        credentials: { access_token: SECRET, instance_url: 'http://127.0.0.1:8080' },
        field: 'instance_url',
      },
      {
        name: 'Salesforce on localhost',
        platform: 'salesforce',
        credentials: { access_token: SECRET, instance_url: 'https://localhost' },
        field: 'instance_url',
      },
      {
        name: 'Salesforce off its domains',
        platform: 'salesforce',
        credentials: { access_token: SECRET, instance_url: 'https://acme.my.salesforce.com.evil.example' },
        field: 'instance_url',
      },
      {
        name: 'WooCommerce on a private address',
        platform: 'woocommerce',
        credentials: { store_url: 'https://10.0.0.8/shop', consumer_key: 'ck_1', consumer_secret: 'cs_1' },
        field: 'store_url',
      },
      {
        name: 'Databricks on the metadata service',
        platform: 'databricks',
        credentials: { host: '169.254.169.254', token: 'dapi-1', warehouse_id: 'w1' },
        field: 'host',
      },
      {
        name: 'Zoho on an internal name',
        platform: 'zoho_crm',
        credentials: { access_token: SECRET, api_domain: 'https://zoho.internal' },
        field: 'api_domain',
      },
      {
        name: 'Amazon LWA on IPv6 metadata',
        platform: 'amazon_seller_central',
        credentials: { refresh_token: 'r', client_id: 'c', client_secret: 's', lwa_token_url: 'https://[fd00:ec2::254]/auth/o2/token' },
        field: 'lwa_token_url',
      },
    ];
    it.each(refused)('$name → 400 naming the field, nothing stored', async (c) => {
      const before = await connectionCount();
      const res = await strict.call('POST', CONNECTIONS, {
        token: strictEditor,
        json: { platform: c.platform, data_mode: 'live', credentials: c.credentials, account_id: `hosts-${c.field}` },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 'validation_error',
        details: [{ field: `credentials.${c.field}`, message: expect.stringContaining(c.field) }],
      });
      expect(await connectionCount()).toBe(before);
    });

    it("accepts the platform's own hosts, and refuses an update to an internal one without changing the stored credentials", async () => {
      const created = await strict.call('POST', CONNECTIONS, {
        token: strictEditor,
        json: {
          platform: 'salesforce',
          data_mode: 'live',
          credentials: { access_token: SECRET, instance_url: 'https://acme.my.salesforce.com' },
          account_id: 'hosts-update',
        },
      });
      expect(created.status).toBe(201);
      const id = created.json.id as string;
      const sealed = async () =>
        (await harness.database.db.selectFrom('user_platform_connections').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).credentials_ciphertext;
      const before = await sealed();
      const updated = await strict.call('PUT', `${CONNECTIONS}/${id}`, {
        token: strictEditor,
        json: { credentials: { access_token: SECRET, instance_url: 'https://169.254.169.254' } },
      });
      expect(updated.status).toBe(400);
      expect(updated.json.error.details).toEqual([{ field: 'credentials.instance_url', message: expect.any(String) }]);
      expect(Buffer.compare(await sealed(), before)).toBe(0);
    });

    it('accepts loopback under the development setting, as the emulators need', async () => {
      const res = await api.call('POST', CONNECTIONS, {
        token: editor,
        json: {
          platform: 'salesforce',
          data_mode: 'live',
          credentials: { access_token: SECRET, instance_url: 'http://127.0.0.1:9100' },
          account_id: 'hosts-dev',
        },
      });
      expect(res.status).toBe(201);
    });
  });

  it('answers 409 for a second connection to the same account', async () => {
    const body = { platform: 'google_ads', data_mode: 'mock', credentials: {}, account_id: 'dup-1' };
    expect((await api.call('POST', CONNECTIONS, { token: editor, json: body })).status).toBe(201);
    const dup = await api.call('POST', CONNECTIONS, { token: editor, json: body });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('connection_exists');
  });

  it('hides other orgs: their connection ids answer 404 for read, update, delete, test and sync', async () => {
    const otherToken = await api.token(`org-other-${randomUUID().slice(0, 6)}`, 'admin');
    const created = await api.call('POST', CONNECTIONS, { token: otherToken, json: { platform: 'klaviyo', data_mode: 'mock', credentials: {} } });
    const id = created.json.id as string;
    for (const [method, path, json] of [
      ['GET', `${CONNECTIONS}/${id}`],
      ['PUT', `${CONNECTIONS}/${id}`, { display_name: 'mine now' }],
      ['DELETE', `${CONNECTIONS}/${id}`],
      ['POST', `${CONNECTIONS}/${id}/test`],
      ['POST', `${CONNECTIONS}/${id}/sync`, {}],
      ['GET', `${CONNECTIONS}/${id}/sync`],
    ] as const) {
      const res = await api.call(method, path, { token: admin, json });
      expect({ method, path, status: res.status, code: res.json?.error?.code }).toEqual({ method, path, status: 404, code: 'not_found' });
    }
    expect((await api.call('GET', `${CONNECTIONS}/not-a-uuid`, { token: admin })).status).toBe(404);
  });

  describe('bad input gets a clear 4xx and writes nothing', () => {
    const cases: { name: string; body?: string; json?: unknown; headers?: Record<string, string>; status: number; code: string; field?: string }[] = [
      { name: 'malformed JSON', body: '{"platform": "meta_business",', headers: { 'content-type': 'application/json' }, status: 400, code: 'malformed_json' },
      { name: 'unknown platform', json: { platform: 'myspace', data_mode: 'mock', credentials: {} }, status: 400, code: 'validation_error', field: 'platform' },
      { name: 'missing credentials', json: { platform: 'meta_business', data_mode: 'mock' }, status: 400, code: 'validation_error', field: 'credentials' },
      {
        name: 'mistyped credentials',
        json: { platform: 'meta_business', data_mode: 'mock', credentials: 'token' },
        status: 400,
        code: 'validation_error',
        field: 'credentials',
      },
      {
        name: 'invalid data_mode',
        json: { platform: 'meta_business', data_mode: 'sometimes', credentials: {} },
        status: 400,
        code: 'validation_error',
        field: 'data_mode',
      },
      { name: 'unknown field', json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, colour: 'red' }, status: 400, code: 'validation_error' },
      {
        name: 'live mode without the platform credential fields',
        json: { platform: 'meta_business', data_mode: 'live', credentials: {} },
        status: 400,
        code: 'validation_error',
        field: 'credentials.access_token',
      },
      {
        name: 'a NUL character in a text field',
        json: { platform: 'klaviyo', data_mode: 'mock', credentials: {}, account_id: 'a\u0000b' },
        status: 400,
        code: 'validation_error',
        field: 'account_id',
      },
      {
        name: 'a body not declared as JSON',
        body: '{"platform":"klaviyo","data_mode":"mock","credentials":{}}',
        headers: { 'content-type': 'text/plain' },
        status: 415,
        code: 'unsupported_media_type',
      },
      { name: 'a JSON array instead of an object', body: '[]', headers: { 'content-type': 'application/json' }, status: 400, code: 'validation_error' },
      {
        name: 'a credential value that is not a string',
        json: { platform: 'klaviyo', data_mode: 'mock', credentials: { api_key: 42 } },
        status: 400,
        code: 'validation_error',
        field: 'credentials.api_key',
      },
      {
        name: 'oversize body',
        json: { platform: 'meta_business', data_mode: 'mock', credentials: { blob: 'x'.repeat(70_000) } },
        status: 413,
        code: 'payload_too_large',
      },
    ];
    it.each(cases)('$name → $status $code', async (c) => {
      const before = await connectionCount();
      const res = await api.call('POST', CONNECTIONS, { token: editor, json: c.json, body: c.body, headers: c.headers });
      expect(res.status).toBe(c.status);
      expect(res.json.error).toMatchObject({ code: c.code, message: expect.any(String) });
      if (c.field) expect(res.json.error.details.map((d: { field: string }) => d.field)).toContain(c.field);
      expect(await connectionCount()).toBe(before);
    });

    it('rejects missing, forged and expired tokens, and a viewer trying to write', async () => {
      const body = { platform: 'meta_business', data_mode: 'mock', credentials: {} };
      const before = await connectionCount();
      const forged = await signAccessToken({ orgId, userId: 'mallory', role: 'admin' }, 'a-different-secret-of-enough-length!!', 3600);
      const expired = await api.token(orgId, 'admin', 'late', -10);
      expect((await api.call('POST', CONNECTIONS, { json: body })).json.error.code).toBe('unauthorized');
      expect((await api.call('POST', CONNECTIONS, { json: body, token: forged })).status).toBe(401);
      expect((await api.call('POST', CONNECTIONS, { json: body, token: expired })).status).toBe(401);
      expect((await api.call('POST', CONNECTIONS, { json: body, token: 'not.a.jwt' })).status).toBe(401);
      const denied = await api.call('POST', CONNECTIONS, { json: body, token: viewer });
      expect(denied.status).toBe(403);
      expect(denied.json.error.code).toBe('forbidden');
      expect(await connectionCount()).toBe(before);
      const audit = await harness.database.db
        .selectFrom('audit_log')
        .select(['action', 'outcome'])
        .where('org_id', '=', orgId)
        .where('action', '=', 'permission.denied')
        .execute();
      expect(audit.length).toBeGreaterThan(0);
    });

    it('validates a backfill window', async () => {
      const created = await api.call('POST', CONNECTIONS, { token: editor, json: { platform: 'tiktok', data_mode: 'mock', credentials: {} } });
      const sync = `${CONNECTIONS}/${created.json.id}/sync`;
      for (const json of [
        { start_date: '2026-02-30', end_date: '2026-03-01' },
        { start_date: '2026-03-02', end_date: '2026-03-01' },
        { start_date: '2026-03-01' },
        { start_date: '2020-01-01', end_date: '2026-01-01' },
      ]) {
        const res = await api.call('POST', sync, { token: editor, json });
        expect(res.status).toBe(400);
        expect(res.json.error.code).toBe('validation_error');
      }
      expect((await api.call('GET', sync, { token: editor })).status).toBe(404);
    });
  });

  it('answers unknown routes with the JSON error format', async () => {
    const res = await api.call('GET', '/api/v1/nope', { token: admin });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
  });

  it('reports health of Postgres and Temporal, and request metrics by route on the metrics port only', async () => {
    const health = await api.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok', checks: { postgres: 'ok', temporal: 'ok' } });
    // The public port has no /metrics: anyone could read it there.
    expect(await api.call('GET', '/metrics')).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    const metrics = await api.scrapeMetrics();
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/platform-connections\/connections",status="201"\} \d+/);
    expect(metrics.text).toMatch(/route="\/api\/v1\/platform-connections\/connections\/:id"/);
  });
});
