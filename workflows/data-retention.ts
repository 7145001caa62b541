import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { DataRetentionActivities, RetentionPurge } from '../activities/data-retention-activities';
import { type RetainedTable, RETENTION_BATCH_SIZE } from '../domain/data-retention';

/** One batch is one short delete: a minute is ample, and a retry deletes what the failed attempt did not. */
const BATCH: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};
const retention = proxyActivities<DataRetentionActivities>(BATCH);

const TABLES: readonly RetainedTable[] = ['marketing_metrics', 'marketing_metrics_mock_archive'];

export interface DataRetentionProgress {
  /** The purges still to do (the first one under way), with the cutoffs of the run that listed them. */
  purges: RetentionPurge[];
  /** What the first purge has deleted so far, per table. */
  deleted: Record<RetainedTable, number>;
}

export interface DataRetentionInput {
  batchSize?: number;
  /** Carried across continue-as-new. */
  progress?: DataRetentionProgress;
}

export interface DataRetentionResult {
  connections: number;
  rowsDeleted: number;
}

/**
 * Run daily by the `data-retention-daily` Schedule: for every connection with a retention, deletes
 * its rows dated before its cutoff, batch by batch (each batch its own transaction), then audits
 * how many it removed. A crash loses nothing: finished batches are in the history, and a batch
 * retried deletes only what is still expired. A long run continues as new with what is left.
 */
export async function dataRetentionWorkflow(input: DataRetentionInput = {}): Promise<DataRetentionResult> {
  const batchSize = input.batchSize ?? RETENTION_BATCH_SIZE;
  const purges = input.progress?.purges ?? (await retention.listRetentionPurges());
  let deleted = input.progress?.deleted ?? { marketing_metrics: 0, marketing_metrics_mock_archive: 0 };
  let rowsDeleted = 0;
  for (let i = 0; i < purges.length; i++) {
    const purge = purges[i]!;
    for (const table of TABLES) {
      for (;;) {
        const batch = await retention.deleteExpiredRows({ purge, table, batchSize });
        deleted = { ...deleted, [table]: deleted[table] + batch.deleted };
        rowsDeleted += batch.deleted;
        if (batch.deleted < batchSize) break;
        if (workflowInfo().continueAsNewSuggested)
          await continueAsNew<typeof dataRetentionWorkflow>({ batchSize, progress: { purges: purges.slice(i), deleted } });
      }
    }
    await retention.auditRetentionPurge({ purge, deleted });
    deleted = { marketing_metrics: 0, marketing_metrics_mock_archive: 0 };
  }
  return { connections: purges.length, rowsDeleted };
}
