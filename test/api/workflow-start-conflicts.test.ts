import { createTestApi } from '../setup/api-client';
import { percentageRolloutRequest } from '../setup/fixtures';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const API = '/api/v1';

/**
 * A second start while the first run of the same id goes is refused by Temporal; the family's starter
 * turns that into WorkflowAlreadyRunning, and the API answers 409 with the body it always has. The
 * starts go to a queue no worker polls, so the first runs stay running (and a rollout's row `created`,
 * which leaves the refusal to Temporal, not to the stage check).
 */
describe('workflow start conflicts', () => {
  let harness: TestHarness;
  let api: ReturnType<typeof createTestApi>;
  const orgId = uniqueName('org-conflicts');
  const started: string[] = [];

  beforeAll(async () => {
    harness = await openTestHarness();
    api = createTestApi(harness, { taskQueue: uniqueName('conflicts-idle') });
  });
  afterAll(async () => {
    for (const workflowId of started)
      await harness.temporal.client.workflow
        .getHandle(workflowId)
        .terminate('conflicts test done')
        .catch(() => undefined);
    await harness.close();
  });

  it('a second sync of a connection answers 409 sync_already_running naming the running one', async () => {
    const editor = await api.token(orgId, 'editor');
    const created = await api.call('POST', `${API}/platform-connections/connections`, {
      token: editor,
      json: { platform: 'meta_business', data_mode: 'mock', credentials: {}, account_id: uniqueName('act') },
    });
    expect(created.status).toBe(201);
    const first = await api.call('POST', `${API}/platform-connections/connections/${created.json.id}/sync`, { token: editor, json: {} });
    expect(first.status).toBe(202);
    started.push(first.json.workflow_id);
    const second = await api.call('POST', `${API}/platform-connections/connections/${created.json.id}/resync`, { token: editor, json: {} });
    expect({ status: second.status, body: second.json }).toEqual({
      status: 409,
      body: {
        error: { code: 'sync_already_running', message: 'A sync of this connection is already running', details: { workflow_id: first.json.workflow_id } },
      },
    });
  });

  it('a second start of a rollout answers 409 rollout_already_started', async () => {
    const admin = await api.token(orgId, 'admin');
    const created = await api.call('POST', `${API}/rollout-monitoring/rollouts`, { token: admin, json: percentageRolloutRequest('conflicts') });
    expect(created.status).toBe(201);
    const first = await api.call('POST', `${API}/rollout-monitoring/rollouts/${created.json.id}/start`, { token: admin });
    expect(first.status).toBe(202);
    started.push(first.json.workflow_id);
    const second = await api.call('POST', `${API}/rollout-monitoring/rollouts/${created.json.id}/start`, { token: admin });
    expect({ status: second.status, body: second.json }).toEqual({
      status: 409,
      body: { error: { code: 'rollout_already_started', message: 'The rollout has already started', details: null } },
    });
  });
});
