import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { adPerformanceRow, adPerformanceRowCount } from '../../../connectors/mock/generator';
import { createXAdsConnector } from '../../../connectors/x-ads/connector';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const startXAdsEmulator = (options: EmulatorOptions = {}) => startEmulator('x_ads', options);

const ACCOUNT_ID = '18ce55k1x9q';
const credentials = {
  consumer_key: 'xck-consumer-key-4a7e19',
  consumer_secret: 'xcs-consumer-secret-0b3f77d2',
  access_token: '99887766-x-access-token-c51d',
  access_token_secret: 'xts-token-secret-e8a240',
};
/** 10 days: a week and three days per batch. */
const window = { startDate: '2026-01-05', endDate: '2026-01-14' };
const request: FetchPageRequest = { stream: 'ad_performance', cursor: null, window };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createXAdsConnector({ baseUrl: emulator.url, credentials, accountId: ACCOUNT_ID, timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;

beforeAll(async () => {
  // 24 promoted tweets: two batches, of 20 and 4.
  emulator = await startXAdsEmulator({ shape: { accountId: ACCOUNT_ID, campaigns: 3, adSetsPerCampaign: 2, adsPerAdSet: 4 }, credentials });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('X Ads connector against its emulator', () => {
  it('tests the connection with the account, signed with OAuth 1.0a', async () => {
    const result = await connect().testConnection();
    expect(result).toMatchObject({ ok: true, accountName: `Emulated ad account ${ACCOUNT_ID}` });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reads stats per batch of 20 promoted tweets and week, to exactly the generator rows', async () => {
    const { records, pages } = await readAllPages(connect(), request);
    const expected = new Map(
      Array.from({ length: adPerformanceRowCount(emulator.shape, window) }, (_, i) => adPerformanceRow(emulator.shape, window, i)).map((row) => [
        `${row.entity.adId}|${row.date}`,
        row,
      ]),
    );
    expect(expected.size).toBe(240);
    expect(pages).toBe(4);
    expect(records).toHaveLength(expected.size);
    expect(new Set(records.map(key)).size).toBe(expected.size);
    for (const record of records) {
      const row = expected.get(key(record))!;
      expect(row).toBeDefined();
      expect(record).toMatchObject({
        stream: 'ad_performance',
        parentId: row.entity.adSetId,
        impressions: row.impressions,
        clicks: row.clicks,
        spend: row.spend,
        conversions: row.conversions,
        revenue: row.conversionValue,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({ id: row.entity.adId, date: row.date, metrics: { billed_charge_local_micro: Math.round(row.spend * 1e6) } });
    }
  });

  it('resumes from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(request);
    expect(first.records).toHaveLength(20 * 7);
    expect(first.bytesRead).toBeGreaterThan(0);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    const all = await readAllPages(connect(), request);
    expect([...first.records, ...rest.records].map(key)).toEqual(all.records.map(key));
    await expect(connect().fetchPage({ ...request, cursor: '{"batch":null}' })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('classifies a rejected signature as auth', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'UNAUTHORIZED_ACCESS' } });

    const wrongSecret = await failureOf(connect({ credentials: { ...credentials, consumer_secret: 'xcs-another-secret' } }).testConnection());
    expect(wrongSecret).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(wrongSecret.message).not.toContain('xcs-another-secret');
  });

  it('classifies throttling as rate_limited until x-rate-limit-reset', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 120 });
    const err = await failureOf(connect().fetchPage(request));
    expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, platformCode: 'TOO_MANY_REQUESTS' } });
    // The reset is a whole epoch second.
    expect(err.details.retryAfterMs).toBeGreaterThan(118_000);
    expect(err.details.retryAfterMs).toBeLessThanOrEqual(121_000);
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    const page = await connect().fetchPage(request);
    expect(page.records).toEqual([]);
    expect(page.nextCursor).toBeNull();
  });
});
