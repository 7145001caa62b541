import { amazonOrderId } from '../../connectors/amazon-seller-central/emulator';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { orderIndexRange, orderRow } from '../../connectors/mock/commerce-generator';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2025-01-01', endDate: '2025-02-28' };
const PAGE_SIZE = 50;

describe('connectionSyncWorkflow against Amazon SP-API (emulator, through the connector registry)', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('amazon_seller_central');
    taskQueue = uniqueName('sync-amazon');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { amazon_seller_central: emulator.url }, settings: { pageSize: PAGE_SIZE } });
  });
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  it('syncs the window’s orders into Postgres with the token URL taken from the stored credentials, a 503 retried', async () => {
    const { from, to } = orderIndexRange(emulator.shape, WINDOW);
    const expected = to - from;
    expect(expected).toBeGreaterThan(PAGE_SIZE * 2);
    const connection = await createTestConnection(harness, {
      platform: 'amazon_seller_central',
      dataMode: 'live',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials, lwa_token_url: `${emulator.url}/auth/o2/token` },
    });
    emulator.faults.set({ failNext: { status: 503, count: 1 } });

    const result = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
    expect(result).toMatchObject({ status: 'completed', recordsWritten: expected, pages: Math.ceil(expected / PAGE_SIZE) });
    expect(await countMetrics(harness.database.db, connection.id)).toBe(expected);
    expect(await latestSyncLog(harness.database.db, connection.id)).toMatchObject({ status: 'completed', source: 'live', records_written: expected });
    const rows = await harness.database.db
      .selectFrom('marketing_metrics')
      .select(['entity_id', 'revenue'])
      .where('connection_id', '=', connection.id)
      .execute();
    const orders = Array.from({ length: expected }, (_, i) => orderRow(emulator.shape, from + i));
    expect(rows.map((r) => r.entity_id).sort()).toEqual(orders.map((o) => amazonOrderId(o.index)).sort());
    const paid = orders.filter((o) => o.financialStatus === 'paid').reduce((sum, o) => sum + o.total, 0);
    expect(rows.reduce((sum, r) => sum + Number(r.revenue ?? 0), 0)).toBeCloseTo(paid, 2);
  });
});
