import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createScheduleReconciliationActivities } from '../activities/schedule-reconciliation-activities';

type ScheduleReconciliationActivities = ReturnType<typeof createScheduleReconciliationActivities>;

export interface ScheduleReconciliationProgress {
  /** Connections first (missing, stale or wrongly paused Schedules), then Temporal's list (orphans). */
  phase: 'connections' | 'orphans';
  lastId: string | null;
  pageToken: string | null;
  checked: number;
  fixed: number;
  failed: number;
  orphansRemoved: number;
}

export interface ScheduleReconciliationInput {
  /** One org's connections and Schedules only (an operator repairing one org, or a test); every org's when absent. */
  orgId?: string;
  batchSize?: number;
  /** Batches before the run continues as new. */
  batchesPerRun?: number;
  /** Carried across continue-as-new. */
  progress?: ScheduleReconciliationProgress;
}

/** A batch makes up to `batchSize` Temporal calls; heartbeats notice a lost worker within a minute. */
const BATCH: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};
const batches = proxyActivities<ScheduleReconciliationActivities>(BATCH);

const DEFAULT_BATCH_SIZE = 200;
/** Keeps the history short on large fleets. */
const BATCHES_PER_RUN = 100;

/**
 * Run by the `connection-schedule-reconciliation` Schedule: brings every connection's sync Schedule
 * in line with Postgres (the truth), so writes that reached Postgres but not Temporal converge.
 */
export async function connectionScheduleReconciliationWorkflow(input: ScheduleReconciliationInput = {}): Promise<ScheduleReconciliationProgress> {
  const progress: ScheduleReconciliationProgress = input.progress ?? {
    phase: 'connections',
    lastId: null,
    pageToken: null,
    checked: 0,
    fixed: 0,
    failed: 0,
    orphansRemoved: 0,
  };
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  for (let i = 0; i < (input.batchesPerRun ?? BATCHES_PER_RUN); i++) {
    if (progress.phase === 'connections') {
      const batch = await batches.reconcileConnectionScheduleBatch({ afterId: progress.lastId, batchSize, orgId: input.orgId });
      progress.checked += batch.checked;
      progress.fixed += batch.fixed;
      progress.failed += batch.failed;
      progress.lastId = batch.lastId;
      if (batch.done) progress.phase = 'orphans';
    } else {
      const page = await batches.removeOrphanScheduleBatch({ pageToken: progress.pageToken, pageSize: batchSize, orgId: input.orgId });
      progress.orphansRemoved += page.removed;
      progress.failed += page.failed;
      progress.pageToken = page.nextPageToken;
      if (!page.nextPageToken) return progress;
    }
  }
  return continueAsNew<typeof connectionScheduleReconciliationWorkflow>({ ...input, progress });
}
