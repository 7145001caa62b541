import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { createLinkedInAdsConnector } from '../../../connectors/linkedin-ads/connector';
import { adPerformanceRow, adPerformanceRowCount } from '../../../connectors/mock/generator';
import { addDays, type DateWindow, type MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const startLinkedInEmulator = (options: EmulatorOptions = {}) => startEmulator('linkedin_ads', options);

const ACCOUNT_ID = '508555111';
const credentials = { access_token: 'AQV-linkedin-secret-token-93c1' };
/** 16 days: read as two weeks and two days. */
const window = { startDate: '2026-01-05', endDate: '2026-01-20' };
const request: FetchPageRequest = { stream: 'ad_performance', cursor: null, window };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createLinkedInAdsConnector({
    baseUrl: emulator.url,
    credentials,
    accountId: `urn:li:sponsoredAccount:${ACCOUNT_ID}`,
    timeoutMs: 5_000,
    network: EMULATOR_NETWORK,
    ...overrides,
  });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const generatorRows = (running: RunningEmulator, w: DateWindow) =>
  Array.from({ length: adPerformanceRowCount(running.shape, w) }, (_, i) => adPerformanceRow(running.shape, w, i));
const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;

beforeAll(async () => {
  emulator = await startLinkedInEmulator({ shape: { accountId: ACCOUNT_ID, campaigns: 2, adSetsPerCampaign: 2, adsPerAdSet: 3 }, credentials });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('LinkedIn Ads connector against its emulator', () => {
  it('tests the connection with the ad account', async () => {
    const result = await connect().testConnection();
    expect(result).toMatchObject({ ok: true, accountName: `Emulated ad account ${ACCOUNT_ID}` });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reads adAnalytics a week at a time to exactly the generator rows', async () => {
    const { records, pages } = await readAllPages(connect(), request);
    const expected = generatorRows(emulator, window);
    expect(expected).toHaveLength(192);
    expect(pages).toBe(3);
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const row = expected[i]!;
      expect(record).toMatchObject({
        stream: 'ad_performance',
        entityId: row.entity.adId,
        date: row.date,
        impressions: row.impressions,
        clicks: row.clicks,
        spend: row.spend,
        conversions: row.conversions,
        revenue: row.conversionValue,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({ pivotValues: [`urn:li:sponsoredCreative:${row.entity.adId}`], costInLocalCurrency: String(row.spend) });
    });
  });

  it('reads fewer days again when an answer reaches the 15,000-element cut-off', async () => {
    // 2,500 creatives: a week is 17,500 elements, more than LinkedIn answers.
    const large = await startLinkedInEmulator({ shape: { accountId: ACCOUNT_ID, campaigns: 50, adSetsPerCampaign: 10, adsPerAdSet: 5 }, credentials });
    try {
      const week = { startDate: '2026-03-02', endDate: '2026-03-08' };
      const { records, pages } = await readAllPages(connect({ baseUrl: large.url }), { ...request, window: week });
      expect(pages).toBe(2);
      expect(records.map(key)).toEqual(generatorRows(large, week).map((r) => `${r.entity.adId}|${r.date}`));
    } finally {
      await large.close();
    }
  });

  it('resumes from a saved cursor (the next range start) with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(request);
    expect(first.nextCursor).toBe(addDays(window.startDate, 7));
    expect(first.bytesRead).toBeGreaterThan(0);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    const all = await readAllPages(connect(), request);
    expect([...first.records, ...rest.records].map(key)).toEqual(all.records.map(key));
    await expect(connect().fetchPage({ ...request, cursor: '2025-12-31' })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('classifies an invalid token as auth', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().testConnection())).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: '65600' } });

    const wrongToken = await failureOf(connect({ credentials: { access_token: 'AQV-some-other-token' } }).fetchPage(request));
    expect(wrongToken).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(wrongToken.message).not.toContain('AQV-some-other-token');
  });

  it('classifies throttling as rate_limited until the daily limits reset at midnight UTC', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 } });
    const before = Date.now();
    const err = await failureOf(connect().fetchPage(request));
    const untilMidnight = (now: number) => Date.parse(`${addDays(new Date(now).toISOString().slice(0, 10), 1)}T00:00:00Z`) - now;
    expect(err).toMatchObject({ kind: 'rate_limited', details: { status: 429, platformCode: 'TOO_MANY_REQUESTS' } });
    expect(err.details.retryAfterMs).toBeLessThanOrEqual(untilMidnight(before));
    expect(err.details.retryAfterMs).toBeGreaterThanOrEqual(untilMidnight(Date.now()));
  });

  it('serves an empty account as no records, one date range after another', async () => {
    emulator.faults.set({ empty: true });
    const { records, pages } = await readAllPages(connect(), request);
    expect(records).toEqual([]);
    expect(pages).toBe(3);
  });
});
