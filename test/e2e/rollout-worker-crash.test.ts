import { randomUUID } from 'node:crypto';
import { startRolloutWorkflow } from '../../workflow-clients/rollout';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { findRolloutById, insertRollout, rolloutExposedConnections } from '../../db/repositories/rollouts';
import type { Connection } from '../../db/schema';
import { type ServiceProcess, waitFor } from '../../scripts/service-process';
import { createTestConnection, featureFlagRollout, startSyncWorkflow } from '../setup/fixtures';
import { startWorkerProcess } from '../setup/worker-process';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const CONFIG = featureFlagRollout({ minDurationSeconds: 3, analysisIntervalSeconds: 1, maxInconclusiveSeconds: 30 });

/** The worker process running a rollout is SIGKILLed mid-step; another picks it up and the outcome is the same. */
describe('a worker killed mid-rollout', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads');
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await emulator.close();
    await harness.close();
  });

  async function startWorker(taskQueue: string): Promise<ServiceProcess> {
    const worker = await startWorkerProcess(harness, { taskQueue, env: { GOOGLE_ADS_BASE_URL: emulator.url } });
    workers.push(worker);
    return worker;
  }

  it('completes with the same transitions, none recorded twice', async () => {
    const taskQueue = uniqueName('rollout-crash');
    const first = await startWorker(taskQueue);
    const connection: Connection = await createTestConnection(harness, {
      platform: 'google_ads',
      dataMode: 'hybrid',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
    });
    const row = await insertRollout(harness.database.db, { id: randomUUID(), orgId: connection.org_id, name: 'crash', config: CONFIG, createdBy: 'tester' });
    const handle = await startRolloutWorkflow(harness.temporal.client, taskQueue, row, { actorId: 'tester', actorRole: 'admin', requestId: null });
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 20_000, what: 'rollout running' },
    );

    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    await startWorker(taskQueue);

    for (let round = 0; round < 20; round++) {
      const current = (await findRolloutById(harness.database.db, row.id))!;
      if (current.stage !== 'running') break;
      const exposed = await rolloutExposedConnections(harness.database.db, current, { stage: 'running', stepIndex: current.step_index });
      expect(exposed.map((c) => c.id)).toEqual([connection.id]);
      await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, { startDate: '2026-01-01', endDate: '2026-01-03' })).result();
    }
    expect(await handle.result()).toMatchObject({ stage: 'completed', rollbackCause: null });
    const actions = await harness.database.db.selectFrom('audit_log').select('action').where('target_id', '=', row.id).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['rollout.started', 'rollout.step_started', 'rollout.step_passed', 'rollout.completed']);
  }, 58_000);
});
