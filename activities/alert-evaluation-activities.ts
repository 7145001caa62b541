import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { observeAlertSignal } from '../db/monitoring/alert-signals';
import {
  type AlertChange,
  applyAlertPlan,
  countOpenAlertsByTypeAndSeverity,
  findAlertById,
  listOpenAlertsOfRule,
  markRollbackRequested,
} from '../db/repositories/alerts';
import { deleteMetricSamplesBefore } from '../db/repositories/metric-samples';
import { findRollout } from '../db/repositories/rollouts';
import type { AlertRow, Database } from '../db/schema';
import { planAlertChanges } from '../domain/alert-evaluation';
import { ALERT_RULES, type AlertRule, type AlertSeverity } from '../domain/alert-rules';
import { AlertFailureType } from '../domain/errors';
import type { RollbackTrigger } from '../domain/rollout';
import type { AlertMetrics } from '../observability/alert-metrics';
import { signWebhookBody, WEBHOOK_DELIVERY_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from '../observability/alert-webhook';

/** What an alert's rollback carries: the rollout, the org that owns both, and the alert that asked. */
export interface AlertRollbackRequest {
  rolloutId: string;
  orgId: string;
  trigger: Extract<RollbackTrigger, { kind: 'alert' }>;
  reason: string;
}

/**
 * Rolls a rollout back; the production implementation signals its workflow (workflow-clients/rollout.ts).
 * Answers whether it signalled: a rollout that does not run, or runs for another org, is not signalled.
 */
export interface RolloutRollbacks {
  requestRollback(input: AlertRollbackRequest): Promise<{ signalled: boolean }>;
}

export interface AlertEvaluationActivityDeps {
  db: Kysely<Database>;
  rollbacks: RolloutRollbacks;
  /** Where alert changes are posted (no URL: not sent) and the HMAC key that signs them. */
  webhook: { url: string | undefined; secret: string | undefined; timeoutMs?: number };
  /** Metric samples older than this are deleted at each evaluation. */
  retentionDays: number;
  metrics?: AlertMetrics;
  rules?: readonly AlertRule[];
  now?: () => Date;
}

/** One change of the evaluation as the workflow carries it: ids only, no alert contents in history. */
export interface AlertChangeRef {
  alertId: string;
  event: AlertChange['event'];
  severity: AlertSeverity;
}

export interface AlertEvaluationResult {
  changes: AlertChangeRef[];
  /** Alerts that became critical on a rollout's scope (label rollout_id): their rollouts roll back. */
  rollbackAlertIds: string[];
}

function webhookBody(alert: AlertRow, event: AlertChange['event'], sentAt: Date) {
  return {
    event,
    sent_at: sentAt.toISOString(),
    alert: {
      id: alert.id,
      rule_id: alert.rule_id,
      org_id: alert.org_id,
      type: alert.type,
      severity: alert.severity,
      status: alert.status,
      summary: alert.summary,
      labels: alert.labels,
      value: alert.value,
      threshold: alert.threshold,
      started_at: alert.started_at.toISOString(),
      escalated_at: alert.escalated_at?.toISOString() ?? null,
      resolved_at: alert.resolved_at?.toISOString() ?? null,
    },
  };
}

export function createAlertEvaluationActivities(deps: AlertEvaluationActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const rules = deps.rules ?? ALERT_RULES;
  return {
    /** Evaluates every rule over its window and applies the changes (fire, escalate, auto-resolve). */
    async evaluateAlertRules(): Promise<AlertEvaluationResult> {
      const at = now();
      const changes: AlertChange[] = [];
      deps.metrics?.signalWorst.reset();
      for (const rule of rules) {
        const observations = await observeAlertSignal(deps.db, rule.signal, { from: new Date(at.getTime() - rule.windowSeconds * 1000), to: at });
        if (deps.metrics) {
          const worst = new Map<string, number>();
          for (const o of observations) {
            const platform = o.labels.platform ?? '';
            const current = worst.get(platform);
            if (current === undefined || (rule.comparator === 'above' ? o.value > current : o.value < current)) worst.set(platform, o.value);
          }
          for (const [platform, value] of worst) deps.metrics.signalWorst.set({ rule_id: rule.id, platform }, value);
        }
        const open = await listOpenAlertsOfRule(deps.db, rule.id);
        changes.push(...(await applyAlertPlan(deps.db, rule, planAlertChanges({ rule, observations, open, now: at }), at)));
      }
      if (deps.metrics) {
        deps.metrics.alertsOpen.reset();
        for (const r of await countOpenAlertsByTypeAndSeverity(deps.db)) deps.metrics.alertsOpen.set({ type: r.type, severity: r.severity }, r.count);
      }
      return {
        changes: changes.map((c) => ({ alertId: c.alertId, event: c.event, severity: c.severity })),
        rollbackAlertIds: changes.filter((c) => c.event !== 'resolved' && c.severity === 'critical' && c.labels.rollout_id).map((c) => c.alertId),
      };
    },

    /**
     * Asks the alert's rollout to roll back, once per alert, and only a rollout of the alert's own org:
     * labels are whatever the org recorded, so a `rollout_id` naming another org's rollout (or none) is refused.
     */
    async requestAlertRollback(input: { alertId: string }): Promise<{ requested: boolean; refused?: 'not_the_alert_org_rollout' }> {
      const alert = await findAlertById(deps.db, input.alertId);
      const rolloutId = alert?.labels.rollout_id;
      if (!alert || !rolloutId || alert.severity !== 'critical' || alert.rollback_requested_at) return { requested: false };
      const rollout = alert.org_id && z.uuid().safeParse(rolloutId).success ? await findRollout(deps.db, alert.org_id, rolloutId) : undefined;
      if (!rollout || !alert.org_id) return { requested: false, refused: 'not_the_alert_org_rollout' };
      const { signalled } = await deps.rollbacks.requestRollback({
        rolloutId: rollout.id,
        orgId: alert.org_id,
        trigger: { kind: 'alert', alertId: alert.id, ruleId: alert.rule_id },
        reason: `critical alert ${alert.rule_id} (${alert.id}): ${alert.summary}`,
      });
      await markRollbackRequested(deps.db, alert.id, now());
      return { requested: signalled };
    },

    /** Posts one alert change to the webhook, signed; 5xx, 408, 429 and network errors are retried by Temporal. */
    async notifyAlertChange(input: AlertChangeRef): Promise<{ status: 'skipped' | 'delivered' }> {
      const { url, secret } = deps.webhook;
      if (!url || !secret) return { status: 'skipped' };
      const alert = await findAlertById(deps.db, input.alertId);
      if (!alert) return { status: 'skipped' };
      const sentAt = now();
      const body = JSON.stringify(webhookBody(alert, input.event, sentAt));
      let status: number;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, secret),
            [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(sentAt.getTime() / 1000)),
            // The same change gets the same delivery id on every attempt: receivers deduplicate by it.
            [WEBHOOK_DELIVERY_HEADER]: `${input.alertId}:${input.event}:${input.severity}`,
          },
          body,
          signal: AbortSignal.timeout(deps.webhook.timeoutMs ?? 10_000),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw ApplicationFailure.create({ type: AlertFailureType.WebhookUnavailable, message: `Alert webhook not reached: ${reason}` });
      }
      if (status >= 200 && status < 300) return { status: 'delivered' };
      const retryable = status === 408 || status === 429 || status >= 500;
      throw ApplicationFailure.create({
        type: retryable ? AlertFailureType.WebhookUnavailable : AlertFailureType.WebhookRejected,
        message: `Alert webhook answered HTTP ${status}`,
        nonRetryable: !retryable,
      });
    },

    /** Retention of the metric time series. */
    async purgeMetricSamples(): Promise<{ deleted: number }> {
      return { deleted: await deleteMetricSamplesBefore(deps.db, new Date(now().getTime() - deps.retentionDays * 86_400_000)) };
    },
  };
}

export type AlertEvaluationActivities = ReturnType<typeof createAlertEvaluationActivities>;
