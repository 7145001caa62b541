import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

/**
 * Requests that run a workflow wait for it at most API_RUN_WAIT_SECONDS, then answer 504 with where to
 * read the result. No worker polls these task queues: every run stays running.
 */
describe('a request waiting for a run', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers a validation still running with 504 and its result URL, which says it runs', async () => {
    const api = createTestApi(harness, { taskQueue: uniqueName('no-worker'), limits: { runWaitMs: 300 } });
    const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
    const editor = await api.token(connection.org_id, 'editor');
    const started = Date.now();
    const answer = await api.call('GET', `/api/v1/data-validation/connections/${connection.id}/validate?refresh=true`, { token: editor });
    expect(answer.status).toBe(504);
    expect(answer.json.error).toMatchObject({ code: 'validation_still_running', details: { workflow_id: expect.any(String), result_url: expect.any(String) } });
    // Well before the 60 s default: the wait is the configured one.
    expect(Date.now() - started).toBeLessThan(10_000);
    const result = await api.call('GET', answer.json.error.details.result_url, { token: editor });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ status: 'running', workflow_id: answer.json.error.details.workflow_id, report: null });
    await harness.temporal.client.workflow.getHandle(answer.json.error.details.workflow_id).terminate('test over');
  });

  it('answers an integration test still running with 504 naming its workflow', async () => {
    const api = createTestApi(harness, { taskQueue: uniqueName('no-worker'), limits: { runWaitMs: 300 } });
    const connection = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock' });
    const answer = await api.call('POST', `/api/v1/live-integration/test-connection/${connection.id}`, { token: await api.token(connection.org_id, 'editor') });
    expect(answer.status).toBe(504);
    expect(answer.json.error).toMatchObject({ code: 'integration_test_still_running', details: { workflow_id: expect.stringContaining(connection.id) } });
    const description = await harness.temporal.client.workflow.getHandle(answer.json.error.details.workflow_id).describe();
    expect(description.status.name).toBe('RUNNING');
    await harness.temporal.client.workflow.getHandle(answer.json.error.details.workflow_id).terminate('test over');
  });
});
