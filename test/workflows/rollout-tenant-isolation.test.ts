import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { createRolloutActivities } from '../../activities/rollout-activities';
import { createRolloutRollbackSignal, startRolloutWorkflow } from '../../workflow-clients/rollout';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { insertMetricSamples } from '../../db/repositories/metric-samples';
import { findRolloutById, insertRollout } from '../../db/repositories/rollouts';
import { ALERT_RULES, type AlertRule } from '../../domain/alert-rules';
import { PLATFORM_REQUEST_DURATION_METRIC } from '../../domain/metric-sample';
import { waitFor } from '../../scripts/service-process';
import { alertEvaluationWorkflow } from '../../workflows/alert-evaluation';
import { rolloutStatusQuery } from '../../workflows/rollout';
import { createTestConnection, featureFlagRollout, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-01-07' };
const ACTOR = { actorId: 'rollout-tester', actorRole: 'admin', requestId: null };
/** A feature flag: everyone in scope is exposed for ten minutes, long past each test. */
const FLAG = featureFlagRollout({ minDurationSeconds: 600, analysisIntervalSeconds: 1, rollbackMinSampleSize: 50 });

/** The rollout error ratio rule on a metric of this test alone, so other files' samples never match it. */
function rolloutRuleOnOwnMetric(): AlertRule {
  const base = ALERT_RULES.find((r) => r.id === 'rollout_error_rate_critical')!;
  if (base.signal.kind !== 'metric') throw new Error('the rollout rule reads a metric');
  const metric = `${base.signal.metric}_${randomUUID().slice(0, 8)}`;
  return { ...base, id: `test_${metric}`, signal: { ...base.signal, metric } };
}

describe('rollouts are walled per org', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  const rule = rolloutRuleOnOwnMetric();

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 200 });
    taskQueue = uniqueName('rollout-walls');
    worker = await startTestSyncWorker(harness, {
      taskQueue,
      baseUrls: { google_ads: emulator.url },
      alerting: { rules: [rule], rollbacks: createRolloutRollbackSignal(harness.temporal.client) },
      // The fleet-wide request histogram is sampled as workers/main.ts does: the analysis must not read it.
      platformRequestSampleMs: 200,
    });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const newOrg = () => `org-${randomUUID().slice(0, 8)}`;
  const googleAds = (orgId: string) =>
    createTestConnection(harness, {
      platform: 'google_ads',
      dataMode: 'hybrid',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
      orgId,
    });
  const gauge = (orgId: string, rolloutId: string, value: number) =>
    insertMetricSamples(harness.database.db, [
      { name: rule.signal.kind === 'metric' ? rule.signal.metric : '', kind: 'gauge', labels: { rollout_id: rolloutId }, value, orgId, source: 'api_custom' },
    ]);
  const evaluate = () => harness.temporal.client.workflow.execute(alertEvaluationWorkflow, { taskQueue, workflowId: uniqueName('alert-evaluation') });
  const alertsOf = (orgId: string) => harness.database.db.selectFrom('alerts').selectAll().where('rule_id', '=', rule.id).where('org_id', '=', orgId).execute();

  it("an org's critical alert labelled with another org's rollout_id does not roll that rollout back; the owner's alert does, recorded as alert-driven", async () => {
    const [orgA, orgB] = [newOrg(), newOrg()];
    await googleAds(orgB);
    const rollout = await insertRollout(harness.database.db, { id: randomUUID(), orgId: orgB, name: 'live data', config: FLAG, createdBy: 'rollout-tester' });
    const handle = await startRolloutWorkflow(harness.temporal.client, taskQueue, rollout, ACTOR);
    await waitFor(
      () => handle.query(rolloutStatusQuery),
      (s) => s.stage === 'running',
      { timeoutMs: 20_000, what: 'rollout running' },
    );

    // Org A records B's rollout id (readable wherever B's series were shown) with a breaching error ratio.
    await gauge(orgA, rollout.id, 0.9);
    expect(await evaluate()).toMatchObject({ fired: 1, rollbacksRequested: 0 });
    const [foreign] = await alertsOf(orgA);
    expect(foreign).toMatchObject({ severity: 'critical', labels: { rollout_id: rollout.id }, rollback_requested_at: null });
    expect((await handle.query(rolloutStatusQuery)).stage).toBe('running');
    expect((await findRolloutById(harness.database.db, rollout.id))!.stage).toBe('running');

    // B's own alert on its rollout rolls it back, and says so.
    await gauge(orgB, rollout.id, 0.9);
    expect(await evaluate()).toMatchObject({ fired: 1, rollbacksRequested: 1 });
    const [own] = await alertsOf(orgB);
    const result = await handle.result();
    expect(result.stage).toBe('rolled_back');
    expect(result.rollbackCause).toBe(`alert rollback: critical alert ${rule.id} (${own!.id}): ${own!.summary}`);
    expect((await findRolloutById(harness.database.db, rollout.id))!.rollback_cause).toBe(result.rollbackCause);
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target_type', '=', 'rollout')
      .where('target_id', '=', rollout.id)
      .where('action', '=', 'rollout.rolled_back')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      org_id: orgB,
      actor_id: 'system:alert-evaluation',
      details: expect.objectContaining({ trigger: 'alert', alert_id: own!.id, rule_id: rule.id, automatic: true }),
    });
    // A's alert still never asked for anything.
    expect((await alertsOf(orgA))[0]!.rollback_requested_at).toBeNull();
  }, 60_000);

  it("a rollout's analysis counts the requests of the connections it exposes, not another org's requests to the same platform", async () => {
    const [orgA, orgB] = [newOrg(), newOrg()];
    const own = await googleAds(orgB);
    const foreign = await googleAds(orgA);
    const rollout = await insertRollout(harness.database.db, { id: randomUUID(), orgId: orgB, name: 'live data', config: FLAG, createdBy: 'rollout-tester' });
    const stepStartedAt = new Date();

    // B's connection syncs healthily; then A's, to the same platform, fails every live request (and falls back to mock).
    await (await startSyncWorkflow(harness.temporal.client, own, taskQueue, WINDOW)).result();
    emulator.faults.set({ errorRate: 1 });
    await (await startSyncWorkflow(harness.temporal.client, foreign, taskQueue, WINDOW)).result();
    emulator.faults.clear();

    const streamsOf = (connectionId: string) =>
      harness.database.db
        .selectFrom('data_sync_log_streams as s')
        .innerJoin('data_sync_logs as l', 'l.id', 's.sync_log_id')
        .select(['l.pages', 's.platform_requests', 's.platform_request_errors', 's.platform_request_seconds'])
        .where('l.connection_id', '=', connectionId)
        .execute();
    const ownStreams = await streamsOf(own.id);
    const ownPages = ownStreams.reduce((n, s) => n + s.platform_requests, 0);
    // One live request per written page, none failed; A's failed requests are A's.
    expect(ownPages).toBeGreaterThan(0);
    expect(ownStreams.every((s) => s.platform_request_errors === 0)).toBe(true);
    expect(ownPages).toBe(ownStreams.reduce((n, s) => Math.max(n, s.pages), 0));
    expect((await streamsOf(foreign.id)).reduce((n, s) => n + s.platform_request_errors, 0)).toBeGreaterThan(0);
    // The fleet-wide histogram saw A's failures on google_ads (what the analysis used to sum).
    await waitFor(
      () =>
        harness.database.db
          .selectFrom('metric_samples')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('name', '=', `${PLATFORM_REQUEST_DURATION_METRIC}_count`)
          .where('recorded_at', '>=', stepStartedAt)
          .where(sql<boolean>`labels->>'outcome' <> 'ok'`)
          .executeTakeFirstOrThrow(),
      (r) => Number(r.n) > 0,
      { timeoutMs: 10_000, what: 'failed requests sampled' },
    );

    const measurement = await createRolloutActivities({ db: harness.database.db }).measureRolloutStep({
      rolloutId: rollout.id,
      stepIndex: 0,
      stepStartedAt: stepStartedAt.toISOString(),
    });
    expect(measurement).toMatchObject({ connectionsExposed: 1, platformRequests: ownPages, platformRequestErrorRate: 0 });
    expect(measurement.meanPlatformResponseMs).not.toBeNull();
  }, 60_000);
});
