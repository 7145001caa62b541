import { randomUUID } from 'node:crypto';
import type { Connector } from '../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { type ConnectorRegistry, createConnectorRegistry } from '../../connectors/registry';
import { findConnectionById } from '../../db/repositories/connections';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import { addDays } from '../../domain/sync';
import { latestSyncLog } from '../../db/repositories/sync-logs';
import { createTestApi } from '../setup/api-client';
import { createTestConnection, startSyncWorkflow } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';
import { EMULATOR_NETWORK } from '../setup/connector-test-kit';

const CONNECTIONS = '/api/v1/platform-connections/connections';
const PAGE_SIZE = 25;

/**
 * Item 9 of issue #11: one NUL in a Shopify customer's or a HubSpot contact's name failed COPY (and
 * jsonb) on every retry, and six failed syncs disabled the connection. Now the text is cleaned, a record
 * no column can hold is quarantined, and the sync completes, its log counting and sampling both.
 */
describe('connectionSyncWorkflow with records Postgres cannot store as sent (Shopify and HubSpot emulators)', () => {
  let harness: TestHarness;
  let shopify: RunningEmulator;
  let hubspot: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let api: ReturnType<typeof createTestApi>;
  let taskQueue: string;
  const today = new Date().toISOString().slice(0, 10);
  // About 80 contacts (created over the year before today) and 480 Shopify orders.
  const window = { startDate: addDays(today, -120), endDate: today };

  beforeAll(async () => {
    harness = await openTestHarness();
    [shopify, hubspot] = await Promise.all([startEmulator('shopify', { pageSize: PAGE_SIZE }), startEmulator('hubspot', { pageSize: PAGE_SIZE })]);
    taskQueue = uniqueName('sync-quarantine');
    const baseUrls = { shopify: shopify.url, hubspot: hubspot.url };
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls });
    api = createTestApi(harness, { taskQueue, baseUrls });
  });
  afterEach(() => {
    shopify.faults.clear();
    hubspot.faults.clear();
  });
  afterAll(async () => {
    await worker.stop();
    await Promise.all([shopify.close(), hubspot.close()]);
    await harness.close();
  });

  /** Each in an org of its own: an org connects an account once. */
  async function liveConnection(emulator: RunningEmulator) {
    const orgId = `org-${randomUUID().slice(0, 8)}`;
    const connection = await createTestConnection(harness, {
      platform: emulator.platform,
      dataMode: 'live',
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.connectorCredentials },
      orgId,
    });
    return { connection, viewer: await api.token(orgId, 'viewer') };
  }

  it.each(['shopify', 'hubspot'] as const)(
    '%s: names with a NUL and an unpaired surrogate are stored cleaned, counted and sampled; the sync completes',
    async (platform) => {
      const emulator = platform === 'shopify' ? shopify : hubspot;
      emulator.faults.set({ unstorableText: true });
      const { connection, viewer } = await liveConnection(emulator);

      const result = await (await startSyncWorkflow(harness.temporal.client, connection, taskQueue, window)).result();
      expect(result).toMatchObject({ status: 'completed', recordsQuarantined: 0 });
      expect(result.recordsWritten).toBeGreaterThan(PAGE_SIZE);
      expect(await countMetrics(harness.database.db, connection.id)).toBe(result.recordsWritten);
      const log = await latestSyncLog(harness.database.db, connection.id);
      expect(log).toMatchObject({ status: 'completed', error: null, records_quarantined: 0, records_written: result.recordsWritten });
      // Every contact's name carries the fault (and every Shopify order its line items and customer).
      expect(log!.records_cleaned).toBe(result.recordsWritten);
      expect(await findConnectionById(harness.database.db, connection.id)).toMatchObject({ status: 'active', consecutive_sync_failures: 0 });

      const stored = await harness.database.db
        .selectFrom('marketing_metrics')
        .select(['entity_name', 'raw'])
        .where('connection_id', '=', connection.id)
        .where('stream', '=', 'contacts')
        .limit(1)
        .executeTakeFirstOrThrow();
      const text = JSON.stringify(stored.raw);
      expect(text).not.toContain('\\u0000');
      expect(text).toContain('\ufffd');

      // The sync's history shows the counts and a few samples: which record, which field, why; no values.
      const history = await api.call('GET', `${CONNECTIONS}/${connection.id}/sync/history`, { token: viewer });
      expect(history.status).toBe(200);
      const [shown] = history.json.syncs;
      expect(shown).toMatchObject({ records_cleaned: result.recordsWritten, records_quarantined: 0, quarantine: { quarantined: [] } });
      expect(shown.quarantine.cleaned).toHaveLength(10);
      expect(shown.quarantine.cleaned[0]).toEqual({
        stream: expect.any(String),
        entity_id: expect.any(String),
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        field: expect.stringContaining('raw'),
        reason: expect.stringContaining('NUL (U+0000) removed'),
      });
      const status = await api.call('GET', `${CONNECTIONS}/${connection.id}/sync`, { token: viewer });
      expect(status.json).toMatchObject({ status: 'completed', records_cleaned: result.recordsWritten, records_quarantined: 0 });
      expect(status.json.quarantine.cleaned).toHaveLength(10);
    },
  );

  it('a record no column can hold is quarantined: the rest of its page is written and the sync completes', async () => {
    // The HubSpot connector over its emulator, with one contact a page answered out of range: a
    // created date of year 0 and, for another, a count too large for bigint.
    const base = createConnectorRegistry({ baseUrls: { hubspot: hubspot.url }, timeoutMs: 5_000, network: EMULATOR_NETWORK });
    let corrupted = 0;
    const corrupting: ConnectorRegistry = {
      create(request): Connector {
        const connector = base.create(request);
        return {
          ...connector,
          listStreams: () => connector.listStreams(),
          testConnection: () => connector.testConnection(),
          async fetchPage(req) {
            const page = await connector.fetchPage(req);
            const records = page.records.map((r, i) => (i === 0 ? { ...r, date: '0000-01-01' } : i === 1 ? { ...r, impressions: 2 ** 70 } : r));
            corrupted += Math.min(2, records.length);
            return { ...page, records };
          },
        };
      },
    };
    const queue = uniqueName('sync-quarantine-corrupt');
    const corruptWorker = await startTestSyncWorker(harness, { taskQueue: queue, connectors: corrupting });
    try {
      const { connection, viewer } = await liveConnection(hubspot);
      const result = await (await startSyncWorkflow(harness.temporal.client, connection, queue, window)).result();
      const log = await latestSyncLog(harness.database.db, connection.id);
      expect(corrupted).toBeGreaterThan(2);
      expect(result).toMatchObject({ status: 'completed', recordsQuarantined: corrupted });
      expect(log).toMatchObject({
        status: 'completed',
        records_quarantined: result.recordsQuarantined,
        records_written: result.recordsFetched - result.recordsQuarantined,
      });
      expect(await countMetrics(harness.database.db, connection.id)).toBe(result.recordsFetched - result.recordsQuarantined);

      const history = await api.call('GET', `${CONNECTIONS}/${connection.id}/sync/history`, { token: viewer });
      const [shown] = history.json.syncs;
      expect(shown.records_quarantined).toBe(result.recordsQuarantined);
      expect(shown.quarantine.quarantined.slice(0, 2)).toEqual([
        { stream: 'contacts', entity_id: expect.any(String), date: '0000-01-01', field: 'date', reason: 'not a calendar date' },
        { stream: 'contacts', entity_id: expect.any(String), date: expect.stringMatching(/^\d{4}-/), field: 'impressions', reason: 'out of range for bigint' },
      ]);
      expect(shown.quarantine.quarantined).toHaveLength(Math.min(10, result.recordsQuarantined));
    } finally {
      await corruptWorker.stop();
    }
  });

  it('POST /platform-connections/data answers records with a NUL as JSON', async () => {
    hubspot.faults.set({ unstorableText: true });
    const { connection, viewer } = await liveConnection(hubspot);
    const res = await api.call('POST', '/api/v1/platform-connections/data', {
      token: viewer,
      json: { connection_id: connection.id, start_date: window.startDate, end_date: window.endDate, mode: 'live' },
    });
    expect(res.status).toBe(200);
    expect(res.json.records.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.json.records[0])).toMatch(/\\u0000/);
  });
});
