import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { startRolloutWorkflow } from '../../workflow-clients/rollout';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { activeRolloutDecision, findRolloutById, insertRollout, rolloutExposedConnections } from '../../db/repositories/rollouts';
import type { Connection, RolloutRow } from '../../db/schema';
import type { RolloutConfig, RolloutStage } from '../../domain/rollout';
import { rolloutBucket } from '../../domain/rollout-assignment';
import { waitFor } from '../../scripts/service-process';
import {
  rolloutStatusQuery,
  pauseRolloutSignal,
  promoteRolloutSignal,
  resumeRolloutSignal,
  rollbackRolloutSignal,
  updateThresholdsUpdate,
} from '../../workflows/rollout';
import { createTestConnection, percentageRollout, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-01-07' };
const ACTOR = { actorId: 'rollout-tester', actorRole: 'admin', requestId: null };
const TERMINAL: RolloutStage[] = ['completed', 'rolled_back', 'blocked'];

/**
 * Two steps (50 %, then 100 %) judged on at least two live syncs each; rolled back above a 50 % error rate.
 * Steps last a second: the timing itself (minimum durations, inconclusive waits) is unit-tested in rollout-step-plan.test.ts.
 */
const HEALTHY_CONFIG: RolloutConfig = percentageRollout([
  [50, 1],
  [100, 1],
]);

describe('rolloutWorkflow over emulator-backed connections', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 200 });
    taskQueue = uniqueName('rollout');
    worker = await startTestSyncWorker(harness, {
      taskQueue,
      baseUrls: { google_ads: emulator.url },
      settings: { chunkBudgetMs: 2_000 },
      platformRequestSampleMs: 200,
    });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  /**
   * An org of four hybrid Google Ads connections whose users fall two below 50 (exposed at step 1)
   * and two above: a live failure falls back to mock within seconds, and counts as a failed sync.
   */
  async function orgWithConnections(rolloutId: string): Promise<Connection[]> {
    const orgId = `org-${randomUUID().slice(0, 8)}`;
    const low: string[] = [];
    const high: string[] = [];
    for (let i = 0; low.length < 2 || high.length < 2; i++) {
      const user = `user-${i}`;
      const side = rolloutBucket(rolloutId, user) < 50 ? low : high;
      if (side.length < 2) side.push(user);
    }
    const connections: Connection[] = [];
    // One emulated customer: Google Ads ignores dashes in customer ids, so each connection writes it differently.
    const digits = emulator.shape.accountId.replace(/-/g, '');
    for (const [k, user] of [...low, ...high].entries()) {
      const accountId = `${digits.slice(0, k + 1)}-${digits.slice(k + 1)}`;
      const connection = await createTestConnection(harness, {
        platform: 'google_ads',
        dataMode: 'hybrid',
        accountId,
        credentials: { ...emulator.credentials },
        orgId,
      });
      connections.push(
        await harness.database.db
          .updateTable('user_platform_connections')
          .set({ user_id: user })
          .where('id', '=', connection.id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    }
    return connections;
  }

  async function createRollout(config: RolloutConfig, options: { loopsPerRun?: number } = {}) {
    const id = randomUUID();
    const connections = await orgWithConnections(id);
    const row = await insertRollout(harness.database.db, { id, orgId: connections[0]!.org_id, name: 'live data', config, createdBy: 'rollout-tester' });
    const handle = await startRolloutWorkflow(harness.temporal.client, taskQueue, row, ACTOR, options);
    return { row, handle, connections };
  }

  /** Stands in for the scheduled syncs: syncs every connection the rollout exposes now, in parallel, once. */
  async function syncExposedOnce(rolloutId: string): Promise<number> {
    const row = (await findRolloutById(harness.database.db, rolloutId))!;
    if (TERMINAL.includes(row.stage)) return 0;
    const exposed = await rolloutExposedConnections(harness.database.db, row, { stage: 'running', stepIndex: row.step_index });
    await Promise.all(
      exposed.map(async (c) => {
        const connection = (await harness.database.db
          .selectFrom('user_platform_connections')
          .selectAll()
          .where('id', '=', c.id)
          .executeTakeFirstOrThrow()) as Connection;
        await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
      }),
    );
    return exposed.length;
  }

  async function driveUntilDone(rolloutId: string, options: { beforeRound?: (row: RolloutRow) => void } = {}) {
    for (let round = 0; round < 40; round++) {
      options.beforeRound?.((await findRolloutById(harness.database.db, rolloutId))!);
      await syncExposedOnce(rolloutId);
      const row = (await findRolloutById(harness.database.db, rolloutId))!;
      if (TERMINAL.includes(row.stage)) return row;
    }
    throw new Error('rollout did not finish');
  }

  const auditActions = async (rolloutId: string) =>
    await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'details', 'actor_id'])
      .where('target_type', '=', 'rollout')
      .where('target_id', '=', rolloutId)
      .orderBy('id')
      .execute();

  it('completes when the connections stay healthy, across continue-as-new, exposing the same users as it grows', async () => {
    // One analysis loop per run: however quickly the steps pass, the rollout continues as new between them.
    const { row, handle, connections } = await createRollout(HEALTHY_CONFIG, { loopsPerRun: 1 });
    const firstRunId = (await handle.describe()).runId;
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 15_000, what: 'rollout running' },
    );
    const atStep1 = await rolloutExposedConnections(harness.database.db, row, { stage: 'running', stepIndex: 0 });
    expect(atStep1).toHaveLength(2);

    const finished = await driveUntilDone(row.id);
    const result = await handle.result();
    expect(finished).toMatchObject({ stage: 'completed', current_percentage: 100, rollback_cause: null });
    expect(result.stage).toBe('completed');
    // Continue-as-new carried the whole story: the first events and every step's analyses.
    const { runId } = await handle.describe();
    expect(runId).not.toBe(firstRunId);
    expect(result.events.map((e) => e.type)).toEqual(expect.arrayContaining(['started', 'step_started', 'step_passed', 'completed']));
    expect(result.events[0]!.type).toBe('started');
    const passed = result.metricsHistory.filter((a) => a.verdict === 'pass');
    expect(passed.map((a) => a.measurement.stepIndex)).toEqual([0, 1]);
    expect(passed[0]!.measurement).toMatchObject({ connectionsExposed: 2, failed: 0 });
    expect(passed[1]!.measurement.connectionsExposed).toBe(4);
    // The workers' own request timings reached the analysis through their sampled metrics.
    expect(
      result.metricsHistory.some(
        (a) => a.measurement.platformRequests > 0 && a.measurement.meanPlatformResponseMs !== null && a.measurement.platformRequestErrorRate === 0,
      ),
    ).toBe(true);
    // Users exposed at 50 % stay exposed at 100 %; every user of the org now gets live data.
    for (const c of connections)
      expect((await activeRolloutDecision(harness.database.db, { orgId: c.org_id, userId: c.user_id, platform: 'google_ads' })).source).toBe('live');
    expect((await auditActions(row.id)).map((a) => a.action)).toEqual([
      'rollout.started',
      'rollout.step_started',
      'rollout.step_passed',
      'rollout.step_started',
      'rollout.step_passed',
      'rollout.completed',
    ]);
  }, 55_000);

  it('rolls back on its own when the platform slows down mid-step, judged on the response times the worker recorded', async () => {
    const config: RolloutConfig = {
      ...HEALTHY_CONFIG,
      steps: [HEALTHY_CONFIG.steps[0]!, { percentage: 100, minDurationSeconds: 10 }],
      rollback: { ...HEALTHY_CONFIG.rollback, maxMeanResponseMs: 300 },
    };
    const { row, handle } = await createRollout(config);
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 15_000, what: 'rollout running' },
    );
    // Step 1 passes at the emulator's own speed; once step 2 runs, every request takes 600 ms but succeeds.
    const finished = await driveUntilDone(row.id, {
      beforeRound: (current) => {
        if (current.step_index === 1) emulator.faults.set({ latencyMs: 600 });
      },
    });
    const result = await handle.result();
    expect(finished.stage).toBe('rolled_back');
    expect(finished.rollback_cause).toMatch(
      /^automatic rollback: mean platform response time \d+ ms above the rollback limit 300 ms \(\d+ requests at step 2\)/,
    );
    expect(result.metricsHistory.filter((a) => a.verdict === 'pass').map((a) => a.measurement.stepIndex)).toEqual([0]);
    // The syncs themselves kept succeeding: only the recorded response times could have decided.
    const last = result.metricsHistory.at(-1)!.measurement;
    expect(last).toMatchObject({ stepIndex: 1, failed: 0, platformRequestErrorRate: 0 });
    expect(last.meanPlatformResponseMs).toBeGreaterThan(300);
  }, 60_000);

  it('rolls back on its own when the platform starts failing mid-step, with the cause recorded', async () => {
    // Step 2 lasts long enough that failing syncs (about 3.5 s each: three live attempts, then mock) are measured before it could pass.
    const config = { ...HEALTHY_CONFIG, steps: [HEALTHY_CONFIG.steps[0]!, { percentage: 100, minDurationSeconds: 10 }] };
    const { row, handle, connections } = await createRollout(config);
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 15_000, what: 'rollout running' },
    );
    // Step 1 passes on healthy syncs; once step 2 runs, the emulator fails every request.
    let faultAtStep: number | null = null;
    const finished = await driveUntilDone(row.id, {
      beforeRound: (current) => {
        if (current.step_index !== 1 || faultAtStep !== null) return;
        faultAtStep = current.step_index;
        emulator.faults.set({ errorRate: 1 });
      },
    });
    expect(faultAtStep).toBe(1);
    const result = await handle.result();
    expect(finished.stage).toBe('rolled_back');
    expect(finished.rollback_cause).toMatch(/^automatic rollback: error rate \d+(\.\d)?% above the rollback limit 50%/);
    expect(result.rollbackCause).toBe(finished.rollback_cause);
    expect(result.stepIndex).toBe(1);
    expect(result.metricsHistory.filter((a) => a.verdict === 'pass').map((a) => a.measurement.stepIndex)).toEqual([0]);
    const audit = await auditActions(row.id);
    const rolledBack = audit.find((a) => a.action === 'rollout.rolled_back');
    expect(rolledBack).toMatchObject({ actor_id: 'rollout-workflow', details: expect.objectContaining({ automatic: true, message: finished.rollback_cause }) });
    // Rolled back: nobody is exposed any more.
    for (const c of connections)
      expect((await activeRolloutDecision(harness.database.db, { orgId: c.org_id, userId: c.user_id, platform: 'google_ads' })).source).toBe('mock');
  }, 55_000);

  it('pauses, resumes, takes a validated threshold update, waits for approval and is promoted; each visible in status and audit', async () => {
    const { row, handle } = await createRollout({
      ...HEALTHY_CONFIG,
      advance: 'manual',
      steps: [
        { percentage: 50, minDurationSeconds: 1 },
        { percentage: 75, minDurationSeconds: 1 },
        { percentage: 100, minDurationSeconds: 1 },
      ],
    });
    const status = () => handle.query(rolloutStatusQuery);
    await waitFor(status, (s) => s.stage === 'running', { timeoutMs: 15_000, what: 'running' });

    await handle.signal(pauseRolloutSignal, { actor: ACTOR });
    await waitFor(status, (s) => s.stage === 'paused', { timeoutMs: 10_000, what: 'paused' });
    await handle.signal(resumeRolloutSignal, { actor: ACTOR });
    await waitFor(status, (s) => s.stage === 'running', { timeoutMs: 10_000, what: 'resumed' });

    const rejected = await handle
      .executeUpdate(updateThresholdsUpdate, { args: [{ success: { maxErrorRate: 0.8 }, actor: ACTOR }] })
      .catch((err: unknown) => err);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((rejected as WorkflowUpdateFailedError).cause?.message).toContain('rollback.max_error_rate must not be below success.max_error_rate');
    expect((await status()).criteria.success.maxErrorRate).toBe(0.1);
    const updated = await handle.executeUpdate(updateThresholdsUpdate, {
      args: [{ success: { minSampleSize: 1 }, rollback: { maxErrorRate: 0.6 }, actor: ACTOR }],
    });
    expect(updated).toMatchObject({ success: { minSampleSize: 1 }, rollback: { maxErrorRate: 0.6 } });

    await syncExposedOnce(row.id);
    const waiting = await waitFor(status, (s) => s.stage === 'awaiting_approval', { timeoutMs: 15_000, what: 'awaiting approval' });
    expect(waiting.recommendations).toEqual(['The step passed: promote to go on']);
    await handle.signal(promoteRolloutSignal, { actor: ACTOR });
    const done = await handle.result();
    expect(done).toMatchObject({ stage: 'completed', currentPercentage: 100, stepIndex: 2 });

    const audit = await auditActions(row.id);
    expect(audit.map((a) => a.action)).toEqual([
      'rollout.started',
      'rollout.step_started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.thresholds_updated',
      'rollout.step_passed',
      'rollout.awaiting_approval',
      'rollout.promoted',
    ]);
    expect(audit.find((a) => a.action === 'rollout.paused')!.actor_id).toBe('rollout-tester');
    expect(audit.find((a) => a.action === 'rollout.thresholds_updated')!.details).toMatchObject({ rollback: { maxErrorRate: 0.6 } });
  }, 55_000);

  it('a manual rollback is the kill switch of a feature flag, recorded with its reason', async () => {
    const { row, handle, connections } = await createRollout({
      ...HEALTHY_CONFIG,
      strategy: 'feature_flag',
      steps: [{ enabled: true, minDurationSeconds: 600 }],
    });
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 15_000, what: 'running' },
    );
    const subject = { orgId: connections[0]!.org_id, userId: connections[3]!.user_id, platform: 'google_ads' as const };
    expect(await activeRolloutDecision(harness.database.db, subject)).toMatchObject({ source: 'live', rolloutId: row.id });

    await handle.signal(rollbackRolloutSignal, { reason: 'customer reports wrong spend', actor: ACTOR });
    expect(await handle.result()).toMatchObject({ stage: 'rolled_back', rollbackCause: 'manual rollback: customer reports wrong spend' });
    expect(await activeRolloutDecision(harness.database.db, subject)).toMatchObject({ source: 'mock', rolloutId: null });
    expect((await auditActions(row.id)).at(-1)).toMatchObject({
      action: 'rollout.rolled_back',
      actor_id: 'rollout-tester',
      details: expect.objectContaining({ automatic: false }),
    });
  }, 30_000);

  it('is blocked before it starts when a platform in scope is unreachable or another rollout is in progress', async () => {
    const { row } = await createRollout({ ...HEALTHY_CONFIG, steps: [{ percentage: 100, minDurationSeconds: 600 }] });
    await waitFor(
      () => findRolloutById(harness.database.db, row.id),
      (r) => r?.stage === 'running',
      { timeoutMs: 15_000, what: 'first running' },
    );
    await createTestConnection(harness, { platform: 'meta_business', dataMode: 'hybrid', orgId: row.org_id });
    const second = await insertRollout(harness.database.db, {
      id: randomUUID(),
      orgId: row.org_id,
      name: 'second',
      config: HEALTHY_CONFIG,
      createdBy: 'rollout-tester',
    });
    const blocked = await (await startRolloutWorkflow(harness.temporal.client, taskQueue, second, ACTOR)).result();
    expect(blocked.stage).toBe('blocked');
    expect(blocked.blockedReasons).toEqual([
      `resources: rollout live data (${row.id}) is already in progress for this org`,
      expect.stringMatching(/^platform_reachability: meta_business unreachable at https:\/\/graph\.facebook\.com/),
    ]);
    expect((await findRolloutById(harness.database.db, second.id))?.stage).toBe('blocked');
    await harness.temporal.client.workflow.getHandle(row.workflow_id).signal(rollbackRolloutSignal, { reason: 'test over', actor: ACTOR });
  }, 30_000);
});
