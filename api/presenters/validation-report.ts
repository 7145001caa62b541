import type { ValidationReport, ValidationReportSummary } from '../../domain/validation-report';
import type { RuleOutcome } from '../../domain/validation-rules';
import type { ValidationReportView, ValidationSummaryView } from '../routes/data-validation-schemas';

/** A validation report as the API shows it (snake_case). */
export function presentValidationReport(r: ValidationReport): ValidationReportView {
  const m = r.metrics;
  return {
    report_id: r.reportId,
    connection_id: r.connectionId,
    platform: r.platform,
    workflow_id: r.workflowId,
    source: r.source ?? null,
    as_of: r.asOf,
    validated_at: r.validatedAt,
    score: r.score,
    level: r.level,
    rules_applicable: r.rulesApplicable,
    rules_passed: r.rulesPassed,
    rules_failed: r.rulesFailed,
    row_count: r.rowCount,
    duration_ms: r.durationMs,
    rules: r.rules.map(presentRuleOutcome),
    metrics: {
      freshness: {
        latest_date: m.freshness.latestDate,
        earliest_date: m.freshness.earliestDate,
        span_days: m.freshness.spanDays,
        days_with_data: m.freshness.daysWithData,
        last_synced_at: m.freshness.lastSyncedAt,
        freshness_score: m.freshness.freshnessScore,
      },
      completeness: { fields: m.completeness.fields, overall: m.completeness.overall },
      consistency: {
        rows: m.consistency.rows,
        relationship_violations: m.consistency.relationshipViolations,
        range_violations: m.consistency.rangeViolations,
        anomalous_days: m.consistency.anomalousDays,
        consistency_score: m.consistency.consistencyScore,
      },
      reliability: {
        connection_status: m.reliability.connectionStatus,
        last_sync_at: m.reliability.lastSyncAt,
        last_sync_status: m.reliability.lastSyncStatus,
        sync_success_rate: m.reliability.syncSuccessRate,
        syncs_considered: m.reliability.syncsConsidered,
      },
    },
    recommendations: r.recommendations.map((rec) => ({
      rule_id: rec.ruleId,
      severity: rec.severity,
      priority: rec.priority,
      title: rec.title,
      actions: rec.actions,
    })),
  };
}

function presentRuleOutcome(o: RuleOutcome) {
  return {
    rule_id: o.ruleId,
    severity: o.severity,
    applicable: o.applicable,
    passed: o.passed,
    violations: o.violations,
    checked: o.checked,
    message: o.message,
    samples: o.samples.map((s) => ({ stream: s.stream ?? null, entity_id: s.entityId ?? null, date: s.date ?? null, detail: s.detail })),
  };
}

export function presentValidationSummary(s: ValidationReportSummary): ValidationSummaryView {
  return {
    report_id: s.reportId,
    connection_id: s.connectionId,
    platform: s.platform,
    workflow_id: s.workflowId,
    source: s.source ?? null,
    as_of: s.asOf,
    validated_at: s.validatedAt,
    score: s.score,
    level: s.level,
    rules_applicable: s.rulesApplicable,
    rules_passed: s.rulesPassed,
    rules_failed: s.rulesFailed,
    row_count: s.rowCount,
    failed_rules: s.failedRules,
    critical_failed: s.criticalFailed,
  };
}
