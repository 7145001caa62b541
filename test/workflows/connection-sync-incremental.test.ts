import { WorkflowFailedError } from '@temporalio/client';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { createMockConnector } from '../../connectors/mock/connector';
import { adPerformanceRowCount } from '../../connectors/mock/generator';
import { toMetricsBatch } from '../../db/metrics-copy-format';
import { setConnectionStatus } from '../../db/repositories/connections';
import { countMetrics, listMetrics } from '../../db/repositories/marketing-metrics';
import { listSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { listStreamCursors } from '../../db/repositories/sync-stream-cursors';
import type { Connection } from '../../db/schema';
import { FailureType } from '../../domain/errors';
import { type DateWindow, addDays } from '../../domain/sync';
import { connectionSyncWorkflowId } from '../../domain/workflow-ids';
import { waitFor } from '../../scripts/service-process';
import { connectionSyncWorkflow } from '../../workflows/connection-sync';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const ADS_PER_DAY = 18; // DEFAULT_ACCOUNT_SHAPE: 3 campaigns × 2 ad sets × 3 ads
const PAGE_SIZE = 100;

describe('incremental syncs, backfills and resyncs', () => {
  let harness: TestHarness;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  /** The workers' clock: the day decides every incremental window. */
  let today = '2026-03-20';

  beforeAll(async () => {
    harness = await openTestHarness();
    taskQueue = uniqueName('sync-incremental');
    worker = await startTestSyncWorker(harness, {
      taskQueue,
      settings: { pageSize: PAGE_SIZE, lookbackDays: 7, defaultWindowDays: 30 },
      now: () => new Date(`${today}T12:00:00Z`),
    });
  });
  afterAll(async () => {
    await worker.stop();
    await harness.close();
  });

  const sync = async (connection: Connection, window?: DateWindow) =>
    (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, window)).result();
  const resync = async (connection: Connection, stream?: 'contacts' | 'email_performance') =>
    (
      await harness.temporal.client.workflow.start(connectionSyncWorkflow, {
        taskQueue,
        workflowId: connectionSyncWorkflowId(connection.id),
        args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, resync: stream ? { stream } : {} }],
      })
    ).result();
  const cursors = async (connection: Connection) =>
    Object.fromEntries((await listStreamCursors(harness.database.db, connection.id)).map((c) => [c.stream, c.synced_through]));
  const streamsOf = async (connection: Connection) => listSyncLogStreams(harness.database.db, [(await latestSyncLog(harness.database.db, connection.id))!.id]);

  it('reads an ad platform from its cursor less the lookback on the next sync; bytes written are the COPY batches', async () => {
    today = '2026-03-20';
    const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
    const first = await sync(connection);
    expect(first).toMatchObject({ status: 'completed', recordsFetched: 30 * ADS_PER_DAY });
    expect(await cursors(connection)).toEqual({ ad_performance: '2026-03-20' });

    today = '2026-03-25';
    const second = await sync(connection);
    // 2026-03-13 (cursor − 7 days) through 2026-03-25: 13 days, not the default 30.
    expect(second).toMatchObject({ status: 'completed', recordsFetched: 13 * ADS_PER_DAY, recordsWritten: 13 * ADS_PER_DAY });
    const [stream] = await streamsOf(connection);
    expect(stream).toMatchObject({
      stream: 'ad_performance',
      window_start: '2026-03-13',
      window_end: '2026-03-25',
      records_fetched: 13 * ADS_PER_DAY,
      pages: Math.ceil((13 * ADS_PER_DAY) / PAGE_SIZE),
    });
    expect(await cursors(connection)).toEqual({ ad_performance: '2026-03-25' });
    expect(await countMetrics(harness.database.db, connection.id, { source: 'mock' })).toBe(35 * ADS_PER_DAY);

    // Bytes written: the size of the COPY text of each page, as the connector served them.
    const connector = createMockConnector({ platform: 'meta_business', accountId: connection.account_id });
    let expectedBytes = 0;
    for (let cursor: string | null = null, started = false; !started || cursor !== null; started = true) {
      const page = await connector.fetchPage({
        stream: 'ad_performance',
        cursor,
        window: { startDate: '2026-03-13', endDate: '2026-03-25' },
        pageSize: PAGE_SIZE,
      });
      expectedBytes += Buffer.byteLength(
        toMetricsBatch(
          { connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, stream: 'ad_performance', source: 'mock' },
          page.records,
        ).copyText,
      );
      cursor = page.nextCursor;
    }
    expect(Number(stream!.bytes_written)).toBe(expectedBytes);
    expect(Number((await latestSyncLog(harness.database.db, connection.id))!.bytes_written)).toBe(expectedBytes);
  });

  it('reads other platforms from the cursor itself, each stream from its own cursor', async () => {
    today = '2026-03-20';
    const connection = await createTestConnection(harness, { platform: 'klaviyo', dataMode: 'mock' });
    await sync(connection);
    expect(await cursors(connection)).toEqual({ contacts: '2026-03-20', email_performance: '2026-03-20' });
    today = '2026-03-22';
    await sync(connection);
    const windows = (await streamsOf(connection)).map((s) => [s.stream, s.window_start, s.window_end, Number(s.bytes_written) > 0]);
    expect(windows).toEqual([
      ['contacts', '2026-03-20', '2026-03-22', true],
      ['email_performance', '2026-03-20', '2026-03-22', true],
    ]);
    expect(await cursors(connection)).toEqual({ contacts: '2026-03-22', email_performance: '2026-03-22' });
  });

  it('backfills exactly an old range and leaves the cursor where it was', async () => {
    today = '2026-03-20';
    const connection = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'mock' });
    await sync(connection);
    const before = await listStreamCursors(harness.database.db, connection.id);
    const backfill = await sync(connection, { startDate: '2025-01-01', endDate: '2025-01-31' });
    expect(backfill).toMatchObject({ status: 'completed', recordsFetched: 31 * ADS_PER_DAY });
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({ kind: 'backfill', window_start: '2025-01-01', window_end: '2025-01-31' });
    expect(await listStreamCursors(harness.database.db, connection.id)).toEqual(before);
    expect(await countMetrics(harness.database.db, connection.id, { source: 'mock' })).toBe(61 * ADS_PER_DAY);
  });

  it('resyncs one stream (its stale rows go, the other stream untouched), then the whole connection', async () => {
    today = '2026-03-20';
    const connection = await createTestConnection(harness, { platform: 'klaviyo', dataMode: 'mock' });
    await sync(connection);
    const stale = (stream: 'contacts' | 'email_performance', entity: string) => ({
      connection_id: connection.id,
      stream,
      entity_id: entity,
      date: '2026-03-01',
      org_id: connection.org_id,
      platform: connection.platform,
      raw: JSON.stringify({ stale: true }),
      source: 'mock' as const,
    });
    await harness.database.db
      .insertInto('marketing_metrics')
      .values([stale('contacts', 'deleted-on-platform'), stale('email_performance', 'deleted-message')])
      .execute();
    const rows = async (stream: string) =>
      (
        await harness.database.db
          .selectFrom('marketing_metrics')
          .select('entity_id')
          .where('connection_id', '=', connection.id)
          .where('stream', '=', stream as 'contacts')
          .execute()
      ).map((r) => r.entity_id);
    const contactsBefore = (await rows('contacts')).length;
    const emailsBefore = (await rows('email_performance')).length;

    const one = await resync(connection, 'contacts');
    expect(one.status).toBe('completed');
    expect(await rows('contacts')).not.toContain('deleted-on-platform');
    expect((await rows('contacts')).length).toBe(contactsBefore - 1);
    expect(await rows('email_performance')).toContain('deleted-message');
    expect((await streamsOf(connection)).map((s) => s.stream)).toEqual(['contacts']);
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({ kind: 'resync', status: 'completed' });

    await resync(connection);
    expect(await rows('email_performance')).not.toContain('deleted-message');
    expect((await rows('email_performance')).length).toBe(emailsBefore - 1);
    expect((await streamsOf(connection)).map((s) => s.stream)).toEqual(['contacts', 'email_performance']);
    const audit = await harness.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', connection.id)
      .where('action', '=', 'sync.end')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => (a.details as { rows_removed?: number }).rows_removed)).toEqual([undefined, 1, 1]);
  });

  describe('against a live platform API (Google Ads emulator)', () => {
    let emulator: RunningEmulator;
    let liveQueue: string;
    let liveWorker: Awaited<ReturnType<typeof startTestSyncWorker>>;
    const LIVE_PAGE = 50;

    beforeAll(async () => {
      emulator = await startEmulator('google_ads', { pageSize: LIVE_PAGE });
      liveQueue = uniqueName('sync-incremental-live');
      liveWorker = await startTestSyncWorker(harness, {
        taskQueue: liveQueue,
        baseUrls: { google_ads: emulator.url },
        settings: { chunkBudgetMs: 300 },
        now: () => new Date(`${today}T12:00:00Z`),
      });
    });
    afterEach(() => emulator.faults.clear());
    afterAll(async () => {
      await liveWorker.stop();
      await emulator.close();
    });

    const liveConnection = () =>
      createTestConnection(harness, {
        platform: 'google_ads',
        dataMode: 'live',
        accountId: emulator.shape.accountId,
        credentials: { ...emulator.credentials },
      });
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (err: unknown) => err,
      );

    it('resumes an incremental window exactly after a failed attempt; a sync failing before the last page leaves the cursor and the rows', async () => {
      today = '2026-02-28';
      const connection = await liveConnection();
      expect(await (await startSyncWorkflow(harness.temporal.client, connection, liveQueue)).result()).toMatchObject({ status: 'completed' });
      expect(await cursors(connection)).toEqual({ ad_performance: '2026-02-28' });

      // Next sync: 2026-02-21 … 2026-03-31 (40 days); one attempt fails mid-stream and is retried.
      today = '2026-03-31';
      const window = { startDate: '2026-02-21', endDate: '2026-03-31' };
      const expected = adPerformanceRowCount(emulator.shape, window);
      emulator.faults.set({ latencyMs: 20 });
      const handle = await startSyncWorkflow(harness.temporal.client, connection, liveQueue);
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => log?.kind === 'incremental' && log.window_end === '2026-03-31' && log.pages >= 3,
        { timeoutMs: 20_000, what: 'three pages written' },
      );
      emulator.faults.set({ latencyMs: 20, failNext: { status: 503, count: 1 } });
      expect(await handle.result()).toMatchObject({
        status: 'completed',
        recordsFetched: expected,
        recordsWritten: expected,
        pages: Math.ceil(expected / LIVE_PAGE),
      });
      const [stream] = await streamsOf(connection);
      expect(stream).toMatchObject({ window_start: '2026-02-21', window_end: '2026-03-31', records_fetched: expected, pages: Math.ceil(expected / LIVE_PAGE) });
      expect(Number(stream!.bytes_read)).toBeGreaterThan(0);
      expect(await cursors(connection)).toEqual({ ad_performance: '2026-03-31' });
      const rowsBefore = await countMetrics(harness.database.db, connection.id);

      // A sync that fails after some pages but before the stream's last leaves the cursor where it was.
      today = '2026-04-30';
      emulator.faults.set({ latencyMs: 20 });
      const failing = await startSyncWorkflow(harness.temporal.client, connection, liveQueue);
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => log?.window_end === '2026-04-30' && log.pages >= 2,
        { timeoutMs: 20_000, what: 'two pages written' },
      );
      emulator.faults.set({ malformedNext: 1 });
      expect(((await failure(failing.result())) as WorkflowFailedError).cause?.cause).toMatchObject({ type: FailureType.PlatformMalformedResponse });
      expect(await cursors(connection)).toEqual({ ad_performance: '2026-03-31' });
      expect((await streamsOf(connection))[0]).toMatchObject({ completed_at: null });
      expect(await countMetrics(harness.database.db, connection.id)).toBeGreaterThan(rowsBefore);
    });

    const startResync = (connection: Connection, queue = liveQueue) =>
      harness.temporal.client.workflow.start(connectionSyncWorkflow, {
        taskQueue: queue,
        workflowId: connectionSyncWorkflowId(connection.id),
        args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, resync: {} }],
      });
    /** The connection's rows of one source, as `<entity>|<date>` → impressions. */
    const valuesOf = async (connection: Connection, source: 'live' | 'mock') =>
      new Map(
        (await listMetrics(harness.database.db, connection.id, { limit: 100_000, offset: 0, source })).map((r) => [`${r.entity_id}|${r.date}`, r.impressions]),
      );
    const removedAd = (connection: Connection, date: string) => ({
      connection_id: connection.id,
      stream: 'ad_performance' as const,
      entity_id: 'removed-ad',
      date,
      org_id: connection.org_id,
      platform: connection.platform,
      raw: JSON.stringify({}),
      source: 'live' as const,
    });

    it('a hybrid resync that falls back to mock removes no live row', async () => {
      today = '2026-03-20';
      const connection = await createTestConnection(harness, {
        platform: 'google_ads',
        dataMode: 'hybrid',
        accountId: emulator.shape.accountId,
        credentials: { ...emulator.credentials },
      });
      expect(await (await startSyncWorkflow(harness.temporal.client, connection, liveQueue)).result()).toMatchObject({ status: 'completed', source: 'live' });
      await harness.database.db.insertInto('marketing_metrics').values(removedAd(connection, '2026-03-01')).execute();
      const before = await valuesOf(connection, 'live');

      emulator.faults.set({ latencyMs: 20 });
      const handle = await startResync(connection);
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => log?.kind === 'resync' && log.pages >= 2,
        { timeoutMs: 20_000, what: 'two live resync pages written' },
      );
      emulator.faults.set({ failNext: { status: 500, count: 1_000 } });
      expect(await handle.result()).toMatchObject({ status: 'completed', source: 'mock' });

      // Every live row stays, with its live values; the resync's mock rows are rows of their own.
      expect(await valuesOf(connection, 'live')).toEqual(before);
      expect((await valuesOf(connection, 'mock')).size).toBeGreaterThan(0);
    });

    it('an auto resync served by mock (the connection awaits re-authorisation) removes no live row', async () => {
      today = '2026-03-20';
      const connection = await createTestConnection(harness, {
        platform: 'google_ads',
        dataMode: 'auto',
        accountId: emulator.shape.accountId,
        credentials: { ...emulator.credentials },
      });
      expect(await (await startSyncWorkflow(harness.temporal.client, connection, liveQueue)).result()).toMatchObject({ status: 'completed', source: 'live' });
      await harness.database.db.insertInto('marketing_metrics').values(removedAd(connection, '2026-03-01')).execute();
      const before = await valuesOf(connection, 'live');
      await setConnectionStatus(harness.database.db, connection.id, 'reauth_required');

      expect(await (await startResync(connection)).result()).toMatchObject({ status: 'completed', source: 'mock' });
      expect(await valuesOf(connection, 'live')).toEqual(before);
      expect((await valuesOf(connection, 'mock')).size).toBeGreaterThan(0);
    });

    it('a live resync of a platform that keeps only its last 30 days removes stale rows of those days and keeps the older days', async () => {
      today = '2026-03-20';
      // A platform whose answers count back from the workers' today.
      const limited = await startEmulator('google_ads', { pageSize: 200, asOf: today });
      const queue = uniqueName('sync-retention');
      const retentionWorker = await startTestSyncWorker(harness, {
        taskQueue: queue,
        baseUrls: { google_ads: limited.url },
        now: () => new Date(`${today}T12:00:00Z`),
      });
      try {
        const connection = await createTestConnection(harness, {
          platform: 'google_ads',
          dataMode: 'live',
          accountId: limited.shape.accountId,
          credentials: { ...limited.credentials },
        });
        const january = { startDate: '2026-01-01', endDate: '2026-01-31' };
        await (await startSyncWorkflow(harness.temporal.client, connection, queue, january)).result();
        await (await startSyncWorkflow(harness.temporal.client, connection, queue)).result();
        const recent = { startDate: addDays(today, -29), endDate: today };
        const expected = adPerformanceRowCount(limited.shape, january) + adPerformanceRowCount(limited.shape, recent);
        expect(await countMetrics(harness.database.db, connection.id)).toBe(expected);
        // An ad the platform no longer reports, on a day it still serves: the resync removes it.
        await harness.database.db.insertInto('marketing_metrics').values(removedAd(connection, '2026-03-10')).execute();
        const januaryBefore = [...(await valuesOf(connection, 'live')).entries()].filter(([key]) => key.includes('|2026-01-'));

        limited.faults.set({ retentionDays: 30 });
        expect(await (await startResync(connection, queue)).result()).toMatchObject({
          status: 'completed',
          source: 'live',
          recordsFetched: adPerformanceRowCount(limited.shape, recent),
        });
        const after = await valuesOf(connection, 'live');
        expect(after.has('removed-ad|2026-03-10')).toBe(false);
        // January could not be re-read: its stored days stay as they were.
        expect([...after.entries()].filter(([key]) => key.includes('|2026-01-'))).toEqual(januaryBefore);
        expect(after.size).toBe(expected);
        const audit = await harness.database.db
          .selectFrom('audit_log')
          .select('details')
          .where('target_id', '=', connection.id)
          .where('action', '=', 'sync.end')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        expect((audit.details as { rows_removed: number }).rows_removed).toBe(1);
      } finally {
        await retentionWorker.stop();
        await limited.close();
      }
    });

    it('a resync that fails part-way removes nothing', async () => {
      today = '2026-03-20';
      const connection = await liveConnection();
      await (await startSyncWorkflow(harness.temporal.client, connection, liveQueue)).result();
      await harness.database.db
        .insertInto('marketing_metrics')
        .values({
          connection_id: connection.id,
          stream: 'ad_performance',
          entity_id: 'removed-ad',
          date: '2026-03-01',
          org_id: connection.org_id,
          platform: connection.platform,
          raw: JSON.stringify({}),
          source: 'live',
        })
        .execute();
      const before = await countMetrics(harness.database.db, connection.id);
      emulator.faults.set({ latencyMs: 20 });
      const handle = await harness.temporal.client.workflow.start(connectionSyncWorkflow, {
        taskQueue: liveQueue,
        workflowId: connectionSyncWorkflowId(connection.id),
        args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, resync: {} }],
      });
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => log?.kind === 'resync' && log.pages >= 2,
        { timeoutMs: 20_000, what: 'two resync pages written' },
      );
      emulator.faults.set({ malformedNext: 1 });
      expect(await failure(handle.result())).toBeInstanceOf(WorkflowFailedError);
      expect(await countMetrics(harness.database.db, connection.id)).toBe(before);
      expect(await cursors(connection)).toEqual({ ad_performance: '2026-03-20' });
    });
  });
});
