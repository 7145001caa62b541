import { randomUUID } from 'node:crypto';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const API = '/api/v1/platform-connections';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-reqid-${randomUUID().slice(0, 8)}`;
  const started: string[] = [];

  beforeAll(async () => {
    harness = await openTestHarness();
    // No worker polls this queue: a started workflow stays running for the whole test.
    api = createTestApi(harness, { taskQueue: uniqueName('no-worker') });
  });
  afterAll(async () => {
    for (const id of started)
      await harness.temporal.client.workflow
        .getHandle(id)
        .terminate('test done')
        .catch(() => {});
    await harness.close();
  });

  it("are always ours: a client's well-formed X-Request-Id is kept beside ours, a malformed one dropped", async () => {
    const editor = await api.token(orgId, 'editor');
    const clientId = `client-${randomUUID()}`;
    const created = await api.call('POST', `${API}/connections`, {
      token: editor,
      headers: { 'x-request-id': clientId },
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {} },
    });
    expect(created.status).toBe(201);
    const ours = created.headers.get('x-request-id')!;
    expect(ours).toMatch(UUID);
    expect(created.headers.get('x-client-request-id')).toBe(clientId);
    const audit = await harness.database.db.selectFrom('audit_log').selectAll().where('org_id', '=', orgId).where('target_id', '=', created.json.id).execute();
    expect(audit.map((a) => ({ request_id: a.request_id, client: (a.details as { client_request_id?: string }).client_request_id }))).toEqual([
      { request_id: ours, client: clientId },
    ]);

    for (const malformed of ['has spaces in it', 'x'.repeat(200), '../../etc', '']) {
      const res = await api.call('GET', `${API}/platforms`, { token: editor, headers: { 'x-request-id': malformed } });
      expect({ malformed, status: res.status, id: UUID.test(res.headers.get('x-request-id') ?? ''), echoed: res.headers.get('x-client-request-id') }).toEqual({
        malformed,
        status: 200,
        id: true,
        echoed: null,
      });
    }
  });

  it('never become workflow ids: the same X-Request-Id twice, while the first run is still going, starts two runs', async () => {
    const editor = await api.token(orgId, 'editor');
    await api.call('POST', `${API}/connections`, { token: editor, json: { platform: 'tiktok', data_mode: 'mock', credentials: {} } });
    const reused = { 'x-request-id': `bulk-${randomUUID()}` };
    const first = await api.call('POST', `${API}/sync/bulk`, { token: editor, headers: reused, json: { all: true } });
    const second = await api.call('POST', `${API}/sync/bulk`, { token: editor, headers: reused, json: { all: true } });
    started.push(...[first, second].map((r) => r.json?.workflow_id).filter(Boolean));
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(first.json.workflow_id).not.toEqual(second.json.workflow_id);
    expect(first.json.workflow_id).not.toContain(reused['x-request-id']);
  });
});
