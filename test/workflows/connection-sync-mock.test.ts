import { findConnectionById } from '../../db/repositories/connections';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { listSyncLogs } from '../../db/repositories/sync-logs';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const JANUARY = { startDate: '2026-01-01', endDate: '2026-01-31' };
const ADS_PER_ACCOUNT = 18; // DEFAULT_ACCOUNT_SHAPE: 3 campaigns × 2 ad sets × 3 ads

describe('connectionSyncWorkflow with the mock source', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('pages a mock meta_business account into Postgres; a re-sync updates in place and duplicates nothing', async () => {
    const taskQueue = uniqueName('sync-mock');
    const worker = await startTestSyncWorker(harness, { taskQueue, settings: { pageSize: 100 } });
    try {
      const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
      const expectedRows = 31 * ADS_PER_ACCOUNT;

      const first = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, JANUARY)).result();
      expect(first).toMatchObject({ status: 'completed', recordsFetched: expectedRows, recordsWritten: expectedRows, pages: Math.ceil(expectedRows / 100) });
      expect(await countMetrics(harness.database.db, connection.id, { source: 'mock' })).toBe(expectedRows);

      const second = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, JANUARY)).result();
      expect(second.recordsWritten).toBe(expectedRows);
      expect(await countMetrics(harness.database.db, connection.id, { source: 'mock' })).toBe(expectedRows);

      const logs = await listSyncLogs(harness.database.db, connection.id, 10);
      expect(logs).toHaveLength(2);
      for (const log of logs) {
        expect(log).toMatchObject({
          status: 'completed',
          source: 'mock',
          pages: 6,
          records_fetched: expectedRows,
          records_written: expectedRows,
          window_start: '2026-01-01',
          window_end: '2026-01-31',
          error: null,
        });
        expect(log.finished_at).not.toBeNull();
      }
      expect((await findConnectionById(harness.database.db, connection.id))?.last_sync_status).toBe('completed');
      expect(await worker.metricsRegistry.getSingleMetricAsString('liftos_syncs_completed_total')).toMatch(/platform="meta_business",source="mock"} 2/);
      expect(await worker.metricsRegistry.getSingleMetricAsString('liftos_sync_records_total')).toMatch(
        new RegExp(`stream="ad_performance"} ${2 * expectedRows}`),
      );
    } finally {
      await worker.stop();
    }
  });
});
