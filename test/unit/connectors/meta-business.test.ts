import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { adPerformanceRow, adPerformanceRowCount } from '../../../connectors/mock/generator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: 'EAAB-meta-secret-token-7f3a91' };
const window = { startDate: '2026-01-05', endDate: '2026-01-09' };
const request: FetchPageRequest = { stream: 'ad_performance', cursor: null, window, pageSize: 25 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return LIVE_CONNECTORS.meta_business!.create({
    baseUrl: emulator.url,
    credentials,
    accountId: 'act_555000111',
    timeoutMs: 5_000,
    network: EMULATOR_NETWORK,
    ...overrides,
  });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));

beforeAll(async () => {
  emulator = await startEmulator('meta_business', { shape: { accountId: '555000111', campaigns: 2, adSetsPerCampaign: 2, adsPerAdSet: 3 }, credentials });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Meta Business connector against its emulator', () => {
  it('tests the connection with the ad account node', async () => {
    const result = await connect().testConnection();
    expect(result).toMatchObject({ ok: true, accountName: 'Emulated ad account 555000111' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('pages through insights to exactly the generator rows', async () => {
    const { records, pages } = await readAllPages(connect(), request);
    const expected = Array.from({ length: adPerformanceRowCount(emulator.shape, window) }, (_, i) => adPerformanceRow(emulator.shape, window, i));
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
      expect(record.clicks!).toBeLessThanOrEqual(record.impressions!);
      expect(record.raw).toMatchObject({ ad_id: row.entity.adId, campaign_name: row.entity.campaignName, date_start: row.date });
    });
  });

  it('resumes from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(request);
    expect(first.nextCursor).not.toBeNull();
    expect(first.bytesRead).toBeGreaterThan(0);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    const all = await readAllPages(connect(), request);
    const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;
    expect(first.records.length + rest.records.length).toBe(all.records.length);
    expect(new Set([...first.records, ...rest.records].map(key)).size).toBe(all.records.length);
    expect([...first.records, ...rest.records].map(key)).toEqual(all.records.map(key));
  });

  it('classifies an expired token (code 190) as auth, whatever the HTTP status', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    const injected = await failureOf(connect().fetchPage(request));
    expect(injected).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: '190' } });

    const wrongToken = await failureOf(connect({ credentials: { access_token: 'EAAB-some-other-token' } }).testConnection());
    expect(wrongToken).toMatchObject({ kind: 'auth', details: { status: 400, platformCode: '190' } });
    expect(wrongToken.message).not.toContain('EAAB-some-other-token');
  });

  it('classifies throttling as rate_limited with the wait from X-Business-Use-Case-Usage', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 120 });
    const err = await failureOf(connect().fetchPage(request));
    expect(err).toMatchObject({ kind: 'rate_limited', details: { platformCode: '80000/2446079', retryAfterMs: 120_000 } });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    const page = await connect().fetchPage(request);
    expect(page.records).toEqual([]);
    expect(page.nextCursor).toBeNull();
  });
});
