import type { DataSource } from './connection';
import type { ConnectionHealth } from './connection-health';
import type { PlatformId, StreamKind } from './platforms';

/**
 * The vocabulary of live integration testing (issue #5): the suite's components, its checks, their
 * verdicts and the report `integrationTestSuiteWorkflow` returns and stores. Workflow-safe data only.
 */

export const INTEGRATION_COMPONENTS = ['connection', 'quality', 'health', 'hybrid'] as const;
export type IntegrationComponent = (typeof INTEGRATION_COMPONENTS)[number];

/** Every check, in report order, with the component that runs it. */
export const INTEGRATION_CHECKS = {
  api_connectivity: 'connection',
  authentication: 'connection',
  data_retrieval: 'connection',
  response_time: 'connection',
  throughput: 'connection',
  rate_limits: 'connection',
  quality_validation: 'quality',
  availability: 'health',
  error_rate: 'health',
  last_successful_sync: 'health',
  mode_switching: 'hybrid',
  live_fallback: 'hybrid',
  quality_threshold_switching: 'hybrid',
  cross_mode_consistency: 'hybrid',
  hybrid_read: 'hybrid',
} as const satisfies Record<string, IntegrationComponent>;
export type IntegrationCheckId = keyof typeof INTEGRATION_CHECKS;

/** `skipped`: the check could not be judged (its cause is reported by another check, or nothing to judge). Not a failure. */
export type CheckStatus = 'passed' | 'failed' | 'skipped';

/**
 * Why a check failed, in the terms of the fault behind it: a connector's failure kind (`auth`,
 * `rate_limited`, `transient`, `malformed`), `network` (no HTTP answer), or what a measurement showed.
 */
export type CheckFailureKind =
  | 'auth'
  | 'rate_limited'
  | 'transient'
  | 'network'
  | 'malformed'
  | 'empty'
  | 'slow'
  | 'low_throughput'
  | 'quality'
  | 'stale'
  | 'inconsistent'
  | 'switching'
  | 'error';

export type Measurements = Record<string, number | string | boolean | null>;

export interface IntegrationCheck {
  id: IntegrationCheckId;
  component: IntegrationComponent;
  status: CheckStatus;
  message: string;
  failureKind: CheckFailureKind | null;
  /** Wall time the check's platform calls took (0 for checks over other checks' calls). */
  durationMs: number;
  measurements: Measurements;
  /** What to do about a failure; null when passed or skipped. */
  recommendation: string | null;
}

/** Pass/fail thresholds of the measured checks; a suite request may override any of them. */
export interface IntegrationThresholds {
  /** The slowest answered request (p95 over the suite's requests) may take this long. */
  maxResponseMs: number;
  minRecordsPerSecond: number;
  /** Share of probe requests the platform must answer without a 5xx or a network failure. */
  minAvailability: number;
  /** Share of failed requests and syncs (server errors, unreadable answers) tolerated. */
  maxErrorRate: number;
  /** Score (0-100, share of retrieved records without a quality violation) the data must reach. */
  minQualityScore: number;
  /** A connection that syncs must have succeeded within this many hours. */
  staleSyncHours: number;
}

export const DEFAULT_INTEGRATION_THRESHOLDS: IntegrationThresholds = {
  maxResponseMs: 2_000,
  minRecordsPerSecond: 5,
  minAvailability: 0.9,
  maxErrorRate: 0.1,
  minQualityScore: 95,
  staleSyncHours: 48,
};

/** One component's outcome, as its activity returns it. */
export interface ComponentResult {
  component: IntegrationComponent;
  checks: IntegrationCheck[];
  durationMs: number;
}

/** What the suite tested: the live platform when the connection can reach it, else its mock source. */
export interface IntegrationTarget {
  source: DataSource;
  /** Why the mock source is tested instead of live; null when live is. */
  reason: string | null;
  streams: StreamKind[];
  window: { startDate: string; endDate: string };
}

export interface IntegrationTestReport {
  /** Null until stored. */
  reportId: string | null;
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  workflowId: string;
  target: IntegrationTarget;
  components: IntegrationComponent[];
  status: 'passed' | 'failed';
  checksPassed: number;
  checksFailed: number;
  checksSkipped: number;
  failedChecks: IntegrationCheckId[];
  checks: IntegrationCheck[];
  /** The health assessment, when the health component ran. */
  health: ConnectionHealth | null;
  recommendations: string[];
  durationMs: number;
  testedAt: string | null;
}

/** The report of the components' results: counts, overall status, checks in catalogue order, recommendations of the failures. */
export function summariseIntegrationTest(input: {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  workflowId: string;
  target: IntegrationTarget;
  results: readonly ComponentResult[];
  health: ConnectionHealth | null;
}): IntegrationTestReport {
  const order = Object.keys(INTEGRATION_CHECKS);
  const checks = input.results.flatMap((r) => r.checks).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const failed = checks.filter((c) => c.status === 'failed');
  const recommendations = [...new Set(failed.map((c) => c.recommendation).filter((r): r is string => r !== null))];
  return {
    reportId: null,
    connectionId: input.connectionId,
    orgId: input.orgId,
    platform: input.platform,
    workflowId: input.workflowId,
    target: input.target,
    components: input.results.map((r) => r.component),
    status: failed.length === 0 ? 'passed' : 'failed',
    checksPassed: checks.filter((c) => c.status === 'passed').length,
    checksFailed: failed.length,
    checksSkipped: checks.filter((c) => c.status === 'skipped').length,
    failedChecks: failed.map((c) => c.id),
    checks,
    health: input.health,
    recommendations,
    durationMs: input.results.reduce((sum, r) => sum + r.durationMs, 0),
    testedAt: null,
  };
}
