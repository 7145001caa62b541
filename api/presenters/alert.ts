import type { AlertRow } from '../../db/schema';
import type { AlertView } from '../response-schemas';

export function presentAlert(alert: AlertRow): AlertView {
  return {
    id: alert.id,
    rule_id: alert.rule_id,
    type: alert.type,
    severity: alert.severity,
    initial_severity: alert.initial_severity,
    status: alert.status,
    summary: alert.summary,
    labels: alert.labels,
    value: alert.value,
    threshold: alert.threshold,
    scope: alert.org_id ? 'org' : 'deployment',
    started_at: alert.started_at.toISOString(),
    last_evaluated_at: alert.last_evaluated_at.toISOString(),
    escalated_at: alert.escalated_at?.toISOString() ?? null,
    resolved_at: alert.resolved_at?.toISOString() ?? null,
    resolved_by: alert.resolved_by,
    rollback_requested_at: alert.rollback_requested_at?.toISOString() ?? null,
  };
}
