import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { SyncChunkResult, createSyncActivities } from '../activities/sync-activities';
import { NON_RETRYABLE_FAILURES } from '../domain/errors';
import type { PlatformId } from '../domain/platforms';
import type { DateWindow, SyncProgress, SyncRequester } from '../domain/sync';

type SyncActivities = ReturnType<typeof createSyncActivities>;

export interface ConnectionSyncInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  /** Backfill window; the last N days (worker setting) when absent. */
  window?: DateWindow;
  /** Recorded in the audit log with the sync's start and end. */
  requestedBy?: SyncRequester;
}

export interface ConnectionSyncResult {
  syncLogId: string;
  status: 'completed';
  pages: number;
  recordsFetched: number;
  recordsWritten: number;
}

export const progressQuery = defineQuery<SyncProgress>('progress');

/** Quick bookkeeping against Postgres. */
const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE_FAILURES },
};

/**
 * Paging through a platform. The heartbeat timeout detects a dead worker fast; retries back off
 * exponentially (a rate-limited failure carries the platform's own delay instead).
 */
const PAGING: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 8, nonRetryableErrorTypes: NON_RETRYABLE_FAILURES },
};

const bookkeeping = proxyActivities<SyncActivities>(BOOKKEEPING);
const paging = proxyActivities<SyncActivities>(PAGING);

/**
 * Syncs one connection: every stream of its platform, page by page, upserted into Postgres.
 * Cancelling the workflow stops it between pages and records the sync as cancelled.
 */
export async function connectionSyncWorkflow(input: ConnectionSyncInput): Promise<ConnectionSyncResult> {
  const progress: SyncProgress = {
    status: 'running',
    source: null,
    currentStream: null,
    streamsDone: [],
    pages: 0,
    recordsFetched: 0,
    recordsWritten: 0,
    cursor: null,
    error: null,
  };
  setHandler(progressQuery, () => progress);

  const plan = await bookkeeping.startSync({ connectionId: input.connectionId, window: input.window, requestedBy: input.requestedBy });
  progress.source = plan.source;

  try {
    for (const stream of plan.streams) {
      progress.currentStream = stream;
      progress.cursor = null;
      let done = false;
      while (!done) {
        const chunk: SyncChunkResult = await paging.syncStreamPages({
          syncLogId: plan.syncLogId,
          connectionId: input.connectionId,
          source: plan.source,
          stream,
          window: plan.window,
          cursor: progress.cursor,
        });
        // Totals come from the sync log: exact even when a failed attempt had written pages.
        progress.pages = chunk.totals.pages;
        progress.recordsFetched = chunk.totals.recordsFetched;
        progress.recordsWritten = chunk.totals.recordsWritten;
        progress.cursor = chunk.cursor;
        done = chunk.done;
      }
      progress.streamsDone.push(stream);
    }
    progress.currentStream = null;
    await bookkeeping.finishSync({ syncLogId: plan.syncLogId, connectionId: input.connectionId, status: 'completed', requestedBy: input.requestedBy });
    progress.status = 'completed';
    return { syncLogId: plan.syncLogId, status: 'completed', pages: progress.pages, recordsFetched: progress.recordsFetched, recordsWritten: progress.recordsWritten };
  } catch (err) {
    const cancelled = isCancellation(err);
    progress.status = cancelled ? 'cancelled' : 'failed';
    progress.error = cancelled ? null : describeFailure(err);
    // Record the outcome even though the workflow's own scope may be cancelled.
    await CancellationScope.nonCancellable(() =>
      bookkeeping.finishSync({
        syncLogId: plan.syncLogId,
        connectionId: input.connectionId,
        status: progress.status === 'cancelled' ? 'cancelled' : 'failed',
        error: progress.error ?? undefined,
        failureType: failureType(err),
        requestedBy: input.requestedBy,
      }),
    );
    throw err;
  }
}

function rootCause(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause ? err.cause : err;
}

function failureType(err: unknown): string | undefined {
  const cause = rootCause(err);
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

function describeFailure(err: unknown): string {
  const cause = rootCause(err);
  return cause instanceof Error ? cause.message : String(cause);
}
