import { ParentClosePolicy, defineQuery, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createValidationActivities } from '../activities/validation-activities';
import type { DataSource } from '../domain/connection';
import type { QualityLevel } from '../domain/data-quality-score';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { dataValidationWorkflowId } from '../domain/workflow-ids';
import { forEachBounded } from './bounded-fan-out';
import { validationWorkflow } from './data-validation';

type ValidationActivities = ReturnType<typeof createValidationActivities>;

export interface ValidateAllInput {
  /** One org's connections; every org's when absent (the daily Schedule). */
  orgId?: string;
  /** Only these connections of the org. */
  connectionIds?: string[];
  /** Validations running at once. */
  concurrency: number;
  /** Which rows every validation judges; absent (the daily Schedule): each connection's serving source. */
  source?: DataSource;
}

export interface ValidateAllResult {
  total: number;
  validated: number;
  failed: number;
  running: number;
  results: {
    connectionId: string;
    platform: string;
    workflowId: string;
    source: DataSource | null;
    reportId: string | null;
    score: number | null;
    level: QualityLevel | null;
    error: string | null;
  }[];
}

export const validateAllProgressQuery = defineQuery<ValidateAllResult>('progress');

const LISTING: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } };
const listing = proxyActivities<ValidationActivities>(LISTING);

/** Validates many connections with a bounded fan-out: at most `concurrency` child validations at once. */
export async function validateAllWorkflow(input: ValidateAllInput): Promise<ValidateAllResult> {
  const targets = await listing.listValidationTargets({ orgId: input.orgId, connectionIds: input.connectionIds });
  const progress: ValidateAllResult = { total: targets.length, validated: 0, failed: 0, running: 0, results: [] };
  setHandler(validateAllProgressQuery, () => progress);
  const { runId } = workflowInfo();

  await forEachBounded(targets, input.concurrency, async (next) => {
    const workflowId = dataValidationWorkflowId(next.connectionId, runId);
    const child = await startChild(validationWorkflow, {
      workflowId,
      args: [{ connectionId: next.connectionId, orgId: next.orgId, platform: next.platform, ...(input.source ? { source: input.source } : {}) }],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: connectionSearchAttributes({ orgId: next.orgId, platform: next.platform, connectionId: next.connectionId }),
    });
    progress.running++;
    try {
      const report = await child.result();
      progress.validated++;
      progress.results.push({
        connectionId: next.connectionId,
        platform: next.platform,
        workflowId,
        source: report.source ?? null,
        reportId: report.reportId,
        score: report.score,
        level: report.level,
        error: null,
      });
    } catch (err) {
      progress.failed++;
      progress.results.push({
        connectionId: next.connectionId,
        platform: next.platform,
        workflowId,
        source: input.source ?? null,
        reportId: null,
        score: null,
        level: null,
        error: err instanceof Error ? err.message : String(err),
      });
    } finally {
      progress.running--;
    }
  });
  return progress;
}
