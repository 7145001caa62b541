import { z } from 'zod';
import { HEALTH_STATUSES } from '../../domain/connection-health';
import type { CheckFailureKind, CheckStatus, IntegrationCheckId } from '../../domain/integration-test-report';
import { INTEGRATION_CHECKS, INTEGRATION_COMPONENTS } from '../../domain/integration-test-report';
import { Count, DataModeName, DateWindowView, MetricRecordView, PlatformName, SourceName, StreamName, Timestamp } from '../response-schemas';

/** The answers of the live integration routes (api/routes/live-integration.ts). */

const CheckId = z.enum(Object.keys(INTEGRATION_CHECKS) as [IntegrationCheckId, ...IntegrationCheckId[]]);
const Component = z.enum(INTEGRATION_COMPONENTS);
const HealthStatus = z.enum(HEALTH_STATUSES);
const CHECK_STATUSES = ['passed', 'failed', 'skipped'] as const satisfies readonly CheckStatus[];
const FAILURE_KINDS = [
  'auth',
  'rate_limited',
  'transient',
  'network',
  'malformed',
  'empty',
  'slow',
  'low_throughput',
  'quality',
  'stale',
  'inconsistent',
  'switching',
  'error',
] as const satisfies readonly CheckFailureKind[];

/** A connection's health (api/presenters/integration-test-report.ts): its status and why. */
export const ConnectionHealthView = z
  .object({
    status: HealthStatus,
    reasons: z.array(z.string()),
    syncs_considered: Count,
    failed_syncs: Count,
    error_count: Count,
    error_rate: z.number().min(0).max(1).nullable(),
    last_error: z.string().nullable(),
    last_successful_sync_at: Timestamp.nullable(),
    quality_score: z.number().nullable(),
    probe: z.object({ requests: Count, availability: z.number().min(0).max(1), auth_failed: z.boolean(), rate_limited: z.boolean() }).nullable(),
  })
  .meta({ id: 'ConnectionHealth' });
export type ConnectionHealthView = z.infer<typeof ConnectionHealthView>;

/** An integration test suite's report: what it tested, each check with its measurements, the health it found. */
export const IntegrationTestReportView = z
  .object({
    report_id: z.string().nullable(),
    connection_id: z.string(),
    platform: PlatformName,
    workflow_id: z.string(),
    tested_at: Timestamp.nullable(),
    status: z.enum(['passed', 'failed']),
    target: z.object({ source: SourceName, reason: z.string().nullable(), streams: z.array(StreamName), window: DateWindowView }),
    components: z.array(Component),
    checks_passed: Count,
    checks_failed: Count,
    checks_skipped: Count,
    failed_checks: z.array(CheckId),
    duration_ms: z.number().nonnegative(),
    checks: z.array(
      z.object({
        id: CheckId,
        component: Component,
        status: z.enum(CHECK_STATUSES),
        message: z.string(),
        failure_kind: z.enum(FAILURE_KINDS).nullable(),
        duration_ms: z.number().nonnegative(),
        measurements: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
        recommendation: z.string().nullable(),
      }),
    ),
    health: ConnectionHealthView.nullable(),
    recommendations: z.array(z.string()),
  })
  .meta({ id: 'IntegrationTestReport' });
export type IntegrationTestReportView = z.infer<typeof IntegrationTestReportView>;

/** The suites of the org's connections, run as child workflows. */
export const TestAllResponse = z.object({
  workflow_id: z.string().nullable(),
  status: z.literal('completed'),
  total: Count,
  passed: Count,
  failed: Count,
  errored: Count,
  results: z.array(
    z.object({
      connection_id: z.string(),
      platform: PlatformName,
      workflow_id: z.string(),
      report_id: z.string().nullable(),
      status: z.enum(['passed', 'failed', 'error']),
      failed_checks: z.array(CheckId),
      health_status: HealthStatus.nullable(),
      duration_ms: z.number().nonnegative().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

/** A page of the org's connections, newest first; `next_offset` is null on the last. */
const ConnectionsPage = z.object({ limit: Count, offset: Count, total: Count, next_offset: Count.nullable() });

export const HealthStatusResponse = z.object({
  summary: z.object({ connections: Count, healthy: Count, degraded: Count, unhealthy: Count }),
  connections: z.array(
    ConnectionHealthView.extend({
      connection_id: z.string(),
      platform: PlatformName,
      display_name: z.string(),
      data_mode: DataModeName,
      last_tested_at: Timestamp.nullable(),
    }),
  ),
  page: ConnectionsPage,
});

/** Records read in hybrid mode: live, or mock when live failed or its data failed the page gate (`fallback_reason`). */
export const HybridDataResponse = z.object({
  connection_id: z.string(),
  platform: PlatformName,
  stream: StreamName,
  mode: z.literal('hybrid'),
  source: SourceName,
  fallback_reason: z.string().nullable(),
  window: DateWindowView,
  records: z.array(MetricRecordView),
  more: z.boolean(),
});

export const IntegrationStatusResponse = z.object({
  summary: z.object({ connections: Count, tested: Count, passed: Count, failed: Count, never_tested: Count }),
  connections: z.array(
    z.object({ connection_id: z.string(), platform: PlatformName, display_name: z.string(), latest_report: IntegrationTestReportView.nullable() }),
  ),
});

export const DataModesResponse = z.object({
  modes: z.array(z.object({ mode: DataModeName, description: z.string() })),
  connections: z.array(
    z.object({
      connection_id: z.string(),
      platform: PlatformName,
      display_name: z.string(),
      data_mode: DataModeName,
      effective_source: SourceName,
      reason: z.string().nullable(),
    }),
  ),
  page: ConnectionsPage,
});
