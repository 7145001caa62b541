import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Connector, Credentials, FetchPageRequest, Page } from '../connectors/connector';
import { ConnectorError } from '../connectors/connector-error';
import type { ConnectorRegistry, ConnectorRequest } from '../connectors/registry';
import { connectionCredentials, findConnectionById, recordConnectionSync, setConnectionStatus } from '../db/repositories/connections';
import { toMetricsBatch } from '../db/metrics-copy-format';
import { withPgTransaction } from '../db/pg-transaction';
import { earliestMetricDates, removeMetricsNotWrittenSince, upsertMetrics } from '../db/repositories/marketing-metrics';
import { type PlatformRequestCounts, addPlatformRequestsToSyncLogStream, listSyncLogStreams, openSyncLogStreams } from '../db/repositories/sync-log-streams';
import { type SyncTotals, addPageToSyncLog, closeSyncLog, findSyncLog, openSyncLog, syncTotals } from '../db/repositories/sync-logs';
import { advanceStreamCursor, listStreamCursors } from '../db/repositories/sync-stream-cursors';
import { addSyncLogQuarantineSamples } from '../db/repositories/sync-log-quarantine';
import { mergeIssueTallies } from '../domain/record-quarantine';
import type { Connection, Database, NewAuditEntry, SyncLog } from '../db/schema';
import type { DataMode, DataSource } from '../domain/connection';
import type { ConnectionSyncSchedules } from '../domain/connection-sync-schedules';
import { resolveConnectionSource } from '../services/connection-source-selection';
import type { SyncCredentialRefresher } from '../services/connection-token-refresh';
import { PAGE_QUALITY_FAILURE, checkPageQuality, describeQualityFailure } from '../domain/page-quality-check';
import { FailureType, SyncFailureType } from '../domain/errors';
import { PLATFORMS, type PlatformId, type StreamKind } from '../domain/platforms';
import { type DateWindow, type SyncRequester, trailingWindow } from '../domain/sync';
import { type SyncKind, envelopeWindow, streamWindow } from '../domain/sync-window';
import { applySyncFailurePolicy } from '../db/sync-failure-policy';
import { appendAudit } from '../db/repositories/audit-log';
import type { SyncMetrics } from '../observability/sync-metrics';
import type { CredentialVault } from '../security/credential-vault';
import { toPlatformFailure } from './edge/platform-failure';

export interface SyncActivityDeps {
  db: Kysely<Database>;
  /** The pool behind `db`: page writes use COPY, which needs a raw client. */
  pool: pg.Pool;
  vault: CredentialVault;
  connectors: ConnectorRegistry;
  /** Pauses a connection's recurring syncs when it needs re-authorisation. */
  schedules?: Pick<ConnectionSyncSchedules, 'reconcile'>;
  metrics: SyncMetrics;
  settings: {
    defaultWindowDays: number;
    /** Days an ad platform's incremental sync re-reads before the stream's cursor. */
    lookbackDays: number;
    /** Consecutive failed syncs after which a connection is flagged, and after which it is disabled. */
    failureWarningAfter: number;
    failureDisableAfter: number;
    /** Records per platform request; the connector's default when unset. */
    pageSize?: number;
    /** How long one `syncStreamPages` call works before handing progress back to the workflow. */
    chunkBudgetMs: number;
    /** The paging heartbeat timeout the plan hands the workflow (how soon a dead worker's attempt is retried); the workflow's own otherwise. */
    heartbeatTimeoutSeconds?: number;
  };
  now?: () => Date;
  /** Renews a connection's credentials after the platform rejected them (an OAuth token refresh). Absent: no renewal. */
  refreshCredentials?: SyncCredentialRefresher;
}

export interface StartSyncInput {
  connectionId: string;
  /** A backfill's range. */
  window?: DateWindow;
  /** Re-read the connection (or one stream) whole and replace its rows; excludes `window`. */
  resync?: { stream?: StreamKind };
  requestedBy?: SyncRequester;
}

