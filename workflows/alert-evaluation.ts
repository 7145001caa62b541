import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createAlertEvaluationActivities } from '../activities/alert-evaluation-activities';
import { AlertFailureType } from '../domain/errors';

type AlertEvaluationActivities = ReturnType<typeof createAlertEvaluationActivities>;

/** A few grouped queries per rule: well under a minute, the Schedule's interval. */
const EVALUATING: ActivityOptions = { startToCloseTimeout: '45 seconds', retry: { initialInterval: '1 second', maximumAttempts: 3 } };
/** A rollback is the point of a critical alert on a rollout: retried patiently. */
const ROLLING_BACK: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
};
/** Webhook deliveries: retried with backoff; a 4xx other than 408/429 is not retried. */
const NOTIFYING: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [AlertFailureType.WebhookRejected],
  },
};
const PURGING: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 3 } };

const evaluating = proxyActivities<AlertEvaluationActivities>(EVALUATING);
const rollingBack = proxyActivities<AlertEvaluationActivities>(ROLLING_BACK);
const notifying = proxyActivities<AlertEvaluationActivities>(NOTIFYING);
const purging = proxyActivities<AlertEvaluationActivities>(PURGING);

export interface AlertEvaluationOutcome {
  fired: number;
  escalated: number;
  resolved: number;
  rollbacksRequested: number;
  notificationsDelivered: number;
  notificationsFailed: number;
  samplesDeleted: number;
}

/**
 * Run by the `alert-evaluation` Schedule: evaluates the rules, rolls back rollouts with a new
 * critical alert, notifies the webhook of every change, and applies the metric retention. A
 * notification that gives up does not fail the run: the alert itself is already stored.
 */
export async function alertEvaluationWorkflow(): Promise<AlertEvaluationOutcome> {
  const { changes, rollbackAlertIds } = await evaluating.evaluateAlertRules();
  const rollbacks = await Promise.all(rollbackAlertIds.map((alertId) => rollingBack.requestAlertRollback({ alertId })));
  const deliveries = await Promise.allSettled(changes.map((change) => notifying.notifyAlertChange(change)));
  const { deleted } = await purging.purgeMetricSamples();
  return {
    fired: changes.filter((c) => c.event === 'fired').length,
    escalated: changes.filter((c) => c.event === 'escalated').length,
    resolved: changes.filter((c) => c.event === 'resolved').length,
    rollbacksRequested: rollbacks.filter((r) => r.requested).length,
    notificationsDelivered: deliveries.filter((d) => d.status === 'fulfilled' && d.value.status === 'delivered').length,
    notificationsFailed: deliveries.filter((d) => d.status === 'rejected').length,
    samplesDeleted: deleted,
  };
}
