import { WorkflowFailedError } from '@temporalio/client';
import { sql } from 'kysely';
import { presentSync, presentSyncLog } from '../../api/presenters/sync';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { createMockConnector } from '../../connectors/mock/connector';
import { setConnectionStatus } from '../../db/repositories/connections';
import { listMetrics } from '../../db/repositories/marketing-metrics';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import type { Connection } from '../../db/schema';
import type { DataMode, DataSource } from '../../domain/connection';
import { FailureType } from '../../domain/errors';
import type { DateWindow } from '../../domain/sync';
import { waitFor } from '../../scripts/service-process';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW: DateWindow = { startDate: '2026-02-01', endDate: '2026-02-10' };
const DAYS = 10;
const LIVE_ADS = 24; // the emulator's account: 4 campaigns × 2 ad sets × 3 ads
const MOCK_ADS = 18; // the mock source's: DEFAULT_ACCOUNT_SHAPE

describe('data modes of connectionSyncWorkflow (Google Ads emulator vs the mock source)', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  /** impressions by `<entity>|<date>` as the mock source serves the emulator's account. */
  let mockImpressions: Map<string, number>;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 50, shape: { campaigns: 4 } });
    taskQueue = uniqueName('sync-modes');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url }, settings: { chunkBudgetMs: 300 } });
    const mock = createMockConnector({ platform: 'google_ads', accountId: emulator.shape.accountId });
    const page = await mock.fetchPage({ stream: 'ad_performance', cursor: null, window: WINDOW, pageSize: 10_000 });
    mockImpressions = new Map(page.records.map((r) => [`${r.entityId}|${r.date}`, r.impressions!]));
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const connectionIn = (dataMode: DataMode, credentials: Record<string, string> = { ...emulator.credentials }) =>
    createTestConnection(harness, { platform: 'google_ads', dataMode, accountId: emulator.shape.accountId, credentials });
  const sync = async (connection: Connection) => (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
  const rows = (connectionId: string, source: DataSource = 'live') => listMetrics(harness.database.db, connectionId, { limit: 10_000, offset: 0, source });
  /** Whether every stored row of the source holds the mock source's values (else some came from the live platform). */
  const allFromMock = async (connectionId: string, source: DataSource) =>
    (await rows(connectionId, source)).every((r) => Number(r.impressions) === mockImpressions.get(`${r.entity_id}|${r.date}`));

  it('hybrid: live fails part-way → its half-written live rows are withdrawn and the stream is served by mock; once live recovers, live again', async () => {
    const connection = await connectionIn('hybrid');
    // Slow pages, so the fault lands well before the live side could finish on a loaded machine.
    emulator.faults.set({ latencyMs: 400 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    await waitFor(
      () => latestSyncLog(harness.database.db, connection.id),
      (log) => (log?.pages ?? 0) >= 2,
      { timeoutMs: 20_000, what: 'two live pages written' },
    );
    emulator.faults.set({ failNext: { status: 500, count: 1_000 } });

    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'completed',
      source: 'mock',
      recordsWritten: DAYS * MOCK_ADS,
      fallbackReason: expect.stringMatching(/^ad_performance: PlatformTransientError: .*HTTP 500/),
    });
    // No live row: the half-written live pages were withdrawn. The mock rows say they are mock.
    expect(await rows(connection.id)).toHaveLength(0);
    expect(await rows(connection.id, 'mock')).toHaveLength(DAYS * MOCK_ADS);
    expect(await allFromMock(connection.id, 'mock')).toBe(true);
    const log = await latestSyncLog(harness.database.db, connection.id);
    expect(log).toMatchObject({
      status: 'completed',
      data_mode: 'hybrid',
      source: 'mock',
      records_written: DAYS * MOCK_ADS,
      fallback_reason: result.fallbackReason,
    });
    expect(log?.fallback_at).toBeInstanceOf(Date);
    // What GET …/sync and …/sync/history show.
    expect(presentSyncLog(log!)).toMatchObject({
      source: 'mock',
      data_mode: 'hybrid',
      fallback_reason: result.fallbackReason,
      fallback_at: log!.fallback_at!.toISOString(),
    });
    expect(presentSync(log, null)).toMatchObject({ status: 'completed', source: 'mock', data_mode: 'hybrid', fallback_reason: result.fallbackReason });
    expect(log?.pages).toBeGreaterThanOrEqual(2 + Math.ceil((DAYS * MOCK_ADS) / 500));

    emulator.faults.clear();
    const recovered = await sync(connection);
    expect(recovered).toMatchObject({ status: 'completed', source: 'live', fallbackReason: null, recordsWritten: DAYS * LIVE_ADS });
    expect(await rows(connection.id)).toHaveLength(DAYS * LIVE_ADS);
    expect(await allFromMock(connection.id, 'live')).toBe(false);
    // The first live page retired the stream's mock rows (to the archive), in its own transaction.
    expect(await rows(connection.id, 'mock')).toHaveLength(0);
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({
      source: 'live',
      data_mode: 'hybrid',
      fallback_reason: null,
      fallback_at: null,
    });
  });

  it("mock → live: the first live page of the stream takes its mock rows out of marketing_metrics (and the view), in that page's transaction", async () => {
    const connection = await connectionIn('mock');
    expect(await sync(connection)).toMatchObject({ status: 'completed', source: 'mock', recordsWritten: DAYS * MOCK_ADS });
    expect(await rows(connection.id, 'mock')).toHaveLength(DAYS * MOCK_ADS);
    await harness.database.db.updateTable('user_platform_connections').set({ data_mode: 'live' }).where('id', '=', connection.id).execute();

    emulator.faults.set({ latencyMs: 400 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    /** One snapshot: the running log's written pages and the rows of each source. */
    const snapshot = () =>
      harness.database.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const log = await latestSyncLog(trx, connection.id);
          const count = async (table: 'marketing_metrics' | 'live_marketing_metrics', source?: DataSource) =>
            Number(
              (
                await sql<{
                  n: string;
                }>`select count(*) as n from ${sql.table(table)} where connection_id = ${connection.id} ${source ? sql`and source = ${source}` : sql``}`.execute(
                  trx,
                )
              ).rows[0]!.n,
            );
          return {
            log,
            live: await count('marketing_metrics', 'live'),
            mock: await count('marketing_metrics', 'mock'),
            view: await count('live_marketing_metrics'),
          };
        });
    const midway = await waitFor(snapshot, (s) => s.log?.source === 'live' && s.log.status === 'running' && s.log.pages >= 1, {
      timeoutMs: 20_000,
      what: 'a live page written',
    });
    // Whatever page the live sync is at, the switch came with its first: no mock row is left beside the live ones.
    expect(midway).toMatchObject({ mock: 0, live: midway.log!.records_written, view: midway.log!.records_written });
    expect(midway.live).toBeLessThan(DAYS * LIVE_ADS);
    emulator.faults.clear();
    expect(await handle.result()).toMatchObject({ status: 'completed', source: 'live', recordsWritten: DAYS * LIVE_ADS });
    const done = await snapshot();
    expect(done).toMatchObject({ live: DAYS * LIVE_ADS, mock: 0, view: DAYS * LIVE_ADS });
    // The mock rows are kept outside every analytical read, marked with the sync that retired them.
    const archived = await harness.database.db
      .selectFrom('marketing_metrics_mock_archive')
      .select(['source', 'archived_by_sync_log_id'])
      .where('connection_id', '=', connection.id)
      .execute();
    expect(archived).toHaveLength(DAYS * MOCK_ADS);
    expect(archived.every((r) => r.source === 'mock' && r.archived_by_sync_log_id === done.log!.id)).toBe(true);
  });

  it('hybrid: a fallback keeps the rows earlier syncs wrote, those its live pages refreshed included', async () => {
    const connection = await connectionIn('hybrid');
    expect(await sync(connection)).toMatchObject({ status: 'completed', source: 'live', recordsWritten: DAYS * LIVE_ADS });
    const before = await rows(connection.id);
    // The next sync refreshes two live pages of those rows, then live fails and mock serves the stream.
    emulator.faults.set({ latencyMs: 400 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    await waitFor(
      () => latestSyncLog(harness.database.db, connection.id),
      (log) => log?.status === 'running' && (log.pages ?? 0) >= 2,
      { timeoutMs: 20_000, what: 'two live pages written' },
    );
    emulator.faults.set({ failNext: { status: 500, count: 1_000 } });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', source: 'mock' });
    // Its writes: the refreshed live pages (50 rows each), which stay, and the mock rows.
    expect(result.recordsWritten).toBeGreaterThanOrEqual(2 * 50 + DAYS * MOCK_ADS);

    const after = await rows(connection.id);
    // Nothing the first sync wrote was lost: every live row stays live, with live values (the mock rows
    // of the same ads and days are rows of their own), refreshed or not, first written by the first sync.
    expect(after.map((r) => `${r.entity_id}|${r.date}`).sort()).toEqual(before.map((r) => `${r.entity_id}|${r.date}`).sort());
    expect(after.every((r) => r.source === 'live' && Number(r.impressions) !== mockImpressions.get(`${r.entity_id}|${r.date}`))).toBe(true);
    const firstWritten = new Map(before.map((r) => [`${r.entity_id}|${r.date}`, r.first_synced_at.getTime()]));
    expect(after.every((r) => r.first_synced_at.getTime() === firstWritten.get(`${r.entity_id}|${r.date}`))).toBe(true);
    const log = await latestSyncLog(harness.database.db, connection.id);
    expect(after.some((r) => r.synced_at >= log!.started_at)).toBe(true); // some were refreshed by the failed live pages
    expect(await rows(connection.id, 'mock')).toHaveLength(DAYS * MOCK_ADS);
  });

  it('hybrid: live data that fails the quality gate is never written; the sync is served by mock and says why', async () => {
    const connection = await connectionIn('hybrid');
    emulator.faults.set({ implausibleMetrics: true });
    const before = emulator.faults.stats().requests;
    const result = await sync(connection);
    expect(result).toMatchObject({ status: 'completed', source: 'mock', recordsWritten: DAYS * MOCK_ADS });
    expect(result.fallbackReason).toMatch(/^ad_performance: LiveDataQualityRejectedError: .*clicks \(\d+\) exceed impressions/);
    // Not retried: the same data would come back. One page request (and at most the prefetched next one).
    expect(emulator.faults.stats().requests - before).toBeLessThanOrEqual(2);
    expect(await rows(connection.id)).toHaveLength(0);
    expect(await allFromMock(connection.id, 'mock')).toBe(true);
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({
      source: 'mock',
      records_written: DAYS * MOCK_ADS,
      fallback_reason: result.fallbackReason,
    });
  });

  it('live: the platform failing fails the sync, with no fallback', async () => {
    const connection = await connectionIn('live');
    emulator.faults.set({ malformedNext: 1 });
    const failure = await sync(connection).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({ type: FailureType.PlatformMalformedResponse });
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({
      status: 'failed',
      source: 'live',
      data_mode: 'live',
      fallback_reason: null,
      fallback_at: null,
    });
    expect(await rows(connection.id)).toHaveLength(0);

    // The same fault under hybrid: served by mock.
    const hybrid = await connectionIn('hybrid');
    emulator.faults.set({ malformedNext: 1 });
    expect(await sync(hybrid)).toMatchObject({
      status: 'completed',
      source: 'mock',
      fallbackReason: expect.stringContaining('PlatformMalformedResponseError'),
    });
  });

  it('auto: mock without credentials, live with them; mock after a run of live failures and while re-authorisation is needed', async () => {
    const without = await connectionIn('auto', {});
    expect(await sync(without)).toMatchObject({
      status: 'completed',
      source: 'mock',
      fallbackReason: 'no credentials for the live platform',
      recordsWritten: DAYS * MOCK_ADS,
    });
    expect(await latestSyncLog(harness.database.db, without.id)).toMatchObject({
      source: 'mock',
      data_mode: 'auto',
      fallback_reason: 'no credentials for the live platform',
      fallback_at: null,
    });

    const withCredentials = await connectionIn('auto');
    expect(await sync(withCredentials)).toMatchObject({ status: 'completed', source: 'live', fallbackReason: null, recordsWritten: DAYS * LIVE_ADS });

    // Three live failures in a row (unreadable answers fail at once) turn auto to mock.
    for (let i = 0; i < 3; i++) {
      emulator.faults.set({ malformedNext: 1 });
      await expect(sync(withCredentials)).rejects.toBeInstanceOf(WorkflowFailedError);
    }
    emulator.faults.clear();
    const requestsBefore = emulator.faults.stats().requests;
    expect(await sync(withCredentials)).toMatchObject({ status: 'completed', source: 'mock', fallbackReason: 'the last 3 live syncs failed' });
    expect(emulator.faults.stats().requests).toBe(requestsBefore);

    const reauth = await connectionIn('auto');
    await setConnectionStatus(harness.database.db, reauth.id, 'reauth_required');
    expect(await sync(reauth)).toMatchObject({ status: 'completed', source: 'mock', fallbackReason: 'the connection needs re-authorisation' });
  });

  it('exposes the mode and the fallback reason through the progress query while it runs', async () => {
    const connection = await connectionIn('auto', {});
    emulator.faults.set({ latencyMs: 0 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    const progress = await waitFor(
      () => handle.query<{ mode: string | null }>('progress').catch(() => ({ mode: null })),
      (p) => p.mode !== null,
      { timeoutMs: 20_000, what: 'progress with a mode' },
    );
    expect(progress).toMatchObject({ mode: 'auto', source: 'mock', fallbackReason: 'no credentials for the live platform' });
    await handle.result();
  });
});
