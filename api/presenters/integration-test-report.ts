import type { ConnectionHealth } from '../../domain/connection-health';
import type { IntegrationCheck, IntegrationTestReport } from '../../domain/integration-test-report';
import type { ConnectionHealthView, IntegrationTestReportView } from '../routes/live-integration-schemas';

/** An integration test report as the API shows it (snake_case). */
export function presentIntegrationTestReport(r: IntegrationTestReport): IntegrationTestReportView {
  return {
    report_id: r.reportId,
    connection_id: r.connectionId,
    platform: r.platform,
    workflow_id: r.workflowId,
    tested_at: r.testedAt,
    status: r.status,
    target: {
      source: r.target.source,
      reason: r.target.reason,
      streams: r.target.streams,
      window: { start_date: r.target.window.startDate, end_date: r.target.window.endDate },
    },
    components: r.components,
    checks_passed: r.checksPassed,
    checks_failed: r.checksFailed,
    checks_skipped: r.checksSkipped,
    failed_checks: r.failedChecks,
    duration_ms: r.durationMs,
    checks: r.checks.map(presentCheck),
    health: r.health && presentHealth(r.health),
    recommendations: r.recommendations,
  };
}

function presentCheck(c: IntegrationCheck) {
  return {
    id: c.id,
    component: c.component,
    status: c.status,
    message: c.message,
    failure_kind: c.failureKind,
    duration_ms: c.durationMs,
    measurements: c.measurements,
    recommendation: c.recommendation,
  };
}

export function presentHealth(h: ConnectionHealth): ConnectionHealthView {
  return {
    status: h.status,
    reasons: h.reasons,
    syncs_considered: h.syncsConsidered,
    failed_syncs: h.failedSyncs,
    error_count: h.errorCount,
    error_rate: h.errorRate,
    last_error: h.lastError,
    last_successful_sync_at: h.lastSuccessfulSyncAt,
    quality_score: h.qualityScore,
    probe: h.probe && { requests: h.probe.requests, availability: h.probe.availability, auth_failed: h.probe.authFailed, rate_limited: h.probe.rateLimited },
  };
}
