import { z } from 'zod';
import { DATA_MODES } from '../../domain/connection';
import { syncFrequencyProblem } from '../../domain/sync-frequency';
import { PLATFORM_IDS, PLATFORMS, STREAM_KINDS } from '../../domain/platforms';
import { SYNC_STATUSES } from '../../domain/sync';
import { SYNC_KINDS } from '../../domain/sync-window';
import { OptionalDateRange, pageQuery } from '../request-schemas';
import { ConnectionView, Count, DataModeName, DateWindowView, SourceName, StreamName, Timestamp, WorkflowStarted } from '../response-schemas';

/** Text that Postgres can store: no NUL characters. */
const Text = z.string().refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** A named frequency or a cron expression (UTC) that Temporal Schedules accept; see domain/sync-frequency.ts. */
const SyncFrequency = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const problem = syncFrequencyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const Credentials = z.record(z.string(), Text.pipe(z.string().max(8192, 'a credential value may be at most 8192 characters')));

/** Live modes need the platform's credential fields; mock mode needs none. */
function requireLiveCredentials(
  value: { platform?: (typeof PLATFORM_IDS)[number]; data_mode?: string; credentials?: Record<string, string> },
  ctx: z.RefinementCtx,
) {
  if (!value.platform || !value.credentials || value.data_mode !== 'live') return;
  for (const field of PLATFORMS[value.platform].credentialFields) {
    if (!value.credentials[field])
      ctx.addIssue({ code: 'custom', path: ['credentials', field], message: `${field} is required for a live ${value.platform} connection` });
  }
}

export const CreateConnectionBody = z
  .object({
    platform: z.enum(PLATFORM_IDS, { error: `platform must be one of: ${PLATFORM_IDS.join(', ')}` }),
    /** Absent: the user's default_data_mode (see routes/data-preferences.ts). */
    data_mode: z.enum(DATA_MODES).optional(),
    credentials: Credentials,
    display_name: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    account_id: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    sync_frequency: SyncFrequency.optional(),
  })
  .strict()
  .superRefine(requireLiveCredentials);

export const UpdateConnectionBody = z
  .object({
    display_name: Text.pipe(z.string().trim().min(1).max(200)).optional(),
    data_mode: z.enum(DATA_MODES).optional(),
    credentials: Credentials.optional(),
    sync_frequency: SyncFrequency.optional(),
    // Users may pause a connection or re-activate it; other statuses are set by the system.
    status: z.enum(['active', 'disabled']).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'Give at least one field to update' });

/** POST …/sync: a backfill of the range, or the connection's next window when none is given. */
export const StartSyncBody = OptionalDateRange;

export const ListQuery = pageQuery(200, 50);

export const IdParam = z.object({ id: z.string() });

/** A resync of the whole connection, or of one of its streams. */
export const ResyncBody = z.object({ stream: z.enum(STREAM_KINDS, { error: `stream must be one of: ${STREAM_KINDS.join(', ')}` }).optional() }).strict();

export const ConnectionListResponse = z.object({ connections: z.array(ConnectionView), total: Count, limit: Count, offset: Count });

/** Whether the connection's source answers with these credentials (a failure is an answer, not an error). */
export const ConnectionTestResponse = z.object({
  ok: z.boolean(),
  source: SourceName,
  account_name: z.string().nullable(),
  latency_ms: z.number().nonnegative(),
  message: z.string(),
});

/** Records a sync cleaned (stored with NUL stripped or unpaired surrogates replaced) or quarantined (left out): samples of which and why. */
const RecordIssueSample = z.object({
  stream: z.string(),
  entity_id: z.string().nullable(),
  date: z.string().nullable(),
  field: z.string(),
  reason: z.string(),
});
const QuarantineView = z.object({ quarantined: z.array(RecordIssueSample), cleaned: z.array(RecordIssueSample) }).meta({ id: 'SyncQuarantine' });

/** One stream of a sync: its window and what it read and wrote (bytes written: the COPY batches' size). */
const SyncStreamView = z
  .object({
    stream: StreamName,
    window: DateWindowView,
    pages: Count,
    records_fetched: Count,
    records_written: Count,
    bytes_read: Count,
    bytes_written: Count,
    completed: z.boolean(),
  })
  .meta({ id: 'SyncStream' });

/** The current or last sync of a connection (api/presenters/sync.ts): its log, with the workflow's live progress while it runs. */
export const SyncView = z
  .object({
    status: z.enum([...SYNC_STATUSES, 'cancelling']),
    kind: z.enum(SYNC_KINDS).nullable(),
    workflow_id: z.string().nullable(),
    run_id: z.string().nullable(),
    source: SourceName.nullable(),
    data_mode: DataModeName.nullable(),
    fallback_reason: z.string().nullable(),
    records_synced: Count,
    records_fetched: Count,
    pages: Count,
    records_quarantined: Count,
    records_cleaned: Count,
    quarantine: QuarantineView,
    window: DateWindowView.nullable(),
    bytes_read: Count,
    bytes_written: Count,
    streams: z.array(SyncStreamView),
    started_at: Timestamp.nullable(),
    finished_at: Timestamp.nullable(),
    error: z.string().nullable(),
    progress: z
      .object({
        current_stream: StreamName.nullable(),
        streams_done: z.array(StreamName),
        pages: Count,
        records_fetched: Count,
        records_written: Count,
        records_quarantined: Count,
        cursor: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'Sync' });
export type SyncView = z.infer<typeof SyncView>;

/** A past sync, from its log. */
export const SyncLogView = z
  .object({
    id: z.string(),
    status: z.enum(SYNC_STATUSES),
    kind: z.enum(SYNC_KINDS),
    workflow_id: z.string(),
    run_id: z.string(),
    source: SourceName,
    data_mode: DataModeName.nullable(),
    fallback_reason: z.string().nullable(),
    fallback_at: Timestamp.nullable(),
    window: DateWindowView,
    started_at: Timestamp,
    finished_at: Timestamp.nullable(),
    pages: Count,
    records_fetched: Count,
    records_written: Count,
    records_quarantined: Count,
    records_cleaned: Count,
    quarantine: QuarantineView,
    bytes_read: Count,
    bytes_written: Count,
    streams: z.array(SyncStreamView),
    error: z.string().nullable(),
  })
  .meta({ id: 'SyncLog' });
export type SyncLogView = z.infer<typeof SyncLogView>;
export type SyncStreamView = z.infer<typeof SyncStreamView>;

export const SyncHistoryResponse = z.object({ syncs: z.array(SyncLogView) });

/** The cancel request was sent to the running sync; it winds down between pages. */
export const SyncCancellingResponse = z.object({ status: z.literal('cancelling'), workflow_id: z.string(), run_id: z.string() });

/** A resync started, of one stream or (null) the whole connection. */
export const ResyncStartedResponse = WorkflowStarted.extend({ stream: StreamName.nullable() });
