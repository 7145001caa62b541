import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { adPerformanceRow, adPerformanceRowCount } from '../../../connectors/mock/generator';
import { createTikTokConnector } from '../../../connectors/tiktok/connector';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const startTikTokEmulator = (options: EmulatorOptions = {}) => startEmulator('tiktok', options);

const ADVERTISER_ID = '7090000000555000111';
const credentials = { access_token: 'tt-act.tiktok-secret-token-5e2b', advertiser_id: ADVERTISER_ID };
const window = { startDate: '2026-01-05', endDate: '2026-01-09' };
const request: FetchPageRequest = { stream: 'ad_performance', cursor: null, window, pageSize: 25 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createTikTokConnector({ baseUrl: emulator.url, credentials, accountId: ADVERTISER_ID, timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const expectedRows = (w: typeof window) => Array.from({ length: adPerformanceRowCount(emulator.shape, w) }, (_, i) => adPerformanceRow(emulator.shape, w, i));

beforeAll(async () => {
  emulator = await startTikTokEmulator({ shape: { accountId: ADVERTISER_ID, campaigns: 2, adSetsPerCampaign: 2, adsPerAdSet: 3 }, credentials });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('TikTok connector against its emulator', () => {
  it('tests the connection with advertiser info', async () => {
    const result = await connect().testConnection();
    expect(result).toMatchObject({ ok: true, accountName: `Emulated advertiser ${ADVERTISER_ID}` });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('pages through the integrated report to exactly the generator rows', async () => {
    const { records, pages } = await readAllPages(connect(), request);
    const expected = expectedRows(window);
    expect(expected).toHaveLength(60);
    expect(pages).toBe(3);
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const row = expected[i]!;
      expect(record).toMatchObject({
        stream: 'ad_performance',
        entityId: row.entity.adId,
        parentId: row.entity.adSetId,
        entityName: row.entity.adName,
        date: row.date,
        impressions: row.impressions,
        clicks: row.clicks,
        spend: row.spend,
        conversions: row.conversions,
        revenue: row.conversionValue,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({
        dimensions: { ad_id: row.entity.adId, stat_time_day: `${row.date} 00:00:00` },
        metrics: { spend: row.spend.toFixed(2) },
      });
    });
  });

  it('reads a window longer than 30 days as consecutive reports', async () => {
    const long = { startDate: '2026-01-01', endDate: '2026-02-14' };
    const { records, pages } = await readAllPages(connect(), { ...request, window: long, pageSize: 1_000 });
    const expected = expectedRows(long);
    expect(pages).toBe(2);
    expect(records.map((r) => `${r.entityId}|${r.date}`)).toEqual(expected.map((r) => `${r.entity.adId}|${r.date}`));
  });

  it('resumes from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(request);
    expect(first.nextCursor).toBe('2026-01-05:2');
    expect(first.bytesRead).toBeGreaterThan(0);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    const all = await readAllPages(connect(), request);
    const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;
    expect(first.records.length + rest.records.length).toBe(all.records.length);
    expect([...first.records, ...rest.records].map(key)).toEqual(all.records.map(key));
    await expect(connect().fetchPage({ ...request, cursor: 'not-a-cursor' })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('classifies return code 40105 (in an HTTP 200) as auth', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({ kind: 'auth', details: { status: 200, platformCode: '40105' } });

    const wrongToken = await failureOf(connect({ credentials: { ...credentials, access_token: 'tt-act.some-other-token' } }).testConnection());
    expect(wrongToken).toMatchObject({ kind: 'auth', details: { platformCode: '40105' } });
    expect(wrongToken.message).not.toContain('tt-act.some-other-token');
  });

  it('classifies throttling (40133) as rate_limited with the recovery of the limit TikTok names', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 300 });
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({ kind: 'rate_limited', details: { platformCode: '40133', retryAfterMs: 300_000 } });
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 1 });
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 1_000 } });
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 3_600 });
    const daily = await failureOf(connect().fetchPage(request));
    const untilMidnight = Date.parse(`${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`) - Date.now();
    expect(daily.details.retryAfterMs).toBeGreaterThanOrEqual(untilMidnight);
    expect(daily.details.retryAfterMs).toBeLessThanOrEqual(untilMidnight + 1_000);
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    const page = await connect().fetchPage(request);
    expect(page.records).toEqual([]);
    expect(page.nextCursor).toBeNull();
  });
});
