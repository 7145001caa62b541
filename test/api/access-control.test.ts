import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ACCESS_POLICY } from '../../api/access-policy';
import { keyRotationWorkflowId } from '../../domain/workflow-ids';
import { ROLES } from '../../security/access-token';
import { createTestApi } from '../setup/api-client';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

describe('access control', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-acl-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('acl') });
  });
  afterAll(async () => {
    // The admin's POST …/keys/rotate started the singleton rotation on a queue no worker polls.
    await harness.temporal.client.workflow
      .getHandle(keyRotationWorkflowId())
      .terminate('access-control test cleanup')
      .catch(() => {});
    await harness.close();
  });

  it('has exactly one rule per API route', () => {
    const routes = new Set(api.app.routes.filter((r) => /^\/(api\/v1|codec)\//.test(r.path) && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
    expect([...routes].sort()).toEqual(Object.keys(ACCESS_POLICY).sort());
  });

  it('documents the same matrix in docs/api.md', () => {
    const readme = readFileSync(resolve(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
    for (const [rule, role] of Object.entries(ACCESS_POLICY)) {
      const [method, path] = rule.split(' ');
      expect(readme).toContain(`| \`${method} ${path!.replace('/api/v1', '')}\` | ${role} |`);
    }
  });

  /** Every kind of caller: the org roles and the operator by bearer token, the Web UI by its codec credential. */
  const CALLERS = [...ROLES, 'operator', 'codec:decode'] as const;
  const RANK: Record<string, number> = { viewer: 0, editor: 1, admin: 2 };
  /** The rule's meaning, stated independently of api/access-policy.ts. */
  function admits(rule: string, caller: (typeof CALLERS)[number]): boolean {
    const [least, alternative] = rule.split(' or ');
    if (caller === 'operator' || caller === 'codec:decode') return rule === caller || alternative === caller;
    return least! in RANK && RANK[caller]! >= RANK[least!]!;
  }

  it.each(Object.entries(ACCESS_POLICY))('%s needs %s: every other caller is refused, the others get past authorisation', async (rule, needed) => {
    const [method, template] = rule.split(' ') as [string, string];
    for (const caller of CALLERS) {
      const bearer = caller === 'codec:decode' ? undefined : caller === 'operator' ? await api.operatorToken() : await api.token(orgId, caller);
      // A caller presents what it has: a bearer token, or (the Web UI) the codec credential where a path takes one.
      const token = template.includes(':credential') ? (caller === 'codec:decode' ? api.codecUiCredential : bearer!) : undefined;
      const path = template.replace(':id', randomUUID()).replace(':credential', token ?? '');
      const res = await api.call(method, path, {
        token: token ? undefined : (bearer ?? api.codecUiCredential),
        ...(method === 'POST' || method === 'PUT' ? { json: {} } : {}),
      });
      expect({ caller, refused: res.status === 401 || res.status === 403 }).toEqual({ caller, refused: !admits(needed, caller) });
    }
  });

  it('keeps deployment-wide powers from org admins: codec, key rotation (an operator token has them)', async () => {
    const admin = await api.token(orgId, 'admin');
    const operator = await api.operatorToken();
    const payloads = { payloads: [] };
    for (const [method, path, json] of [
      ['POST', '/codec/decode', payloads],
      ['POST', '/codec/encode', payloads],
      ['GET', '/api/v1/platform-connections/keys/rotate', undefined],
    ] as const) {
      const refused = await api.call(method, path, { token: admin, json });
      expect({ path, status: refused.status, code: refused.json?.error?.code }).toEqual({ path, status: 403, code: 'forbidden' });
      const allowed = await api.call(method, path, { token: operator, json });
      expect({ path, refused: [401, 403].includes(allowed.status) }).toEqual({ path, refused: false });
    }
    // An admin's token in the codec path is no credential; the UI's codec credential decodes and does nothing else.
    expect((await api.call('POST', `/codec/${admin}/decode`, { json: payloads })).status).toBe(401);
    expect((await api.call('POST', `/codec/${api.codecUiCredential}/decode`, { json: payloads })).status).toBe(200);
    expect((await api.call('POST', `/codec/${api.codecUiCredential}/encode`, { json: payloads })).status).toBe(404);
    expect((await api.call('POST', '/codec/decode', { token: api.codecUiCredential, json: payloads })).status).toBe(401);
    expect((await api.call('GET', '/api/v1/platform-connections/platforms', { token: api.codecUiCredential })).status).toBe(401);
    // The operator is outside every org: org endpoints refuse it.
    const orgRoute = await api.call('GET', '/api/v1/platform-connections/connections', { token: operator });
    expect({ status: orgRoute.status, code: orgRoute.json?.error?.code }).toEqual({ status: 403, code: 'forbidden' });
  });

  it('audits an operator action without an org', async () => {
    const operator = await api.operatorToken('op-audited');
    await api.call('GET', '/api/v1/platform-connections/connections', { token: operator });
    const rows = await harness.database.db.selectFrom('audit_log').selectAll().where('actor_id', '=', 'op-audited').execute();
    expect(rows.map((r) => ({ org_id: r.org_id, actor_role: r.actor_role, action: r.action, outcome: r.outcome }))).toEqual([
      { org_id: null, actor_role: 'operator', action: 'permission.denied', outcome: 'denied' },
    ]);
  });

  it('limits requests per token: 429 with Retry-After once the budget is spent, other tokens unaffected', async () => {
    const limited = createTestApi(harness, { taskQueue: uniqueName('rate'), rateLimitPerMinute: 5 });
    const token = await limited.token(orgId, 'viewer', 'busy-user');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await limited.call('GET', '/api/v1/platform-connections/platforms', { token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const refused = await limited.call('GET', '/api/v1/platform-connections/platforms', { token });
    expect(refused.json.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await limited.token(orgId, 'viewer', 'quiet-user');
    expect((await limited.call('GET', '/api/v1/platform-connections/platforms', { token: other })).status).toBe(200);
  });
});
