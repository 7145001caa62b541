import { type MetricAggregate, ROLLOUT_ERROR_RATIO_METRIC } from './metric-sample';

/** Alert vocabulary: severities in rising order, and the types of the seed. */
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_TYPES = ['performance', 'error_rate', 'data_quality', 'connection_failure', 'security', 'capacity', 'anomaly'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const ALERT_STATUSES = ['firing', 'escalated', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

/**
 * What a rule measures. Each signal yields observations, one per group (an org's platform, a
 * connection, a label set of a metric), read by the alert evaluation activity.
 */
export type AlertSignal =
  /** failed / finished syncs per org and platform in the window; groups with fewer than minSyncs finished syncs are skipped. */
  | { kind: 'sync_error_rate'; minSyncs: number }
  /** 95th percentile of finished syncs' wall time (seconds) per org and platform in the window. */
  | { kind: 'sync_duration_p95' }
  /** the latest validation score per connection, among reports of the window. */
  | { kind: 'validation_score' }
  /** failed syncs in a row (newest first, up to the first success) per connection, among syncs of the window. */
  | { kind: 'sync_failure_streak' }
  /** permission denials (audit `permission.denied`) per org in the window. */
  | { kind: 'permission_denials' }
  /** records written by a connection's latest completed sync over the median of its previous completed syncs in the window. */
  | { kind: 'sync_volume_ratio'; minBaselineSyncs: number }
  /**
   * a metric's samples in the window, aggregated per org and label set: a custom metric's
   * (liftos_custom_*) are the orgs' samples, any other name's are the service's own (no org).
   */
  | { kind: 'metric'; metric: string; aggregate: MetricAggregate };

export interface AlertRule {
  id: string;
  name: string;
  type: AlertType;
  severity: AlertSeverity;
  signal: AlertSignal;
  windowSeconds: number;
  /** The condition holds when the observed value is above (>) or below (<) the threshold. */
  comparator: 'above' | 'below';
  threshold: number;
  /** Severity rises to `severity` once the alert has held for `afterSeconds` (steps in rising order). */
  escalation: Array<{ afterSeconds: number; severity: AlertSeverity }>;
  description: string;
}

const MINUTE = 60;
const HOUR = 3600;

/** Conditions the `alert-evaluation` Schedule checks; ops/prometheus/alerts.yml mirrors them on the exported metrics. */
export const ALERT_RULES: readonly AlertRule[] = [
  {
    id: 'sync_error_rate_high',
    name: 'Sync error rate high',
    type: 'error_rate',
    severity: 'high',
    signal: { kind: 'sync_error_rate', minSyncs: 4 },
    windowSeconds: HOUR,
    comparator: 'above',
    threshold: 0.25,
    escalation: [{ afterSeconds: HOUR, severity: 'critical' }],
    description: "More than 25 % of an org's finished syncs of a platform failed in the last hour (at least 4 syncs).",
  },
  {
    id: 'sync_duration_slow',
    name: 'Syncs slow',
    type: 'performance',
    severity: 'medium',
    signal: { kind: 'sync_duration_p95' },
    windowSeconds: HOUR,
    comparator: 'above',
    threshold: 600,
    escalation: [{ afterSeconds: 2 * HOUR, severity: 'high' }],
    description: "The 95th percentile of a platform's sync durations in the last hour exceeds 10 minutes.",
  },
  {
    id: 'data_quality_low',
    name: 'Data quality low',
    type: 'data_quality',
    severity: 'medium',
    signal: { kind: 'validation_score' },
    windowSeconds: 36 * HOUR,
    comparator: 'below',
    threshold: 60,
    escalation: [{ afterSeconds: 24 * HOUR, severity: 'high' }],
    description: "A connection's latest data validation score (within 36 h) is below 60 (Poor or Critical).",
  },
  {
    id: 'connection_sync_failing',
    name: 'Connection failing',
    type: 'connection_failure',
    severity: 'high',
    signal: { kind: 'sync_failure_streak' },
    windowSeconds: 24 * HOUR,
    comparator: 'above',
    threshold: 2,
    escalation: [{ afterSeconds: 6 * HOUR, severity: 'critical' }],
    description: "A connection's last 3 or more syncs (within 24 h) failed in a row.",
  },
  {
    id: 'permission_denials_burst',
    name: 'Permission denials',
    type: 'security',
    severity: 'high',
    signal: { kind: 'permission_denials' },
    windowSeconds: 15 * MINUTE,
    comparator: 'above',
    threshold: 19,
    escalation: [{ afterSeconds: 30 * MINUTE, severity: 'critical' }],
    description: '20 or more requests of an org were denied by the access policy in 15 minutes.',
  },
  {
    id: 'process_memory_high',
    name: 'Process memory high',
    type: 'capacity',
    severity: 'high',
    signal: { kind: 'metric', metric: 'process_resident_memory_bytes', aggregate: 'max' },
    windowSeconds: 10 * MINUTE,
    comparator: 'above',
    threshold: 1.5 * 1024 ** 3,
    escalation: [{ afterSeconds: 30 * MINUTE, severity: 'critical' }],
    description: 'A service process (API or worker) used more than 1.5 GiB of resident memory in the last 10 minutes.',
  },
  {
    id: 'sync_volume_drop',
    name: 'Sync volume dropped',
    type: 'anomaly',
    severity: 'medium',
    signal: { kind: 'sync_volume_ratio', minBaselineSyncs: 3 },
    windowSeconds: 7 * 24 * HOUR,
    comparator: 'below',
    threshold: 0.1,
    escalation: [],
    description: "A connection's latest completed sync wrote less than 10 % of the median of its previous syncs (7 days, at least 3).",
  },
  {
    id: 'rollout_error_rate_critical',
    name: 'Rollout error rate',
    type: 'error_rate',
    severity: 'critical',
    signal: { kind: 'metric', metric: ROLLOUT_ERROR_RATIO_METRIC, aggregate: 'avg' },
    windowSeconds: 5 * MINUTE,
    comparator: 'above',
    threshold: 0.05,
    escalation: [],
    description:
      "The error ratio an org recorded for its rollout's scope (the custom gauge liftos_custom_rollout_error_ratio labelled rollout_id), averaged over the last 5 minutes, is above 5 %: that rollout of the same org is rolled back.",
  },
];

export function alertRuleById(id: string): AlertRule | undefined {
  return ALERT_RULES.find((r) => r.id === id);
}
