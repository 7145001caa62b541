import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { parseRetryAfter } from '../../../connectors/http-client';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { emailPerformanceRow, emailPerformanceRowCount } from '../../../connectors/mock/email-generator';
import { contactRow } from '../../../connectors/mock/generator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { api_key: 'pk_klaviyo_secret_key_5e6f7a8b' };
const asOf = '2026-03-31';
const window = { startDate: '2026-03-01', endDate: '2026-03-10' };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 50 };
const emailPerformance: FetchPageRequest = { stream: 'email_performance', cursor: null, window };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return LIVE_CONNECTORS.klaviyo!.create({ baseUrl: emulator.url, credentials, accountId: 'KLV42', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));

const key = (r: MetricRecord) => `${r.entityId}|${r.date}`;

beforeAll(async () => {
  emulator = await startEmulator('klaviyo', { shape: { accountId: 'KLV42', campaigns: 3, contacts: 130 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Klaviyo connector against its emulator', () => {
  it('tests the connection with the accounts endpoint', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: 'Emulated store KLV42' });
  });

  it('pages through profiles to exactly the generator contacts', async () => {
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBe(3);
    expect(records).toHaveLength(130);
    records.forEach((record, i) => {
      const contact = contactRow(emulator.shape, asOf, i);
      expect(record).toMatchObject({
        stream: 'contacts',
        entityId: contact.id,
        date: contact.createdDate,
        entityName: `${contact.firstName} ${contact.lastName}`,
      });
      expect(record.raw).toMatchObject({ type: 'profile', attributes: { email: contact.email, location: { city: contact.city } } });
    });
  });

  it('caps page[size] at Klaviyo’s maximum of 100', async () => {
    const page = await connect().fetchPage({ ...contacts, pageSize: 500 });
    expect(page.records).toHaveLength(100);
  });

  it('resumes profiles from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(contacts);
    const rest = await readAllPages(connect(), { ...contacts, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual((await readAllPages(connect(), contacts)).records.map(key));
  });

  it('builds daily email performance from metric aggregates, a week per page', async () => {
    const { records, pages } = await readAllPages(connect(), emailPerformance);
    const expected = Array.from({ length: emailPerformanceRowCount(emulator.shape, window) }, (_, i) => emailPerformanceRow(emulator.shape, window, i));
    expect(pages).toBe(2);
    expect(records).toHaveLength(30);
    const byKey = new Map(records.map((r) => [key(r), r]));
    expect(byKey.size).toBe(records.length);
    for (const row of expected) {
      const record = byKey.get(`${row.message.messageId}|${row.date}`);
      expect(record).toMatchObject({
        stream: 'email_performance',
        impressions: row.received,
        clicks: row.clicked,
        conversions: row.orders,
        revenue: row.revenue,
        spend: null,
        currency: 'USD',
        raw: { opened: row.opened },
      });
      expect(record!.clicks!).toBeLessThanOrEqual(record!.impressions!);
    }
  });

  it('resumes email performance from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(emailPerformance);
    expect(first.records.every((r) => r.date <= '2026-03-07')).toBe(true);
    const rest = await readAllPages(connect(), { ...emailPerformance, cursor: first.nextCursor });
    expect(rest.records.every((r) => r.date >= '2026-03-08')).toBe(true);
    expect(first.records.length + rest.records.length).toBe(30);
  });

  it('classifies 401 as auth', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'not_authenticated' } });
    const wrongKey = await failureOf(connect({ credentials: { api_key: 'pk_wrong_key_000111' } }).testConnection());
    expect(wrongKey).toMatchObject({ kind: 'auth' });
    expect(wrongKey.message).not.toContain('pk_wrong_key_000111');
  });

  it('classifies 429 as rate_limited with the Retry-After delay', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 7 });
    expect(await failureOf(connect().fetchPage(emailPerformance))).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'throttled', retryAfterMs: 7_000 },
    });
  });

  it('reads Retry-After as delta-seconds or an HTTP-date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('rejects a cursor outside the window as malformed', async () => {
    expect(await failureOf(connect().fetchPage({ ...emailPerformance, cursor: '2027-01-01' }))).toMatchObject({ kind: 'malformed' });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    const email = await readAllPages(connect(), emailPerformance);
    expect(email.records).toEqual([]);
  });
});
