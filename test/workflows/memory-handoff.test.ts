import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../../connectors/emulator';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import type { MemoryBatch } from '../../domain/memory-record';
import { waitFor } from '../../scripts/service-process';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-01-01', endDate: '2026-01-10' };
const ROWS = 10 * 18; // 10 days × the mock account's 18 ads
const METRICS_PER_ROW = 5; // impressions, clicks, spend, conversions, revenue
const BATCH_SIZE = 40;

interface Delivery {
  header: string | undefined;
  batch: MemoryBatch;
  answered: number;
}

/** A Memory Service stand-in on loopback: records every delivery; fails the first attempt of the batches it is told to. */
async function startReceiver(failFirstAttemptOf: (batchIndex: number) => boolean) {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString()) as MemoryBatch;
      const firstAttempt = !seen.has(batch.batch_id);
      seen.add(batch.batch_id);
      const answered = firstAttempt && failFirstAttemptOf(batch.batch_index) ? 503 : 202;
      deliveries.push({ header: req.headers['idempotency-key'] as string | undefined, batch, answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ingest`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('hand-off of a sync’s records to the Memory Service', () => {
  let harness: TestHarness;
  beforeAll(async () => {
    harness = await openTestHarness();
  });
  afterAll(() => harness.close());

  it('posts every record in batches with stable ids; a batch refused once is sent again, none is lost, and the retry resumes at that batch', async () => {
    const receiver = await startReceiver((index) => index === 2);
    const taskQueue = uniqueName('memory');
    const worker = await startTestSyncWorker(harness, { taskQueue, memory: { url: receiver.url, batchSize: BATCH_SIZE } });
    try {
      const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
      const result = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
      const batchCount = Math.ceil(ROWS / BATCH_SIZE);
      expect(result.memoryHandoff).toEqual({ status: 'delivered', batches: batchCount, records: ROWS * METRICS_PER_ROW });

      // Each delivery names its batch the same way in the header and the body.
      for (const d of receiver.deliveries) expect(d.header).toBe(d.batch.batch_id);
      expect(receiver.deliveries.map((d) => [d.batch.batch_index, d.answered])).toEqual([
        [0, 202],
        [1, 202],
        [2, 503],
        // The retry starts at the refused batch: 0 and 1 are not sent again.
        [2, 202],
        ...Array.from({ length: batchCount - 3 }, (_, i) => [i + 3, 202]),
      ]);
      const [refused, resent] = receiver.deliveries.filter((d) => d.batch.batch_index === 2);
      expect(resent!.batch).toEqual(refused!.batch);
      expect(resent!.batch.batch_id).toBe(`${result.syncLogId}:2`);

      // Accepted batches hold every written row's observations exactly once.
      const accepted = receiver.deliveries.filter((d) => d.answered === 202).flatMap((d) => d.batch.records);
      expect(accepted).toHaveLength(ROWS * METRICS_PER_ROW);
      expect(new Set(accepted.map((r) => `${r.entity}|${r.metric}|${r.timestamp}`)).size).toBe(ROWS * METRICS_PER_ROW);
      expect(accepted[0]).toMatchObject({
        entity: expect.stringMatching(/^meta_business:ad:\d+$/),
        source: 'mock',
        timestamp: expect.stringMatching(/^2026-01-(0[1-9]|10)T00:00:00\.000Z$/),
        lineage: {
          connection_id: connection.id,
          platform: 'meta_business',
          sync_log_id: result.syncLogId,
          stream: 'ad_performance',
          raw_entity_id: expect.any(String),
        },
      });
      expect(accepted.every((r) => typeof r.value === 'number' && r.value >= 0)).toBe(true);
      expect(receiver.deliveries.every((d) => d.batch.batch_count === batchCount && d.batch.connection_id === connection.id)).toBe(true);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it("a hybrid sync that fell back hands off its live and its mock rows, each record with its row's source column", async () => {
    const emulator = await startEmulator('google_ads', { pageSize: 50 });
    const receiver = await startReceiver(() => false);
    const taskQueue = uniqueName('memory-hybrid');
    const worker = await startTestSyncWorker(harness, {
      taskQueue,
      baseUrls: { google_ads: emulator.url },
      settings: { chunkBudgetMs: 300 },
      memory: { url: receiver.url, batchSize: BATCH_SIZE },
    });
    try {
      const connection = await createTestConnection(harness, {
        platform: 'google_ads',
        dataMode: 'hybrid',
        accountId: emulator.shape.accountId,
        credentials: { ...emulator.credentials },
      });
      await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
      receiver.deliveries.length = 0;
      // The next sync refreshes live pages of those rows, then live fails and mock serves the stream.
      emulator.faults.set({ latencyMs: 300 });
      const handle = await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW);
      await waitFor(
        () => latestSyncLog(harness.database.db, connection.id),
        (log) => log?.status === 'running' && log.pages >= 2,
        { timeoutMs: 20_000, what: 'two live pages written' },
      );
      emulator.faults.set({ failNext: { status: 500, count: 1_000 } });
      const result = await handle.result();
      expect(result).toMatchObject({ source: 'mock', memoryHandoff: { status: 'delivered' } });

      const log = (await latestSyncLog(harness.database.db, connection.id))!;
      const written = await harness.database.db
        .selectFrom('marketing_metrics')
        .select(['entity_id', 'date', 'source'])
        .where('connection_id', '=', connection.id)
        .where('synced_at', '>=', log.started_at)
        .execute();
      const rowSources = new Set(written.map((r) => `${r.entity_id}|${r.date}T00:00:00.000Z|${r.source}`));
      const records = receiver.deliveries.flatMap((d) => d.batch.records);
      const recordSources = new Set(records.map((r) => `${r.lineage.raw_entity_id}|${r.timestamp}|${r.source}`));
      expect(recordSources).toEqual(rowSources);
      expect(new Set(records.map((r) => r.source))).toEqual(new Set(['live', 'mock']));
    } finally {
      await worker.stop();
      await receiver.close();
      await emulator.close();
    }
  });

  it('hands off nothing when MEMORY_SERVICE_URL is unset', async () => {
    const taskQueue = uniqueName('memory-off');
    const worker = await startTestSyncWorker(harness, { taskQueue });
    try {
      const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
      const result = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
      expect(result).toMatchObject({ status: 'completed', recordsWritten: ROWS, memoryHandoff: { status: 'skipped', batches: 0, records: 0 } });
    } finally {
      await worker.stop();
    }
  });

  it('does not fail a completed sync when the Memory Service refuses a batch outright', async () => {
    const refusing = createServer((_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"schema"}'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const taskQueue = uniqueName('memory-refused');
    const worker = await startTestSyncWorker(harness, {
      taskQueue,
      memory: { url: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/`, batchSize: 1_000 },
    });
    try {
      const connection = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock' });
      const result = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, WINDOW)).result();
      expect(result).toMatchObject({ status: 'completed', memoryHandoff: { status: 'failed', error: expect.stringContaining('HTTP 400') } });
    } finally {
      await worker.stop();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });
});