export interface SyncPlan {
  syncLogId: string;
  platform: PlatformId;
  /** The connection's data mode: `hybrid` lets the workflow fall back to mock when live fails. */
  mode: DataMode;
  source: DataSource;
  /** Why a mode that prefers live starts on mock; null otherwise. */
  sourceReason: string | null;
  kind: SyncKind;
  streams: StreamKind[];
  /** The window of each stream (from its cursor, the backfill range, or the default window). */
  windows: Partial<Record<StreamKind, DateWindow>>;
  /** The smallest window covering every stream's, as the log records it. */
  window: DateWindow;
  /** The paging activities' heartbeat timeout (a worker setting); absent: the workflow's default. */
  heartbeatTimeoutSeconds?: number;
}

export interface SyncStreamPagesInput {
  syncLogId: string;
  connectionId: string;
  source: DataSource;
  stream: StreamKind;
  window: DateWindow;
  /** Where the previous call left off; null for the stream's first page. */
  cursor: string | null;
  /** Hybrid mode's live pages must pass domain/page-quality-check.ts before they are written (the field keeps its old name: it is in the histories of runs in flight). */
  qualityGate?: boolean;
}

export interface SyncChunkResult {
  cursor: string | null;
  done: boolean;
  /** The whole sync's totals as committed in its log, including pages of attempts that later failed. */
  totals: SyncTotals;
}

export interface FinishSyncResult {
  /** A notification the failure policy wrote (the connection was disabled), for the workflow to deliver. */
  notificationId: string | null;
}

export interface FinishSyncInput {
  syncLogId: string;
  connectionId: string;
  status: 'completed' | 'failed' | 'cancelled';
  error?: string;
  /** The failure's type, so an auth failure can mark the connection for re-authorisation. */
  failureType?: string;
  requestedBy?: SyncRequester;
}

/** Heartbeat details of `syncStreamPages`: progress for the Web UI. Never records or credentials. */
export interface SyncHeartbeat {
  stream: StreamKind;
  cursor: string | null;
  pages: number;
  recordsWritten: number;
  recordsQuarantined: number;
}

