import type { SyncLog, SyncLogQuarantineSample, SyncLogStream } from '../../db/schema';
import type { SyncProgress } from '../../domain/sync';
import type { SyncLogView, SyncStreamView, SyncView } from '../routes/connection-schemas';

/** A sync as the API shows it: the log row, with live progress from the workflow while it runs. */
export function presentSync(
  log: SyncLog | undefined,
  live: { workflowId: string; runId: string; progress: SyncProgress | null } | null,
  streams: readonly SyncLogStream[] = [],
  quarantine: readonly SyncLogQuarantineSample[] = [],
): SyncView {
  const progress = live?.progress ?? null;
  return {
    status: live ? liveStatus(progress) : (log?.status ?? 'running'),
    kind: log?.kind ?? null,
    workflow_id: live?.workflowId ?? log?.workflow_id ?? null,
    run_id: live?.runId ?? log?.run_id ?? null,
    source: progress?.source ?? log?.source ?? null,
    data_mode: progress?.mode ?? log?.data_mode ?? null,
    fallback_reason: progress?.fallbackReason ?? log?.fallback_reason ?? null,
    records_synced: Math.max(progress?.recordsWritten ?? 0, log?.records_written ?? 0),
    records_fetched: Math.max(progress?.recordsFetched ?? 0, log?.records_fetched ?? 0),
    pages: Math.max(progress?.pages ?? 0, log?.pages ?? 0),
    records_quarantined: Math.max(progress?.recordsQuarantined ?? 0, log?.records_quarantined ?? 0),
    records_cleaned: log?.records_cleaned ?? 0,
    quarantine: presentQuarantine(quarantine),
    window: log ? { start_date: log.window_start, end_date: log.window_end } : null,
    bytes_read: log ? Number(log.bytes_read) : 0,
    bytes_written: log ? Number(log.bytes_written) : 0,
    streams: streams.map(presentSyncLogStream),
    started_at: log?.started_at.toISOString() ?? null,
    finished_at: log?.finished_at?.toISOString() ?? null,
    error: progress?.error ?? log?.error ?? null,
    progress: progress && {
      current_stream: progress.currentStream,
      streams_done: progress.streamsDone,
      pages: progress.pages,
      records_fetched: progress.recordsFetched,
      records_written: progress.recordsWritten,
      records_quarantined: progress.recordsQuarantined ?? 0,
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

export function presentSyncLog(log: SyncLog, streams: readonly SyncLogStream[] = [], quarantine: readonly SyncLogQuarantineSample[] = []): SyncLogView {
  return {
    id: log.id,
    status: log.status,
    kind: log.kind,
    workflow_id: log.workflow_id,
    run_id: log.run_id,
    source: log.source,
    data_mode: log.data_mode,
    fallback_reason: log.fallback_reason,
    fallback_at: log.fallback_at?.toISOString() ?? null,
    window: { start_date: log.window_start, end_date: log.window_end },
    started_at: log.started_at.toISOString(),
    finished_at: log.finished_at?.toISOString() ?? null,
    pages: log.pages,
    records_fetched: log.records_fetched,
    records_written: log.records_written,
    records_quarantined: log.records_quarantined,
    records_cleaned: log.records_cleaned,
    quarantine: presentQuarantine(quarantine),
    bytes_read: Number(log.bytes_read),
    bytes_written: Number(log.bytes_written),
    streams: streams.map(presentSyncLogStream),
    error: log.error,
  };
}

/**
 * Samples of the records a sync quarantined (left out) or cleaned (stored with NUL stripped or unpaired
 * surrogates replaced): which record, which field, why. The counts above are exact; samples are a few.
 */
function presentQuarantine(samples: readonly SyncLogQuarantineSample[]) {
  const present = (s: SyncLogQuarantineSample) => ({ stream: s.stream, entity_id: s.entity_id, date: s.record_date, field: s.field, reason: s.reason });
  return {
    quarantined: samples.filter((s) => s.action === 'quarantined').map(present),
    cleaned: samples.filter((s) => s.action === 'cleaned').map(present),
  };
}

/** One stream of a sync: its window and what it read and wrote (bytes written: the COPY batches' size). */
export function presentSyncLogStream(s: SyncLogStream): SyncStreamView {
  return {
    stream: s.stream,
    window: { start_date: s.window_start, end_date: s.window_end },
    pages: s.pages,
    records_fetched: s.records_fetched,
    records_written: s.records_written,
    bytes_read: Number(s.bytes_read),
    bytes_written: Number(s.bytes_written),
    completed: s.completed_at !== null,
  };
}
