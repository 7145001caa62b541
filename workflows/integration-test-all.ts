import { ParentClosePolicy, defineQuery, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createIntegrationTestActivities } from '../activities/integration-test-activities';
import type { HealthStatus } from '../domain/connection-health';
import type { IntegrationCheckId, IntegrationComponent, IntegrationThresholds } from '../domain/integration-test-report';
import type { PlatformId } from '../domain/platforms';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { integrationTestWorkflowId } from '../domain/workflow-ids';
import { forEachBounded } from './bounded-fan-out';
import { integrationTestSuiteWorkflow } from './integration-test-suite';

type IntegrationTestActivities = ReturnType<typeof createIntegrationTestActivities>;

export interface IntegrationTestAllInput {
  orgId: string;
  /** Only these connections of the org; every one that is not disabled when absent. */
  connectionIds?: string[];
  /** Suites running at once. */
  concurrency: number;
  components?: IntegrationComponent[];
  thresholds?: Partial<IntegrationThresholds>;
}

export interface IntegrationTestAllResult {
  total: number;
  passed: number;
  failed: number;
  /** Suites that could not run (the child workflow failed). */
  errored: number;
  running: number;
  results: {
    connectionId: string;
    platform: PlatformId;
    workflowId: string;
    reportId: string | null;
    status: 'passed' | 'failed' | 'error';
    failedChecks: IntegrationCheckId[];
    healthStatus: HealthStatus | null;
    durationMs: number | null;
    error: string | null;
  }[];
}

export const integrationTestAllProgressQuery = defineQuery<IntegrationTestAllResult>('progress');

const LISTING: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } };
const listing = proxyActivities<IntegrationTestActivities>(LISTING);

/** Tests every connection of an org with a bounded fan-out: at most `concurrency` child suites at once. */
export async function integrationTestAllWorkflow(input: IntegrationTestAllInput): Promise<IntegrationTestAllResult> {
  const targets = await listing.listIntegrationTestTargets({ orgId: input.orgId, connectionIds: input.connectionIds });
  const progress: IntegrationTestAllResult = { total: targets.length, passed: 0, failed: 0, errored: 0, running: 0, results: [] };
  setHandler(integrationTestAllProgressQuery, () => progress);
  const { runId } = workflowInfo();

  await forEachBounded(targets, input.concurrency, async (next) => {
    const workflowId = integrationTestWorkflowId(next.connectionId, runId);
    const child = await startChild(integrationTestSuiteWorkflow, {
      workflowId,
      args: [{ connectionId: next.connectionId, orgId: input.orgId, platform: next.platform, components: input.components, thresholds: input.thresholds }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: connectionSearchAttributes({ orgId: input.orgId, platform: next.platform, connectionId: next.connectionId }),
    });
    progress.running++;
    try {
      const report = await child.result();
      if (report.status === 'passed') progress.passed++;
      else progress.failed++;
      progress.results.push({
        connectionId: next.connectionId,
        platform: next.platform,
        workflowId,
        reportId: report.reportId,
        status: report.status,
        failedChecks: report.failedChecks,
        healthStatus: report.health?.status ?? null,
        durationMs: report.durationMs,
        error: null,
      });
    } catch (err) {
      progress.errored++;
      progress.results.push({
        connectionId: next.connectionId,
        platform: next.platform,
        workflowId,
        reportId: null,
        status: 'error',
        failedChecks: [],
        healthStatus: null,
        durationMs: null,
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      progress.running--;
    }
  });
  return progress;
}