export function createSyncActivities(deps: SyncActivityDeps) {
  const now = deps.now ?? (() => new Date());

  async function loadConnection(connectionId: string): Promise<Connection> {
    const connection = await findConnectionById(deps.db, connectionId);
    if (!connection) {
      throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Connection ${connectionId} no longer exists`, nonRetryable: true });
    }
    return connection;
  }

  /** Credentials are decrypted here, inside the activity, and never leave it. */
  function connectorFor(connection: Connection, source: DataSource, credentials?: Credentials, observeRequest?: ConnectorRequest['observeRequest']): Connector {
    const opened = credentials ?? (source === 'live' ? deps.vault.open(connection.id, connectionCredentials(connection)) : {});
    return deps.connectors.create({ platform: connection.platform, source, accountId: connection.account_id, credentials: opened, observeRequest });
  }

  /**
   * Fetches pages with the connection's current credentials. When the platform rejects them, asks
   * once for renewed credentials (a token refresh) and retries with those before failing.
   */
  function pageFetcher(connection: Connection, source: DataSource, observeRequest?: ConnectorRequest['observeRequest']) {
    let credentials: Credentials = source === 'live' ? deps.vault.open(connection.id, connectionCredentials(connection)) : {};
    let connector = connectorFor(connection, source, credentials, observeRequest);
    let renewalTried = false;
    return async (request: FetchPageRequest): Promise<Page> => {
      try {
        return await connector.fetchPage(request);
      } catch (err) {
        const rejected = err instanceof ConnectorError && err.kind === 'auth';
        if (!rejected || renewalTried || source !== 'live' || !deps.refreshCredentials) throw err;
        renewalTried = true;
        const renewed = await deps.refreshCredentials({ connectionId: connection.id, rejected: credentials });
        if (!renewed) throw err;
        credentials = renewed;
        connector = connectorFor(connection, source, credentials, observeRequest);
        return connector.fetchPage(request);
      }
    };
  }

  /** The window of each stream: from its cursor (less the lookback of ad platforms), the backfill range, or the default. */
  async function planStreamWindows(
    connection: Connection,
    source: DataSource,
    kind: SyncKind,
    streams: readonly StreamKind[],
    backfill: DateWindow | undefined,
  ) {
    const [cursors, earliest] = await Promise.all([
      kind === 'incremental' ? listStreamCursors(deps.db, connection.id) : [],
      kind === 'resync' ? earliestMetricDates(deps.db, connection.id, source) : new Map<string, string>(),
    ]);
    const settings = { today: now().toISOString().slice(0, 10), defaultWindowDays: deps.settings.defaultWindowDays, lookbackDays: deps.settings.lookbackDays };
    const windows: Partial<Record<StreamKind, DateWindow>> = {};
    for (const stream of streams) {
      const syncedThrough = cursors.find((c) => c.stream === stream)?.synced_through ?? null;
      windows[stream] = streamWindow(
        { kind, category: PLATFORMS[connection.platform].category, syncedThrough, backfill, earliestStored: earliest.get(stream) ?? null },
        settings,
      );
    }
    return windows;
  }

  return {
    /** Decides the source, streams and window of a sync and opens its log row (idempotent per run). */
    async startSync(input: StartSyncInput): Promise<SyncPlan> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) throw ApplicationFailure.nonRetryable('startSync runs only inside a connection sync workflow');
      const connection = await loadConnection(input.connectionId);
      const selection = await resolveConnectionSource({ db: deps.db, vault: deps.vault, now }, connection);
      // auto and hybrid serve a connection awaiting re-authorisation from mock; nothing else syncs unless active.
      const servableWhileReauth = connection.status === 'reauth_required' && selection.source === 'mock';
      if (connection.status !== 'active' && !servableWhileReauth) {
        throw ApplicationFailure.create({
          type: FailureType.ConnectionMisconfigured,
          message: `Connection ${connection.id} is ${connection.status}; it cannot sync until it is active again`,
          nonRetryable: true,
        });
      }
      const source = selection.source;
      const kind: SyncKind = input.resync ? 'resync' : input.window ? 'backfill' : 'incremental';
      const streams = selectStreams(connectorFor(connection, source).listStreams(), input.resync?.stream);
      const planned = await planStreamWindows(connection, source, kind, streams, input.window);
      const window = envelopeWindow(Object.values(planned), input.window ?? trailingWindow(now().toISOString().slice(0, 10), deps.settings.defaultWindowDays));
      const { log, created, windows } = await deps.db.transaction().execute(async (trx) => {
        const opened = await openSyncLog(trx, {
          connection_id: connection.id,
          org_id: connection.org_id,
          platform: connection.platform,
          workflow_id: execution.workflowId,
          run_id: execution.runId,
          status: 'running',
          source,
          window_start: window.startDate,
          window_end: window.endDate,
          error: null,
          checkpoint: null,
          data_mode: connection.data_mode,
          fallback_reason: selection.reason,
          kind,
        });
        // Audited once per run, in the log's transaction: the audit says what really started.
        if (opened.created) {
          await openSyncLogStreams(
            trx,
            opened.log.id,
            streams.map((stream) => ({ stream, window: planned[stream]! })),
          );
          await appendAudit(
            trx,
            syncAuditEntry(connection, input.requestedBy, 'sync.start', 'success', {
              workflow_id: execution.workflowId,
              run_id: execution.runId,
              data_mode: connection.data_mode,
              source,
              source_reason: selection.reason,
              kind,
              resync_stream: input.resync?.stream ?? null,
            }),
          );
          return { ...opened, windows: planned };
        }
        // A retried start keeps the windows its first attempt recorded (the day may have turned since).
        const recorded = await listSyncLogStreams(trx, [opened.log.id]);
        return { ...opened, windows: Object.fromEntries(recorded.map((r) => [r.stream, { startDate: r.window_start, endDate: r.window_end }])) };
      });
      if (created) deps.metrics.syncsStarted.inc({ platform: connection.platform, source });
      const plannedWindow = created ? window : { startDate: log.window_start, endDate: log.window_end };
      return {
        syncLogId: log.id,
        platform: connection.platform,
        mode: connection.data_mode,
        source,
        sourceReason: selection.reason,
        kind,
        streams,
        windows,
        window: plannedWindow,
        heartbeatTimeoutSeconds: deps.settings.heartbeatTimeoutSeconds,
      };
    },

    /**
     * Fetches and upserts pages of one stream until it ends or the chunk budget is spent.
     * Each page is written in one transaction with the log's checkpoint, so a retried attempt
     * resumes exactly after the last written page: nothing lost, nothing written twice.
     * The next page is fetched while the current one is written.
     */
    async syncStreamPages(input: SyncStreamPagesInput): Promise<SyncChunkResult> {
      const ctx = Context.current();
      const connection = await loadConnection(input.connectionId);
      // This stream's live platform requests, counted until a page's transaction (or the failure) records them.
      const requests: PlatformRequestCounts = { requests: 0, errors: 0, seconds: 0 };
      const fetchPage = pageFetcher(connection, input.source, (o) => {
        requests.requests += 1;
        if (o.outcome !== 'ok') requests.errors += 1;
        requests.seconds += o.seconds;
      });
      const log = await findSyncLog(deps.db, input.syncLogId);
      if (!log)
        throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Sync log ${input.syncLogId} no longer exists`, nonRetryable: true });
      // The log's checkpoint is where the last committed page left off: the exact resume point.
      const resumed = log.checkpoint?.stream === input.stream ? log.checkpoint : null;
      if (resumed?.done) return { cursor: null, done: true, totals: syncTotals(log) };
      // A retried attempt (its worker died, Postgres or the platform failed it): the audit says where it picked up.
      if (ctx.info.attempt > 1) await appendAudit(deps.db, resumeAuditEntry(connection, log, input.stream, ctx.info.attempt, resumed !== null));

      const deadline = Date.now() + deps.settings.chunkBudgetMs;
      const result: SyncChunkResult = { cursor: resumed ? resumed.cursor : input.cursor, done: false, totals: syncTotals(log) };
      let pagesThisCall = 0;
      // What this attempt last saw committed: its page writes must follow it (see addPageToSyncLog).
      let committed = log.checkpoint;
      // Every row records the source that served its page; a live page retires the stream's mock rows.
      const target = { connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, stream: input.stream, source: input.source };
      // Fetching and serialising a page is our CPU; writing it is Postgres's. Overlap the two.
      const preparePage = (cursor: string | null) =>
        fetchPage({ stream: input.stream, cursor, window: input.window, pageSize: deps.settings.pageSize }).then(
          (page) => {
            if (input.qualityGate) rejectFailingPage(page, connection.platform);
            return { page, batch: toMetricsBatch(target, page.records) };
          },
          (err: unknown) => {
            throw toPlatformFailure(err, connection.platform);
          },
        );

      let pending = preparePage(result.cursor);
      try {
        for (;;) {
          const { page, batch } = await pending;
          const more = page.nextCursor !== null && Date.now() < deadline && !ctx.cancellationSignal.aborted;
          if (more) {
            pending = preparePage(page.nextCursor);
            // Its failure is raised when awaited on the next turn, not as an unhandled rejection.
            pending.catch(() => {});
          }
          const counted = { ...requests };
          const { written, totals, checkpoint } = await withPgTransaction(deps.pool, async (trx) => {
            const { written: count, rejected } = await upsertMetrics(trx.client, batch, { syncLogId: input.syncLogId });
            // Records no column can hold are set aside, counted and sampled: the page and the sync go on.
            const quarantined = mergeIssueTallies(batch.quarantined, rejected);
            await addSyncLogQuarantineSamples(trx.db, input.syncLogId, 'quarantined', quarantined.samples);
            await addSyncLogQuarantineSamples(trx.db, input.syncLogId, 'cleaned', batch.cleaned.samples);
            const done = page.nextCursor === null;
            const checkpoint = { stream: input.stream, cursor: page.nextCursor, done };
            const totals = await addPageToSyncLog(trx.db, input.syncLogId, {
              recordsFetched: page.records.length,
              recordsWritten: count,
              recordsQuarantined: quarantined.count,
              recordsCleaned: batch.cleaned.count,
              bytesRead: page.bytesRead,
              bytesWritten: Buffer.byteLength(batch.copyText),
              checkpoint,
              requests: counted,
              after: committed,
            });
            // Thrown inside the transaction: this page's rows roll back with it. The retry that took over carries on.
            if (!totals)
              throw ApplicationFailure.create({
                type: SyncFailureType.CheckpointMoved,
                message: `Sync log ${input.syncLogId} moved past this attempt's checkpoint; another attempt took over`,
              });
            // The stream's cursor moves only with the page that completes it, never ahead of its rows.
            if (done)
              await advanceStreamCursor(trx.db, {
                connectionId: connection.id,
                stream: input.stream,
                kind: log.kind,
                window: input.window,
                syncLogId: input.syncLogId,
              });
            return { written: count, totals, checkpoint };
          });
          committed = checkpoint;
          // Committed with the page: what came in meanwhile (the next page's request) waits for its own.
          requests.requests -= counted.requests;
          requests.errors -= counted.errors;
          requests.seconds -= counted.seconds;
          result.cursor = page.nextCursor;
          result.done = page.nextCursor === null;
          result.totals = totals;
          pagesThisCall += 1;
          deps.metrics.pagesSynced.inc({ platform: connection.platform, stream: input.stream });
          deps.metrics.recordsSynced.inc({ platform: connection.platform, stream: input.stream }, written);
          ctx.heartbeat({
            stream: input.stream,
            cursor: result.cursor,
            pages: pagesThisCall,
            recordsWritten: totals.recordsWritten,
            recordsQuarantined: totals.recordsQuarantined,
          } satisfies SyncHeartbeat);
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('Sync cancelled between pages');
          if (!more) return result;
        }
      } catch (err) {
        // Requests that wrote no page (the failing one, a page whose write failed) still count for the stream.
        await addPlatformRequestsToSyncLogStream(deps.db, input.syncLogId, input.stream, requests).catch(() => {});
        throw err;
      }
    },

    /**
     * Records the final status on the log and the connection; an auth failure asks the user to
     * re-authorise. A completed resync removes the rows of its source and streams it did not rewrite,
     * inside the days the source answered (removeMetricsNotWrittenSince). The
     * failure policy counts the outcome (and may warn or disable the connection).
     */
    async finishSync(input: FinishSyncInput): Promise<FinishSyncResult> {
      const at = now();
      const closing = await deps.db.transaction().execute(async (trx) => {
        const closed = await closeSyncLog(trx, input.syncLogId, { status: input.status, error: input.error ?? null, at });
        if (!closed) return undefined; // already closed by an earlier attempt, or the connection was deleted
        await recordConnectionSync(trx, input.connectionId, input.status, at);
        const connection = await findConnectionById(trx, input.connectionId);
        if (input.failureType === FailureType.PlatformAuth) await setConnectionStatus(trx, input.connectionId, 'reauth_required');
        const rowsRemoved =
          input.status === 'completed' && closed.kind === 'resync'
            ? await removeMetricsNotWrittenSince(trx, {
                connectionId: input.connectionId,
                source: closed.source,
                since: closed.started_at,
                streams: await listSyncLogStreams(trx, [closed.id]),
              })
            : 0;
        if (!connection) return { log: closed, effects: null };
        const effects = await applySyncFailurePolicy(
          trx,
          connection,
          { status: input.status, syncLogId: closed.id, error: input.error ?? null, failureType: input.failureType ?? null, at },
          { warnAfter: deps.settings.failureWarningAfter, disableAfter: deps.settings.failureDisableAfter },
        );
        await appendAudit(
          trx,
          syncAuditEntry(connection, input.requestedBy, 'sync.end', input.status === 'completed' ? 'success' : 'failure', {
            status: input.status,
            kind: closed.kind,
            records_written: closed.records_written,
            records_quarantined: closed.records_quarantined,
            ...(closed.kind === 'resync' ? { rows_removed: rowsRemoved } : {}),
            consecutive_failures: effects.consecutiveFailures,
            error: input.error ?? null,
          }),
        );
        return { log: closed, effects };
      });
      if (!closing) return { notificationId: null };
      const { log, effects } = closing;
      if (input.failureType === FailureType.PlatformAuth || effects?.disabled) {
        const connection = await findConnectionById(deps.db, input.connectionId);
        if (connection) await deps.schedules?.reconcile(connection);
      }
      const labels = { platform: log.platform, source: log.source };
      if (input.status === 'completed') deps.metrics.syncsCompleted.inc(labels);
      else if (input.status === 'cancelled') deps.metrics.syncsCancelled.inc(labels);
      else deps.metrics.syncsFailed.inc({ ...labels, reason: input.failureType ?? 'unknown' });
      deps.metrics.syncDuration.observe({ platform: log.platform, status: input.status }, (at.getTime() - log.started_at.getTime()) / 1000);
      return { notificationId: effects?.notificationId ?? null };
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;

/** A live page that fails the page quality check is never written: the hybrid workflow falls back instead. */
function rejectFailingPage(page: Page, platform: string): void {
  const verdict = checkPageQuality(page.records);
  if (verdict.passed) return;
  throw ApplicationFailure.create({
    type: PAGE_QUALITY_FAILURE,
    message: `${platform}: ${describeQualityFailure(verdict.violations)}`,
    nonRetryable: true,
    details: [{ violations: verdict.violations.length, rules: [...new Set(verdict.violations.map((v) => v.rule))] }],
  });
}

/** The streams a sync reads: all of the source's, or the one a resync names (which must be one of them). */
function selectStreams(available: readonly StreamKind[], only: StreamKind | undefined): StreamKind[] {
  if (only === undefined) return [...available];
  if (!available.includes(only)) {
    throw ApplicationFailure.create({ type: FailureType.ConnectionMisconfigured, message: `This connection has no ${only} stream`, nonRetryable: true });
  }
  return [only];
}

/** A retried paging attempt, recorded before it writes: which attempt, and the committed progress it resumes after. */
function resumeAuditEntry(connection: Connection, log: SyncLog, stream: StreamKind, attempt: number, fromCheckpoint: boolean): NewAuditEntry {
  return {
    org_id: connection.org_id,
    actor_id: 'system:sync',
    actor_role: 'system',
    action: 'sync.resume',
    target_type: 'connection',
    target_id: connection.id,
    outcome: 'success',
    request_id: null,
    details: {
      sync_log_id: log.id,
      workflow_id: log.workflow_id,
      stream,
      attempt,
      from: fromCheckpoint ? 'checkpoint' : 'stream start',
      pages: log.pages,
      records_written: log.records_written,
    },
  };
}

/** A sync's audit row: the requester when a person asked for it, the scheduler otherwise. */
function syncAuditEntry(
  connection: Connection,
  requestedBy: SyncRequester | undefined,
  action: string,
  outcome: 'success' | 'failure',
  details: Record<string, unknown>,
): NewAuditEntry {
  return {
    org_id: connection.org_id,
    actor_id: requestedBy?.actorId ?? 'system:scheduler',
    actor_role: requestedBy?.actorRole ?? 'system',
    action,
    target_type: 'connection',
    target_id: connection.id,
    outcome,
    request_id: requestedBy?.requestId ?? null,
    details,
  };
}
