import { randomUUID } from 'node:crypto';
import type { RolloutRollbacks } from '../../activities/alert-evaluation-activities';
import { insertMetricSamples } from '../../db/repositories/metric-samples';
import { insertRollout } from '../../db/repositories/rollouts';
import { ALERT_RULES, type AlertRule } from '../../domain/alert-rules';
import { ensureAlertEvaluationSchedule } from '../../schedules/alert-evaluation-schedule';
import { alertEvaluationWorkflow } from '../../workflows/alert-evaluation';
import { startAlertWebhookReceiver } from '../support/alert-webhook-receiver';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';
import { featureFlagRollout } from '../setup/fixtures';

const SECRET = 'test-webhook-secret-0123456789';

/** A rule of its own per test (a unique metric), so rows of other test files never match it. */
function ruleOnOwnMetric(overrides: Partial<AlertRule>): AlertRule {
  const metric = `liftos_custom_test_rollout_error_ratio_${randomUUID().slice(0, 8)}`;
  const base = ALERT_RULES.find((r) => r.id === 'rollout_error_rate_critical')!;
  return { ...base, id: `test_${metric}`, signal: { kind: 'metric', metric, aggregate: 'avg' }, ...overrides };
}

function recordingRollbacks() {
  const calls: Array<{ rolloutId: string; reason: string }> = [];
  const rollbacks: RolloutRollbacks = {
    requestRollback: async ({ rolloutId, reason }) => {
      calls.push({ rolloutId, reason });
      return { signalled: true };
    },
  };
  return { calls, rollbacks };
}

/** A stored rollout of the alerts' org (no workflow: the rollbacks here only record their calls). */
const ROLLOUT_CONFIG = featureFlagRollout({ minDurationSeconds: 600, analysisIntervalSeconds: 60 });

