import { ActivityFailure, ApplicationFailure, CancellationScope, defineQuery, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notification-activities';
import type { SyncChunkResult, createSyncActivities } from '../activities/sync-activities';
import type { createSourceFallbackActivities } from '../activities/source-fallback-activities';
import type { MemoryHandoffResult, createMemoryHandoffActivities } from '../activities/memory-handoff-activities';
import { MemoryFailureType, NON_RETRYABLE_FAILURES } from '../domain/errors';
import type { PlatformId, StreamKind } from '../domain/platforms';
import type { DateWindow, SyncProgress, SyncRequester } from '../domain/sync';
import { pausingForQuota } from './quota-pause';

type SyncActivities = ReturnType<typeof createSyncActivities>;
type SourceFallbackActivities = ReturnType<typeof createSourceFallbackActivities>;
type MemoryHandoffActivities = ReturnType<typeof createMemoryHandoffActivities>;

export interface ConnectionSyncInput {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
  /** Backfill window: exactly this range. Absent: each stream from its cursor (the last N days on its first sync). */
  window?: DateWindow;
  /** Re-read the connection, or one stream, whole and replace its rows (stale rows go when it completes). */
  resync?: { stream?: StreamKind };
  /** Recorded in the audit log with the sync's start and end. */
  requestedBy?: SyncRequester;
}

export interface ConnectionSyncResult {
  syncLogId: string;
  status: 'completed';
  pages: number;
  recordsFetched: number;
  recordsWritten: number;
  /** Records left out of the sync: no column could hold one of their values (sampled in the sync log). */
  recordsQuarantined: number;
  /** The source that served the sync (`mock` after a hybrid fallback) and why it is not live, if so. */
  source: 'live' | 'mock';
  fallbackReason: string | null;
  /** The hand-off of the written records to the Memory Service; `failed` does not undo the sync. */
  memoryHandoff: MemoryHandoffResult | { status: 'failed'; error: string };
}

export const progressQuery = defineQuery<SyncProgress>('progress');

/** Quick bookkeeping against Postgres. */
const BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
  },
};

/**
 * Paging through a platform. The heartbeat timeout detects a dead worker fast; retries back off
 * exponentially (a rate-limited failure carries the platform's own delay instead).
 */
const PAGING: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
  },
};

/**
 * Hybrid mode's live paging: a short leash, since mock is there to take over. A few quick attempts,
 * then the workflow falls back (live mode keeps PAGING's patient policy and fails when it runs out).
 */
const HYBRID_LIVE_PAGING: ActivityOptions = {
  ...PAGING,
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE_FAILURES,
  },
};

/**
 * Posting to the Memory Service: heartbeats carry the next batch, so a retry resumes there; bounded,
 * so a Memory Service that stays down cannot hold the connection's next sync (same workflow id) back.
 */
const MEMORY_HANDOFF: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [MemoryFailureType.Rejected, ...NON_RETRYABLE_FAILURES],
  },
};

/** A webhook POST; the receiver may be down for a while. */
const NOTIFYING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
};

