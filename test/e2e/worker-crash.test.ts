import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { adPerformanceRowCount } from '../../connectors/mock/generator';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { listSyncLogStreams } from '../../db/repositories/sync-log-streams';
import { listStreamCursors } from '../../db/repositories/sync-stream-cursors';
import { type ServiceProcess, waitFor } from '../../scripts/service-process';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { startWorkerProcess } from '../setup/worker-process';
import { openTestHarness, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2025-01-01', endDate: '2025-12-31' };
const PAGE_SIZE = 100;

/**
 * The durability claim, tested the hard way: the worker process is SIGKILLed in the middle of a
 * sync; another worker picks the sync up (after the heartbeat timeout) and finishes it with every
 * page written exactly once.
 */
describe('a worker killed mid-sync', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: PAGE_SIZE });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await emulator.close();
    await harness.close();
  });

  async function startWorker(taskQueue: string): Promise<ServiceProcess> {
    const worker = await startWorkerProcess(harness, { taskQueue, env: { GOOGLE_ADS_BASE_URL: emulator.url } });
    workers.push(worker);
    return worker;
  }

  it('loses no page and writes none twice', async () => {
    const taskQueue = uniqueName('crash');
    const first = await startWorker(taskQueue);
    const connection = await createTestConnection(harness, { platform: 'google_ads', dataMode: 'live', accountId: emulator.shape.accountId, credentials: { ...emulator.credentials } });
    emulator.faults.set({ latencyMs: 40 });
    const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);

    await waitFor(() => latestSyncLog(harness.database.db, connection.id), (log) => (log?.pages ?? 0) >= 5, { timeoutMs: 30_000, what: 'five pages written' });
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no graceful exit
    const pagesAtCrash = (await latestSyncLog(harness.database.db, connection.id))!.pages;
    emulator.faults.clear();

    await startWorker(taskQueue);
    const result = await handle.result();

    const expectedRows = adPerformanceRowCount(emulator.shape, WINDOW);
    const pages = Math.ceil(expectedRows / PAGE_SIZE);
    expect(pagesAtCrash).toBeLessThan(pages);
    expect(result).toMatchObject({ status: 'completed', recordsWritten: expectedRows, pages });
    expect(await countMetrics(harness.database.db, connection.id)).toBe(expectedRows);
    const log = await latestSyncLog(harness.database.db, connection.id);
    expect(log).toMatchObject({ status: 'completed', pages, records_fetched: expectedRows, records_written: expectedRows });
    // The stream's own counters agree with the log's, and its cursor moved once, with its last page.
    const [stream] = await listSyncLogStreams(harness.database.db, [log!.id]);
    expect(stream).toMatchObject({ stream: 'ad_performance', pages, records_fetched: expectedRows, records_written: expectedRows, bytes_written: log!.bytes_written });
    expect(stream!.completed_at).not.toBeNull();
    expect(await listStreamCursors(harness.database.db, connection.id)).toEqual([]); // a backfill of an old range leaves no cursor
  }, 120_000);
});
