import { randomUUID } from 'node:crypto';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { waitFor } from '../../scripts/service-process';
import { createTestApi } from '../setup/api-client';
import { createTestConnection, percentageRolloutRequest } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

describe('rollout endpoints', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let api: ReturnType<typeof createTestApi>;
  const orgId = `org-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads');
    const taskQueue = uniqueName('rollout-api');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    api = createTestApi(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    await createTestConnection(harness, {
      platform: 'google_ads',
      dataMode: 'hybrid',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
      orgId,
    });
  });
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const body = percentageRolloutRequest('google ads to live');

  it('refuses a rollout that does not hold together, and creates nothing', async () => {
    const admin = await api.token(orgId, 'admin');
    const bad = await api.call('POST', '/api/v1/rollout-monitoring/rollouts', {
      token: admin,
      json: {
        ...body,
        steps: [
          { percentage: 50, min_duration_seconds: 1 },
          { percentage: 20, min_duration_seconds: 1 },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([{ field: 'steps.1.percentage', message: 'steps must grow: each percentage above the previous one' }]);
    const unknown = await api.call('POST', '/api/v1/rollout-monitoring/rollouts', { token: admin, json: { ...body, strategy: 'everyone' } });
    expect(unknown.status).toBe(400);
    expect((await api.call('GET', '/api/v1/rollout-monitoring/rollouts', { token: admin })).json.rollouts).toEqual([]);
  });

  it('creates, starts, reports status, evaluates, takes a threshold update and rolls back', async () => {
    const admin = await api.token(orgId, 'admin');
    const created = await api.call('POST', '/api/v1/rollout-monitoring/rollouts', { token: admin, json: body });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ stage: 'created', strategy: 'percentage', workflow_id: `rollout:${id}` });
    const evaluate = () => api.call('GET', '/api/v1/rollout-monitoring/evaluate?user_id=test-user&platform=google_ads', { token: admin });
    expect((await evaluate()).json).toMatchObject({ source: 'mock', features: [] });

    expect((await api.call('POST', `/api/v1/rollout-monitoring/rollouts/${id}/start`, { token: admin })).status).toBe(202);
    expect((await api.call('POST', `/api/v1/rollout-monitoring/rollouts/${id}/start`, { token: admin })).status).toBe(409);
    const status = () => api.call('GET', `/api/v1/rollout-monitoring/rollouts/${id}/status`, { token: admin }).then((r) => r.json);
    await waitFor(status, (s) => s.stage === 'running', { timeoutMs: 15_000, what: 'running' });
    // The status answers the workflow's own state; the decision reads the rollout's row, which the workflow
    // records right after (an activity): it follows within moments.
    const decided = await waitFor(
      async () => (await evaluate()).json,
      (j) => j.source === 'live',
      { timeoutMs: 15_000, what: 'evaluated live' },
    );
    expect(decided).toMatchObject({ source: 'live', rollout_id: id, features: [{ rollout_id: id, enabled: true, variant: null, source: 'live' }] });

    const rejected = await api.call('PUT', `/api/v1/rollout-monitoring/rollouts/${id}/thresholds`, {
      token: admin,
      json: { rollback_criteria: { max_error_rate: 0.01 } },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.json.error).toMatchObject({ code: 'invalid_thresholds' });
    const accepted = await api.call('PUT', `/api/v1/rollout-monitoring/rollouts/${id}/thresholds`, {
      token: admin,
      json: { success_criteria: { min_sample_size: 3 }, rollback_criteria: { max_mean_response_ms: 2_000 } },
    });
    expect(accepted.json.success_criteria.minSampleSize).toBe(3);
    expect(accepted.json.rollback_criteria).toMatchObject({ maxErrorRate: 0.2, maxMeanResponseMs: 2_000 });

    const missingReason = await api.call('POST', `/api/v1/rollout-monitoring/rollouts/${id}/rollback`, { token: admin, json: {} });
    expect(missingReason.status).toBe(400);
    expect((await api.call('POST', `/api/v1/rollout-monitoring/rollouts/${id}/rollback`, { token: admin, json: { reason: 'spend looks wrong' } })).status).toBe(
      202,
    );
    const final = await waitFor(status, (s) => s.stage === 'rolled_back', { timeoutMs: 15_000, what: 'rolled back' });
    expect(final).toMatchObject({ rollback_cause: 'manual rollback: spend looks wrong', current_percentage: 0 });
    expect(final.events.map((e: { type: string }) => e.type)).toEqual(['started', 'step_started', 'thresholds_updated', 'rolled_back']);
    // The status query answers from the workflow; evaluate reads the snapshot its activity saves next.
    await waitFor(evaluate, (r) => r.json.source === 'mock', { timeoutMs: 15_000, what: 'evaluation back on mock' });
    expect((await api.call('POST', `/api/v1/rollout-monitoring/rollouts/${id}/pause`, { token: admin })).status).toBe(409);

    const list = await api.call('GET', '/api/v1/rollout-monitoring/rollouts', { token: await api.token(orgId, 'viewer') });
    expect(list.json.rollouts.map((r: { id: string; stage: string }) => [r.id, r.stage])).toEqual([[id, 'rolled_back']]);
    // Another org sees none of it.
    expect((await api.call('GET', `/api/v1/rollout-monitoring/rollouts/${id}/status`, { token: await api.token('other-org', 'admin') })).status).toBe(404);
  }, 40_000);
});
