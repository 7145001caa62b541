import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { type AccountShape, contactRow } from '../../../connectors/mock/generator';
import { createZohoCrmConnector } from '../../../connectors/zoho-crm/connector';
import { zohoContactId } from '../../../connectors/zoho-crm/emulator';
import { addDays, type DateWindow, type MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: '1000.zohocrm-secret-access-3d9f.7a1b60c2' };
const asOf = '2026-03-31';
const quarter = { startDate: '2026-01-01', endDate: '2026-03-31' };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window: quarter, pageSize: 40 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createZohoCrmConnector({ baseUrl: emulator.url, credentials, accountId: '20251042', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const key = (r: MetricRecord) => r.entityId;

/** The generator's contacts created within the window, by Zoho id. */
function contactsWithin(shape: AccountShape, window: DateWindow) {
  const all = Array.from({ length: shape.contacts }, (_, index) => ({ ...contactRow(shape, asOf, index), id: zohoContactId(index) }));
  return new Map(all.filter((c) => c.createdDate >= window.startDate && c.createdDate <= window.endDate).map((c) => [c.id, c]));
}

beforeAll(async () => {
  emulator = await startEmulator('zoho_crm', { shape: { accountId: '20251042', contacts: 600 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Zoho CRM connector against its emulator', () => {
  it('tests the connection by listing a contact', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null });
  });

  it('lists newest first to exactly the generator contacts created in the window, on their UTC day', async () => {
    const expected = contactsWithin(emulator.shape, quarter);
    expect(expected.size).toBeGreaterThan(120);
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBeLessThanOrEqual(Math.ceil(expected.size / 40) + 1);
    expect(records.map(key).sort()).toEqual([...expected.keys()].sort());
    for (const record of records) {
      const contact = expected.get(record.entityId)!;
      expect(record).toMatchObject({ stream: 'contacts', date: contact.createdDate, entityName: `${contact.firstName} ${contact.lastName}` });
      // Zoho writes the org's local time: midnight UTC is the evening before in -08:00.
      expect(record.raw).toMatchObject({ id: contact.id, Email: contact.email, Created_Time: `${addDays(contact.createdDate, -1)}T16:00:00-08:00` });
    }
  });

  it('skips contacts newer than the window and stops at the first older one', async () => {
    const february = { startDate: '2026-02-01', endDate: '2026-02-28' };
    const expected = contactsWithin(emulator.shape, february);
    const newer = contactsWithin(emulator.shape, { startDate: '2026-03-01', endDate: asOf });
    const { records, pages } = await readAllPages(connect(), { ...contacts, window: february });
    expect(records.map(key).sort()).toEqual([...expected.keys()].sort());
    // Only contacts modified since February are listed, and the listing ends within one page of its end.
    expect(pages).toBeLessThanOrEqual(Math.ceil((newer.size + expected.size) / 40) + 1);
  });

  it('resumes from a saved page token with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(contacts);
    expect(first.nextCursor).toMatch(/^page_token=/);
    const rest = await readAllPages(connect(), { ...contacts, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual((await readAllPages(connect(), contacts)).records.map(key));
  });

  it('reads past the 2,000 records `page` can reach, with page tokens', async () => {
    const big = await startEmulator('zoho_crm', { shape: { accountId: '20251043', contacts: 2_300 }, credentials, asOf });
    try {
      const refused = await fetch(`${big.url}/crm/v6/Contacts?fields=Email&per_page=200&page=11`, {
        headers: { authorization: `Zoho-oauthtoken ${credentials.access_token}` },
      });
      expect(await refused.json()).toMatchObject({ code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', status: 'error' });

      const connector = createZohoCrmConnector({ baseUrl: big.url, credentials, accountId: '20251043', network: EMULATOR_NETWORK });
      const year = { startDate: '2025-04-01', endDate: asOf };
      const { records } = await readAllPages(connector, { ...contacts, window: year, pageSize: 200 });
      expect(new Set(records.map(key)).size).toBe(2_300);
    } finally {
      await big.close();
    }
  });

  it('takes the API root from the api_domain credential, and refuses a clear-text one', async () => {
    const viaApiDomain = connect({ baseUrl: 'https://www.zohoapis.invalid', credentials: { ...credentials, api_domain: emulator.url } });
    await expect(viaApiDomain.testConnection()).resolves.toMatchObject({ ok: true });
    const insecure = await failureOf(connect({ credentials: { ...credentials, api_domain: 'http://www.zohoapis.eu' } }).fetchPage(contacts));
    expect(insecure).toMatchObject({ kind: 'auth', message: expect.stringContaining('api_domain') });
  });

  it('reads 304 Not Modified (nothing modified since the window opened) as no records', async () => {
    await expect(connect().fetchPage({ ...contacts, window: { startDate: '2026-04-01', endDate: '2026-04-30' } })).resolves.toMatchObject({
      records: [],
      nextCursor: null,
    });
  });

  it('classifies INVALID_TOKEN (401) as auth, without the token in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'INVALID_TOKEN' } });
    const wrongToken = '1000.zohocrm-wrong-token.0011';
    const failure = await connectorFailure(connect({ credentials: { access_token: wrongToken } }).testConnection(), [wrongToken]);
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('invalid oauth token') });
  });

  it('classifies TOO_MANY_REQUESTS (429) as rate_limited, leaving the delay to the retry policy as Zoho gives none', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 7 });
    const failure = await failureOf(connect().fetchPage(contacts));
    expect(failure).toMatchObject({ kind: 'rate_limited', details: { status: 429, platformCode: 'TOO_MANY_REQUESTS' } });
    expect(failure.details.retryAfterMs).toBeUndefined();
  });

  it('rejects a cursor that is not one page parameter as malformed', async () => {
    for (const cursor of ['page=0', 'page_token=', 'page=2&page_token=abc', 'fields=Phone']) {
      expect(await failureOf(connect().fetchPage({ ...contacts, cursor }))).toMatchObject({ kind: 'malformed' });
    }
  });

  it('reads 204 No Content (a module without records) as an empty account', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
