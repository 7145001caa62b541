import type { SyncLog } from '../../db/schema';
import type { SyncProgress } from '../../domain/sync';

/** A sync as the API shows it: the log row, with live progress from the workflow while it runs. */
export function presentSync(log: SyncLog | undefined, live: { workflowId: string; runId: string; progress: SyncProgress | null } | null) {
  const progress = live?.progress ?? null;
  return {
    status: live ? liveStatus(progress) : (log?.status ?? 'running'),
    workflow_id: live?.workflowId ?? log?.workflow_id ?? null,
    run_id: live?.runId ?? log?.run_id ?? null,
    source: progress?.source ?? log?.source ?? null,
    records_synced: Math.max(progress?.recordsWritten ?? 0, log?.records_written ?? 0),
    records_fetched: Math.max(progress?.recordsFetched ?? 0, log?.records_fetched ?? 0),
    pages: Math.max(progress?.pages ?? 0, log?.pages ?? 0),
    window: log ? { start_date: log.window_start, end_date: log.window_end } : null,
    started_at: log?.started_at.toISOString() ?? null,
    finished_at: log?.finished_at?.toISOString() ?? null,
    error: progress?.error ?? log?.error ?? null,
    progress: progress && {
      current_stream: progress.currentStream,
      streams_done: progress.streamsDone,
      pages: progress.pages,
      records_fetched: progress.recordsFetched,
      records_written: progress.recordsWritten,
      cursor: progress.cursor,
    },
  };
}

/**
 * A final status is reported only once the run has closed and its log is committed; until then a
 * run winding down after a cancel request is `cancelling`, and anything else is `running`.
 */
function liveStatus(progress: SyncProgress | null): 'running' | 'cancelling' {
  return progress?.status === 'cancelled' ? 'cancelling' : 'running';
}

export function presentSyncLog(log: SyncLog) {
  return {
    id: log.id,
    status: log.status,
    workflow_id: log.workflow_id,
    run_id: log.run_id,
    source: log.source,
    window: { start_date: log.window_start, end_date: log.window_end },
    started_at: log.started_at.toISOString(),
    finished_at: log.finished_at?.toISOString() ?? null,
    pages: log.pages,
    records_fetched: log.records_fetched,
    records_written: log.records_written,
    bytes_read: Number(log.bytes_read),
    error: log.error,
  };
}
