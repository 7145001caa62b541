import { type AlertRule, type AlertSeverity, type AlertStatus, severityRank } from './alert-rules';
import { labelsKey, type MetricLabels } from './metric-sample';

/** One group's measured value of a rule's signal (an org's platform, a connection, a metric's label set). */
export interface AlertObservation {
  orgId: string | null;
  labels: MetricLabels;
  value: number;
}

/** An alert of the rule that is not resolved yet, as the evaluation needs it. */
export interface OpenAlert {
  id: string;
  fingerprint: string;
  severity: AlertSeverity;
  status: Exclude<AlertStatus, 'resolved'>;
  startedAt: Date;
}

export interface AlertToFire {
  fingerprint: string;
  orgId: string | null;
  labels: MetricLabels;
  value: number;
  severity: AlertSeverity;
  summary: string;
}

export interface AlertPlan {
  fire: AlertToFire[];
  /** Open alerts whose condition still holds: their latest value, and a higher severity once held long enough. */
  hold: Array<{ alertId: string; value: number; escalateTo: AlertSeverity | null }>;
  /** Open alerts whose condition cleared (or whose group is no longer observed): auto-resolved. */
  resolve: string[];
}

/** The identity of an alert: one open alert per rule, org and label set. */
export function alertFingerprint(ruleId: string, orgId: string | null, labels: MetricLabels): string {
  return `${ruleId}|${orgId ?? '*'}|${labelsKey(labels)}`;
}

export function conditionHolds(rule: AlertRule, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  return rule.comparator === 'above' ? value > rule.threshold : value < rule.threshold;
}

/** The severity an alert of the rule has after holding for `heldSeconds`: the highest escalation step reached. */
export function severityAfter(rule: AlertRule, heldSeconds: number): AlertSeverity {
  let severity = rule.severity;
  for (const step of rule.escalation) {
    if (heldSeconds >= step.afterSeconds && severityRank(step.severity) > severityRank(severity)) severity = step.severity;
  }
  return severity;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

export function alertSummary(rule: AlertRule, observation: AlertObservation): string {
  const scope = Object.entries(observation.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${rule.name}${scope ? ` (${scope})` : ''}: ${formatValue(observation.value)} ${rule.comparator === 'above' ? '>' : '<'} ${formatValue(rule.threshold)}`;
}

/**
 * Compares a rule's observations with its open alerts: a breach without an open alert fires one, a
 * breach with one holds it (escalating by how long it has held), an open alert without a breach resolves.
 */
export function planAlertChanges(input: { rule: AlertRule; observations: AlertObservation[]; open: OpenAlert[]; now: Date }): AlertPlan {
  const { rule, now } = input;
  const openByFingerprint = new Map(input.open.map((a) => [a.fingerprint, a]));
  const plan: AlertPlan = { fire: [], hold: [], resolve: [] };
  const breached = new Set<string>();
  for (const observation of input.observations) {
    if (!conditionHolds(rule, observation.value)) continue;
    const fingerprint = alertFingerprint(rule.id, observation.orgId, observation.labels);
    if (breached.has(fingerprint)) continue; // one observation per group; a duplicate is ignored
    breached.add(fingerprint);
    const open = openByFingerprint.get(fingerprint);
    if (!open) {
      plan.fire.push({
        fingerprint,
        orgId: observation.orgId,
        labels: observation.labels,
        value: observation.value,
        severity: rule.severity,
        summary: alertSummary(rule, observation),
      });
      continue;
    }
    const reached = severityAfter(rule, (now.getTime() - open.startedAt.getTime()) / 1000);
    plan.hold.push({ alertId: open.id, value: observation.value, escalateTo: severityRank(reached) > severityRank(open.severity) ? reached : null });
  }
  for (const open of input.open) if (!breached.has(open.fingerprint)) plan.resolve.push(open.id);
  return plan;
}
