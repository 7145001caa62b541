import { WorkflowFailedError } from '@temporalio/client';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { adPerformanceRowCount } from '../../connectors/mock/generator';
import { findConnectionById } from '../../db/repositories/connections';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { FailureType } from '../../domain/errors';
import { waitFor } from '../../scripts/service-process';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-03-31' };
const PAGE_SIZE = 50;

describe('connectionSyncWorkflow against a live platform API (Google Ads emulator)', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  let expectedRows: number;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: PAGE_SIZE });
    expectedRows = adPerformanceRowCount(emulator.shape, WINDOW);
    taskQueue = uniqueName('sync-live');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url }, settings: { chunkBudgetMs: 300 } });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const liveConnection = (credentials = emulator.credentials) =>
    createTestConnection(harness, { platform: 'google_ads', dataMode: 'live', accountId: emulator.shape.accountId, credentials: { ...credentials } });

  it('pages the whole window into Postgres; a mid-sync 503 is retried and resumes exactly after the last written page', async () => {
    const connection = await liveConnection();
    emulator.faults.set({ latencyMs: 20 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    await waitFor(
      () => latestSyncLog(harness.database.db, connection.id),
      (log) => (log?.pages ?? 0) >= 3,
      { timeoutMs: 20_000, what: 'three pages written' },
    );
    emulator.faults.set({ latencyMs: 20, failNext: { status: 503, count: 1 } });

    const result = await handle.result();
    const pages = Math.ceil(expectedRows / PAGE_SIZE);
    expect(result).toMatchObject({ status: 'completed', recordsWritten: expectedRows, pages });
    expect(await countMetrics(harness.database.db, connection.id)).toBe(expectedRows);
    // Every page fetched and written exactly once, although one attempt failed part-way.
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({
      status: 'completed',
      source: 'live',
      pages,
      records_fetched: expectedRows,
      records_written: expectedRows,
    });
    expect(emulator.faults.stats().failuresInjected).toBe(1);
  });

  it('fails fast on rejected credentials: one request, no retry, connection marked reauth_required', async () => {
    const connection = await liveConnection({ access_token: 'revoked-token-value', developer_token: 'dev-token-value' });
    const before = emulator.faults.stats().requests;
    const failure = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({ type: FailureType.PlatformAuth });
    expect(emulator.faults.stats().requests - before).toBe(1);
    expect((await findConnectionById(harness.database.db, connection.id))?.status).toBe('reauth_required');
    const log = await latestSyncLog(harness.database.db, connection.id);
    expect(log).toMatchObject({ status: 'failed', records_written: 0 });
    expect(log?.error).not.toContain('revoked-token-value');
    expect(await countMetrics(harness.database.db, connection.id)).toBe(0);
  });

  it("waits the platform's own retry delay after a 429, then completes", async () => {
    const connection = await liveConnection();
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 3 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
    const pending = await waitFor(
      async () => (await handle.describe()).raw.pendingActivities?.[0],
      (activity) => activity?.lastFailure?.applicationFailureInfo?.type === FailureType.PlatformRateLimited && !!activity.nextAttemptScheduleTime,
      { timeoutMs: 20_000, what: 'rate-limited attempt recorded' },
    );
    // The next attempt is scheduled the platform's 3 s out, not the retry policy's 2 s backoff.
    const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) + (t?.nanos ?? 0) / 1e9;
    expect(seconds(pending!.nextAttemptScheduleTime) - seconds(pending!.lastStartedTime)).toBeGreaterThanOrEqual(2.7);
    expect(await handle.result()).toMatchObject({ status: 'completed', recordsWritten: expectedRows });
  });

  it('fails without retrying when the platform answers something unreadable, and writes nothing', async () => {
    const connection = await liveConnection();
    emulator.faults.set({ malformedNext: 1 });
    const failure = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result().then(
      () => null,
      (err: unknown) => err,
    );
    expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({ type: FailureType.PlatformMalformedResponse });
    expect(await countMetrics(harness.database.db, connection.id)).toBe(0);
    expect((await findConnectionById(harness.database.db, connection.id))?.status).toBe('active');
  });

  it('renews rejected credentials once (a token refresh) and carries on; rejected twice, it fails', async () => {
    const renewals: string[] = [];
    const queue = uniqueName('sync-renewal');
    const renewing = await startTestSyncWorker(harness, {
      taskQueue: queue,
      baseUrls: { google_ads: emulator.url },
      // Stands in for the OAuth refresh: the first renewal gets credentials the platform accepts, later ones none.
      refreshCredentials: async ({ rejected }) => {
        renewals.push(rejected.access_token ?? '');
        return renewals.length === 1 ? { ...emulator.credentials } : null;
      },
    });
    try {
      const stale = await liveConnection({ access_token: 'expired-access-token', developer_token: emulator.credentials.developer_token! });
      expect(await (await startSyncWorkflow(harness.temporal.client, stale, queue, WINDOW)).result()).toMatchObject({
        status: 'completed',
        recordsWritten: expectedRows,
      });
      expect(renewals).toEqual(['expired-access-token']);

      const revoked = await liveConnection({ access_token: 'expired-access-token', developer_token: emulator.credentials.developer_token! });
      const failure = await (await startSyncWorkflow(harness.temporal.client, revoked, queue, WINDOW)).result().then(
        () => null,
        (err: unknown) => err,
      );
      expect((failure as WorkflowFailedError).cause?.cause).toMatchObject({ type: FailureType.PlatformAuth });
      expect(renewals).toEqual(['expired-access-token', 'expired-access-token']);
    } finally {
      await renewing.stop();
    }
  });
});
