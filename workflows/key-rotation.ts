import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { createKeyRotationActivities } from '../activities/key-rotation-activities';
import type { SyncRequester } from '../domain/sync';

type KeyRotationActivities = ReturnType<typeof createKeyRotationActivities>;

export interface KeyRotationProgress {
  status: 'running' | 'completed';
  targetVersion: string | null;
  batches: number;
  rewrapped: number;
  failedIds: string[];
  lastId: string | null;
}

export interface KeyRotationInput {
  /** orgId: null when a deployment operator asked (rotation spans every org). */
  requestedBy: SyncRequester & { orgId: string | null };
  batchSize?: number;
  /** Carried across continue-as-new. */
  progress?: KeyRotationProgress;
}

export const keyRotationProgressQuery = defineQuery<KeyRotationProgress>('progress');

/** One batch is a short transaction; a worker lost mid-batch is noticed within seconds. */
const BATCH: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
const BOOKKEEPING: ActivityOptions = { startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } };

const batches = proxyActivities<KeyRotationActivities>(BATCH);
const bookkeeping = proxyActivities<KeyRotationActivities>(BOOKKEEPING);

const DEFAULT_BATCH_SIZE = 100;
/** Keeps the history short on very large tables. */
const BATCHES_PER_RUN = 500;

/**
 * Re-wraps every connection's data key under the keyring's current master key, batch by batch.
 * When it completes with no failures, the old master key can leave the keyring.
 */
export async function keyRotationWorkflow(input: KeyRotationInput): Promise<KeyRotationProgress> {
  const progress: KeyRotationProgress = input.progress ?? { status: 'running', targetVersion: null, batches: 0, rewrapped: 0, failedIds: [], lastId: null };
  setHandler(keyRotationProgressQuery, () => progress);
  if (!input.progress) await bookkeeping.recordKeyRotation({ requestedBy: input.requestedBy, phase: 'start', details: {} });

  for (let i = 0; i < BATCHES_PER_RUN; i++) {
    const batch = await batches.rotateKeyBatch({ afterId: progress.lastId, batchSize: input.batchSize ?? DEFAULT_BATCH_SIZE });
    progress.targetVersion = batch.targetVersion;
    progress.batches += 1;
    progress.rewrapped += batch.rewrapped;
    progress.failedIds.push(...batch.failedIds);
    progress.lastId = batch.lastId;
    if (batch.done) {
      progress.status = 'completed';
      await bookkeeping.recordKeyRotation({
        requestedBy: input.requestedBy,
        phase: 'end',
        details: { target_version: progress.targetVersion, rewrapped: progress.rewrapped, failed: progress.failedIds.length },
      });
      return progress;
    }
  }
  return continueAsNew<typeof keyRotationWorkflow>({ ...input, progress });
}
