import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createIntegrationTestActivities } from '../activities/integration-test-activities';
import type { ConnectionHealth } from '../domain/connection-health';
import { NON_RETRYABLE_FAILURES } from '../domain/errors';
import {
  type ComponentResult,
  DEFAULT_INTEGRATION_THRESHOLDS,
  INTEGRATION_COMPONENTS,
  type IntegrationComponent,
  type IntegrationTestReport,
  type IntegrationThresholds,
  summariseIntegrationTest,
} from '../domain/integration-test-report';
import type { PlatformId } from '../domain/platforms';
import type { DateWindow } from '../domain/sync';

type IntegrationTestActivities = ReturnType<typeof createIntegrationTestActivities>;

export interface IntegrationTestSuiteInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  /** The components to run; all of them when absent. `quality` needs `connection` (it validates the records retrieved there). */
  components?: IntegrationComponent[];
  thresholds?: Partial<IntegrationThresholds>;
  /** The data window read; the last 7 complete days when absent. */
  window?: DateWindow;
}

export interface IntegrationTestProgress {
  components: IntegrationComponent[];
  done: IntegrationComponent[];
  running: IntegrationComponent | null;
}

export const integrationTestProgressQuery = defineQuery<IntegrationTestProgress>('progress');

/**
 * The components measure the platform: a fault is a finding, not an activity failure, so a retry is
 * only for the worker's own trouble (a lost database connection), and the suite's requests stay few.
 */
const MEASURING: ActivityOptions = {
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', maximumAttempts: 2, nonRetryableErrorTypes: NON_RETRYABLE_FAILURES },
};
const STORING: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_FAILURES } };

const measuring = proxyActivities<IntegrationTestActivities>(MEASURING);
const storing = proxyActivities<IntegrationTestActivities>(STORING);

/**
 * Runs a connection's integration test suite: connection tests, quality validation on the retrieved
 * data, health assessment and hybrid data testing; stores the report (integration_test_reports) and
 * returns it with pass/fail per check, timings and recommendations.
 */
export async function integrationTestSuiteWorkflow(input: IntegrationTestSuiteInput): Promise<IntegrationTestReport> {
  const { workflowId, runId } = workflowInfo();
  const wanted = new Set(input.components ?? INTEGRATION_COMPONENTS);
  if (wanted.has('quality')) wanted.add('connection');
  const components = INTEGRATION_COMPONENTS.filter((c) => wanted.has(c));
  const progress: IntegrationTestProgress = { components, done: [], running: null };
  setHandler(integrationTestProgressQuery, () => progress);
  const thresholds: IntegrationThresholds = { ...DEFAULT_INTEGRATION_THRESHOLDS, ...input.thresholds };

  const target = await measuring.prepareIntegrationTest({ connectionId: input.connectionId, window: input.window });
  const base = { connectionId: input.connectionId, target, thresholds };
  const results: ComponentResult[] = [];
  const step = async <T>(component: IntegrationComponent, run: () => Promise<T>): Promise<T> => {
    progress.running = component;
    const value = await run();
    progress.running = null;
    return value;
  };

  let qualityScore: number | null = null;
  if (wanted.has('connection')) {
    const outcome = await step('connection', () => measuring.runConnectionChecks({ ...base, withQuality: wanted.has('quality') }));
    results.push(outcome.connection);
    progress.done.push('connection');
    if (outcome.quality) {
      results.push(outcome.quality);
      progress.done.push('quality');
    }
    qualityScore = outcome.qualityScore;
  }
  let health: ConnectionHealth | null = null;
  if (wanted.has('health')) {
    const outcome = await step('health', () => measuring.runHealthAssessment({ ...base, qualityScore }));
    results.push(outcome.result);
    health = outcome.health;
    progress.done.push('health');
  }
  if (wanted.has('hybrid')) {
    results.push(await step('hybrid', () => measuring.runHybridDataChecks(base)));
    progress.done.push('hybrid');
  }

  const report = summariseIntegrationTest({
    connectionId: input.connectionId,
    orgId: input.orgId,
    platform: input.platform,
    workflowId,
    target,
    results,
    health,
  });
  return storing.storeIntegrationTestReport({ report, runId });
}