const bookkeeping = proxyActivities<SyncActivities>(BOOKKEEPING);
const fallback = proxyActivities<SourceFallbackActivities>(BOOKKEEPING);
const memory = proxyActivities<MemoryHandoffActivities>(MEMORY_HANDOFF);
const notifying = proxyActivities<NotificationActivities>(NOTIFYING);

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
    recordsQuarantined: 0,
    cursor: null,
    error: null,
    mode: null,
    fallbackReason: null,
  };
  setHandler(progressQuery, () => progress);

  const plan = await bookkeeping.startSync({ connectionId: input.connectionId, window: input.window, resync: input.resync, requestedBy: input.requestedBy });
  progress.source = plan.source;
  progress.mode = plan.mode;
  progress.fallbackReason = plan.sourceReason;
  let source = plan.source;
  // The worker's setting decides how soon a dead worker's paging attempt is retried.
  const heartbeat = plan.heartbeatTimeoutSeconds === undefined ? {} : { heartbeatTimeout: `${plan.heartbeatTimeoutSeconds} seconds` };
  const paging = proxyActivities<SyncActivities>({ ...PAGING, ...heartbeat });
  const hybridLivePaging = proxyActivities<SyncActivities>({ ...HYBRID_LIVE_PAGING, ...heartbeat });

  try {
    for (const stream of plan.streams) {
      progress.currentStream = stream;
      progress.cursor = null;
      let done = false;
      while (!done) {
        const hybridLive = plan.mode === 'hybrid' && source === 'live';
        let chunk: SyncChunkResult;
        try {
          // A spent platform quota (a daily cap) sleeps until it resets, then the stream carries on.
          chunk = await pausingForQuota(() =>
            (hybridLive ? hybridLivePaging : paging).syncStreamPages({
              syncLogId: plan.syncLogId,
              connectionId: input.connectionId,
              source,
              stream,
              window: plan.windows[stream] ?? plan.window,
              cursor: progress.cursor,
              qualityGate: hybridLive,
            }),
          );
        } catch (err) {
          if (!hybridLive || isCancellation(err)) throw err;
          // Hybrid: live gave up (after its retries, or at once when not retryable, or the quality
          // gate refused a page). This stream restarts from mock, and so do the ones after it.
          const reason = `${stream}: ${failureType(err) ?? 'failure'}: ${describeFailure(err)}`;
          const switched = await fallback.fallBackToMock({ syncLogId: plan.syncLogId, stream, reason });
          source = 'mock';
          progress.source = 'mock';
          progress.fallbackReason = reason;
          progress.cursor = null;
          progress.recordsWritten = switched.totals.recordsWritten;
          continue;
        }
        // Totals come from the sync log: exact even when a failed attempt had written pages.
        progress.pages = chunk.totals.pages;
        progress.recordsFetched = chunk.totals.recordsFetched;
        progress.recordsWritten = chunk.totals.recordsWritten;
        // Absent from the totals of activities that ran before quarantine was counted (replayed histories).
        progress.recordsQuarantined = chunk.totals.recordsQuarantined ?? 0;
        progress.cursor = chunk.cursor;
        done = chunk.done;
      }
      progress.streamsDone.push(stream);
    }
    progress.currentStream = null;
    await bookkeeping.finishSync({ syncLogId: plan.syncLogId, connectionId: input.connectionId, status: 'completed', requestedBy: input.requestedBy });
    progress.status = 'completed';
    // After the log is closed: the records are in Postgres whatever becomes of the hand-off.
    const memoryHandoff = await memory.handOffToMemory({ syncLogId: plan.syncLogId }).catch((err: unknown) => {
      if (isCancellation(err)) throw err;
      return { status: 'failed' as const, error: describeFailure(err) };
    });
    return {
      syncLogId: plan.syncLogId,
      status: 'completed',
      pages: progress.pages,
      recordsFetched: progress.recordsFetched,
      recordsWritten: progress.recordsWritten,
      recordsQuarantined: progress.recordsQuarantined ?? 0,
      source,
      fallbackReason: progress.fallbackReason,
      memoryHandoff,
    };
  } catch (err) {
    const cancelled = isCancellation(err);
    progress.status = cancelled ? 'cancelled' : 'failed';
    progress.error = cancelled ? null : describeFailure(err);
    // Record the outcome even though the workflow's own scope may be cancelled.
    await CancellationScope.nonCancellable(async () => {
      const finished = await bookkeeping.finishSync({
        syncLogId: plan.syncLogId,
        connectionId: input.connectionId,
        status: progress.status === 'cancelled' ? 'cancelled' : 'failed',
        error: progress.error ?? undefined,
        failureType: failureType(err),
        requestedBy: input.requestedBy,
      });
      // The failure policy disabled the connection: tell its owners. The row stays if delivery gives up.
      if (finished.notificationId) await notifying.deliverNotification({ notificationId: finished.notificationId }).catch(() => undefined);
    });
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