describe('alertEvaluationWorkflow', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  const metricOf = (rule: AlertRule) => (rule.signal.kind === 'metric' ? rule.signal.metric : '');
  const record = (rule: AlertRule, labels: Record<string, string>, value: number) =>
    insertMetricSamples(harness.database.db, [{ name: metricOf(rule), kind: 'gauge', labels, value, orgId: 'org-alerts', source: 'api_custom' }]);
  const storedRollout = async () =>
    (await insertRollout(harness.database.db, { id: randomUUID(), orgId: 'org-alerts', name: 'live data', config: ROLLOUT_CONFIG, createdBy: 'alert-tester' }))
      .id;
  const alertsOf = (rule: AlertRule) => harness.database.db.selectFrom('alerts').selectAll().where('rule_id', '=', rule.id).orderBy('started_at').execute();

  it('fires a critical alert on a rollout, rolls it back once, notifies a signed webhook with retry, and auto-resolves when the condition clears', async () => {
    const rule = ruleOnOwnMetric({});
    const rolloutId = await storedRollout();
    const receiver = await startAlertWebhookReceiver(SECRET);
    const { calls, rollbacks } = recordingRollbacks();
    const taskQueue = uniqueName('alerts');
    const worker = await startTestSyncWorker(harness, { taskQueue, alerting: { rules: [rule], rollbacks, webhook: { url: receiver.url, secret: SECRET } } });
    const evaluate = () => harness.temporal.client.workflow.execute(alertEvaluationWorkflow, { taskQueue, workflowId: uniqueName('alert-evaluation') });
    try {
      // Below the threshold: nothing fires.
      await record(rule, { rollout_id: rolloutId, region: 'eu' }, 0.01);
      expect(await evaluate()).toMatchObject({ fired: 0, rollbacksRequested: 0 });

      await record(rule, { rollout_id: rolloutId, region: 'eu' }, 0.5);
      // Another label set below threshold stays quiet.
      await record(rule, { rollout_id: randomUUID(), region: 'us' }, 0.0);
      const first = await evaluate();
      expect(first).toMatchObject({ fired: 1, escalated: 0, resolved: 0, rollbacksRequested: 1, notificationsDelivered: 1, notificationsFailed: 0 });
      expect(calls).toEqual([{ rolloutId, reason: expect.stringContaining(rule.id) }]);

      const [alert] = await alertsOf(rule);
      expect(alert).toMatchObject({
        status: 'firing',
        severity: 'critical',
        type: 'error_rate',
        org_id: 'org-alerts',
        labels: { rollout_id: rolloutId, region: 'eu' },
      });
      expect(alert!.rollback_requested_at).not.toBeNull();

      // The webhook refused the first attempt; Temporal retried; both carried a valid signature.
      expect(receiver.deliveries.map((d) => [d.answered, d.signatureValid])).toEqual([
        [503, true],
        [200, true],
      ]);
      expect(receiver.accepted()[0]!.body).toMatchObject({
        event: 'fired',
        alert: { id: alert!.id, rule_id: rule.id, severity: 'critical', status: 'firing' },
      });
      expect(Number(receiver.accepted()[0]!.timestamp)).toBeGreaterThan(0);

      // Still breaching: the alert is held, not fired again, and the rollout is not rolled back twice.
      const second = await evaluate();
      expect(second).toMatchObject({ fired: 0, escalated: 0, resolved: 0, rollbacksRequested: 0 });
      expect(calls).toHaveLength(1);
      expect(await alertsOf(rule)).toHaveLength(1);

      // The condition clears (the window's samples average below the threshold): auto-resolved and notified.
      await harness.database.db.deleteFrom('metric_samples').where('name', '=', metricOf(rule)).where('value', '>', 0.1).execute();
      const third = await evaluate();
      expect(third).toMatchObject({ fired: 0, resolved: 1, rollbacksRequested: 0 });
      const [resolved] = await alertsOf(rule);
      expect(resolved).toMatchObject({ status: 'resolved', resolved_by: 'auto' });
      expect(receiver.accepted().map((d) => d.body.event)).toEqual(['fired', 'resolved']);
      expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
      expect(calls).toHaveLength(1);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it('escalates by duration, and an escalation to critical on a rollout rolls it back exactly once', async () => {
    const rule = ruleOnOwnMetric({ severity: 'high', escalation: [{ afterSeconds: 60, severity: 'critical' }] });
    const rolloutId = await storedRollout();
    const { calls, rollbacks } = recordingRollbacks();
    const taskQueue = uniqueName('alerts');
    // The evaluation's clock, which the test moves on instead of waiting for the escalation step.
    let clockAheadMs = 0;
    const now = () => new Date(Date.now() + clockAheadMs);
    const worker = await startTestSyncWorker(harness, { taskQueue, alerting: { rules: [rule], rollbacks }, now });
    const evaluate = () => harness.temporal.client.workflow.execute(alertEvaluationWorkflow, { taskQueue, workflowId: uniqueName('alert-evaluation') });
    try {
      await record(rule, { rollout_id: rolloutId }, 0.9);
      expect(await evaluate()).toMatchObject({ fired: 1, escalated: 0, rollbacksRequested: 0, notificationsDelivered: 0 });
      expect(calls).toEqual([]);
      const [firing] = await alertsOf(rule);
      expect(firing).toMatchObject({ status: 'firing', severity: 'high', initial_severity: 'high' });

      // Held, not yet for the escalation step's minute: still high.
      expect(await evaluate()).toMatchObject({ fired: 0, escalated: 0, rollbacksRequested: 0 });
      // A minute on, by the evaluation's clock (the sample is still in the rule's five-minute window).
      clockAheadMs = 61_000;
      expect(await evaluate()).toMatchObject({ fired: 0, escalated: 1, rollbacksRequested: 1 });
      expect(await evaluate()).toMatchObject({ fired: 0, escalated: 0, rollbacksRequested: 0 });
      expect(calls).toEqual([{ rolloutId, reason: expect.any(String) }]);
      const [escalated] = await alertsOf(rule);
      expect(escalated).toMatchObject({ status: 'escalated', severity: 'critical', initial_severity: 'high' });
      expect(escalated!.escalated_at).not.toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it('is scheduled every minute, idempotently', async () => {
    const scheduleId = uniqueName('alert-evaluation');
    const taskQueue = uniqueName('alerts');
    await ensureAlertEvaluationSchedule(harness.temporal.client, taskQueue, scheduleId);
    await ensureAlertEvaluationSchedule(harness.temporal.client, taskQueue, scheduleId);
    const schedule = harness.temporal.client.schedule.getHandle(scheduleId);
    const description = await schedule.describe();
    expect(description.spec.intervals?.[0]?.every).toBe(60_000);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'alertEvaluationWorkflow', taskQueue });
    await schedule.delete();
  });
});
