import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { adPerformanceRow, adPerformanceRowCount } from '../../../connectors/mock/generator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: 'ya29.google-secret-access-4c1d', developer_token: 'DEV-google-secret-token-88aa' };
const window = { startDate: '2026-02-02', endDate: '2026-02-08' };
const request: FetchPageRequest = { stream: 'ad_performance', cursor: null, window };
/** The server fixes Google's page size; the emulator's is set small so a few pages cover the window. */
const SERVER_PAGE_SIZE = 20;
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return LIVE_CONNECTORS.google_ads!.create({
    baseUrl: emulator.url,
    credentials,
    accountId: '987-654-3210',
    timeoutMs: 5_000,
    network: EMULATOR_NETWORK,
    ...overrides,
  });
}

const failureOf = (work: Promise<unknown>, secrets: readonly string[] = Object.values(credentials)) => connectorFailure(work, secrets);

beforeAll(async () => {
  emulator = await startEmulator('google_ads', {
    shape: { accountId: '9876543210', campaigns: 2, adSetsPerCampaign: 2, adsPerAdSet: 2 },
    credentials,
    pageSize: SERVER_PAGE_SIZE,
  });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Google Ads connector against its emulator', () => {
  it('tests the connection with a customer query', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: 'Emulated customer 9876543210' });
  });

  it('pages through googleAds:search to exactly the generator rows, cost_micros as spend', async () => {
    const { records, pages } = await readAllPages(connect(), request);
    const expected = Array.from({ length: adPerformanceRowCount(emulator.shape, window) }, (_, i) => adPerformanceRow(emulator.shape, window, i));
    expect(expected).toHaveLength(56);
    expect(pages).toBe(3);
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const row = expected[i]!;
      expect(record).toMatchObject({
        entityId: row.entity.adId,
        parentId: row.entity.adSetId,
        date: row.date,
        impressions: row.impressions,
        clicks: row.clicks,
        conversions: row.conversions,
        revenue: row.conversionValue,
        currency: 'USD',
      });
      expect(record.spend).toBeCloseTo(row.spend, 6);
      expect(record.clicks!).toBeLessThanOrEqual(record.impressions!);
      expect(record.raw).toMatchObject({ segments: { date: row.date }, campaign: { id: row.entity.campaignId } });
    });
  });

  it('resumes from a saved page token with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(request);
    expect(first.records).toHaveLength(SERVER_PAGE_SIZE);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    const all = await readAllPages(connect(), request);
    const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;
    expect([...first.records, ...rest.records].map(key)).toEqual(all.records.map(key));
    expect(new Set(all.records.map(key)).size).toBe(all.records.length);
  });

  it('classifies UNAUTHENTICATED and PERMISSION_DENIED as auth, scrubbing an echoed developer token', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({
      kind: 'auth',
      details: { status: 401, platformCode: 'authenticationError.OAUTH_TOKEN_INVALID' },
    });

    const wrongDeveloperToken = 'DEV-not-the-right-token-1234';
    const echoed = await failureOf(connect({ credentials: { ...credentials, developer_token: wrongDeveloperToken } }).testConnection(), [wrongDeveloperToken]);
    expect(echoed).toMatchObject({ kind: 'auth', details: { platformCode: 'authenticationError.DEVELOPER_TOKEN_INVALID' } });
    expect(echoed.message).toContain('[redacted]');

    const otherCustomer = await failureOf(connect({ accountId: '1112223333' }).fetchPage(request));
    expect(otherCustomer).toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('classifies RESOURCE_EXHAUSTED as rate_limited with RetryInfo.retryDelay', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 45 });
    const err = await failureOf(connect().fetchPage(request));
    expect(err).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'quotaError.RESOURCE_TEMPORARILY_EXHAUSTED', retryAfterMs: 45_000 },
    });
  });

  it('rejects a page token replayed against another query as a non-retryable failure', async () => {
    const first = await connect().fetchPage(request);
    const err = await failureOf(connect().fetchPage({ ...request, cursor: first.nextCursor, window: { ...window, endDate: '2026-02-09' } }));
    expect(err).toMatchObject({ kind: 'malformed', details: { status: 400, platformCode: 'requestError.INVALID_PAGE_TOKEN' } });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(request)).resolves.toMatchObject({ records: [], nextCursor: null });
  });

  it('takes faults and reports stats over its HTTP control endpoints', async () => {
    const before = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as { requests: number; failuresInjected: number };
    const control = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(control.status).toBe(200);
    expect(await failureOf(connect().fetchPage(request))).toMatchObject({ kind: 'transient', details: { status: 500 } });
    const after = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as typeof before;
    expect(after).toMatchObject({ requests: before.requests + 1, failuresInjected: before.failuresInjected + 1 });

    const invalid = await fetch(`${emulator.url}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ failNext: { status: 418, count: 1 } }) });
    expect(invalid.status).toBe(400);
  });
});
