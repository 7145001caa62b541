import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ACCESS_POLICY, ROLE_RANK } from '../../api/access-policy';
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
    await harness.temporal.client.workflow.getHandle(keyRotationWorkflowId()).terminate('access-control test cleanup').catch(() => {});
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

  it.each(Object.entries(ACCESS_POLICY))('%s needs %s: lower roles get 403, the others get past authorisation', async (rule, needed) => {
    const [method, template] = rule.split(' ') as [string, string];
    const path = template.replace(':id', randomUUID());
    for (const role of ROLES) {
      const token = await api.token(orgId, role);
      const res = await api.call(method, path, { token, ...(method === 'POST' || method === 'PUT' ? { json: {} } : {}) });
      if (ROLE_RANK[role] < ROLE_RANK[needed]) expect({ role, status: res.status, code: res.json?.error?.code }).toEqual({ role, status: 403, code: 'forbidden' });
      else expect({ role, status: res.status }).not.toEqual({ role, status: 403 });
    }
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
