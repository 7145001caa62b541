import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { adPerformanceRowCount } from '../../connectors/mock/generator';
import { generateSnowflakeKeyPair } from '../../connectors/snowflake/emulator';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { waitFor } from '../../scripts/service-process';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-03-31' };
const PART_ROWS = 200;
const VIEW = 'ANALYTICS.MARKETING.LIFTOS_DAILY_PERFORMANCE';

describe('connectionSyncWorkflow against live warehouses (Snowflake and Databricks emulators)', () => {
  let harness: TestHarness;
  let snowflake: RunningEmulator;
  let databricks: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;
  const keys = generateSnowflakeKeyPair();
  const snowflakeCredentials = { account: 'myorg-liftos', user: 'LIFTOS_SYNC', private_key: keys.privateKey };

  beforeAll(async () => {
    harness = await openTestHarness();
    snowflake = await startEmulator('snowflake', {
      shape: { accountId: VIEW },
      credentials: { ...snowflakeCredentials, public_key: keys.publicKey },
      pageSize: PART_ROWS,
    });
    databricks = await startEmulator('databricks', { shape: { accountId: VIEW }, pageSize: PART_ROWS });
    taskQueue = uniqueName('sync-warehouse');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { snowflake: snowflake.url }, settings: { chunkBudgetMs: 300 } });
  });
  afterAll(async () => {
    await worker.stop();
    await snowflake.close();
    await databricks.close();
    await harness.close();
  });

  it.each(['snowflake', 'databricks'] as const)(
    '%s: syncs every row of the window through a statement that runs long, across a mid-sync 503',
    async (platform) => {
      const emulator = platform === 'snowflake' ? snowflake : databricks;
      const credentials = platform === 'snowflake' ? snowflakeCredentials : { ...databricks.credentials, host: databricks.url };
      const connection = await createTestConnection(harness, { platform, dataMode: 'live', accountId: VIEW, credentials });
      const expectedRows = adPerformanceRowCount(emulator.shape, WINDOW);
      emulator.faults.set({ runningPolls: 2, latencyMs: 20 });

      const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => (log?.pages ?? 0) >= 2,
        { timeoutMs: 20_000, what: 'two pages written' },
      );
      emulator.faults.set({ latencyMs: 20, failNext: { status: 503, count: 1 } });

      const result = await handle.result();
      const pages = Math.ceil(expectedRows / PART_ROWS);
      expect(result).toMatchObject({ status: 'completed', recordsWritten: expectedRows, pages });
      expect(await countMetrics(harness.database.db, connection.id)).toBe(expectedRows);
      expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({
        status: 'completed',
        source: 'live',
        records_fetched: expectedRows,
        records_written: expectedRows,
      });
      expect(emulator.faults.stats().failuresInjected).toBe(1);
    },
  );
});
