import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { contactRow } from '../../../connectors/mock/generator';
import { createSalesforceConnector } from '../../../connectors/salesforce/connector';
import { salesforceContactId } from '../../../connectors/salesforce/emulator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: '00D5g000004EmUL!AQsalesforce-secret-session-8b2c' };
const asOf = '2026-03-31';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 200 };
/** The emulator's batches are capped below Salesforce's minimum of 200 so the window spans several. */
const BATCH_SIZE = 50;
let emulator: RunningEmulator;

/** As deployed: the org's API root is the instance_url credential, whatever the configured base URL. */
function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createSalesforceConnector({
    baseUrl: 'https://login.salesforce.invalid',
    credentials: { ...credentials, instance_url: emulator.url },
    accountId: '00D5g000004EmUL',
    timeoutMs: 5_000,
    network: EMULATOR_NETWORK,
    ...overrides,
  });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const key = (r: MetricRecord) => r.entityId;

/** The generator's contacts created within the window, in (CreatedDate, Id) order. */
function expectedContacts() {
  return Array.from({ length: emulator.shape.contacts }, (_, index) => ({ ...contactRow(emulator.shape, asOf, index), id: salesforceContactId(index) }))
    .filter((c) => c.createdDate >= window.startDate && c.createdDate <= window.endDate)
    .sort((a, b) => a.createdDate.localeCompare(b.createdDate) || a.id.localeCompare(b.id));
}

beforeAll(async () => {
  emulator = await startEmulator('salesforce', { shape: { accountId: '00D5g000004Emu42', contacts: 600 }, credentials, asOf, pageSize: BATCH_SIZE });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Salesforce connector against its emulator', () => {
  it('tests the connection with a Contact query on the instance', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null });
  });

  it('reads the window through SOQL and nextRecordsUrl to exactly the generator contacts created in it', async () => {
    const expected = expectedContacts();
    expect(expected.length).toBeGreaterThan(120);
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBe(Math.ceil(expected.length / BATCH_SIZE));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const contact = expected[i]!;
      expect(record).toMatchObject({
        stream: 'contacts',
        entityId: contact.id,
        date: contact.createdDate,
        entityName: `${contact.firstName} ${contact.lastName}`,
      });
      expect(record.raw).toMatchObject({
        attributes: { type: 'Contact' },
        Id: contact.id,
        Email: contact.email,
        CreatedDate: `${contact.createdDate}T00:00:00.000+0000`,
      });
    });
  });

  it('resumes from a saved cursor with the remainder and no overlap', async () => {
    const first = await connect().fetchPage(contacts);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({ next: expect.stringMatching(/^\/services\/data\/v61\.0\/query\/01g\w{15}-50$/) });
    const rest = await readAllPages(connect(), { ...contacts, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual(expectedContacts().map((c) => c.id));
  });

  it('resumes after the last contact read once Salesforce has released the query locator', async () => {
    const first = await connect().fetchPage(contacts);
    const { next } = JSON.parse(first.nextCursor!) as { next: string };
    // A user's eleventh open query releases the oldest cursor.
    for (let i = 0; i < 10; i++) await connect().fetchPage(contacts);
    const released = await fetch(emulator.url + next, { headers: { authorization: `Bearer ${credentials.access_token}` } });
    expect(released.status).toBe(400);
    expect(await released.json()).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);

    const rest = await readAllPages(connect(), { ...contacts, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual(expectedContacts().map((c) => c.id));
  });

  it('takes the API root from the configured base URL without instance_url, and refuses a clear-text instance_url', async () => {
    await expect(
      createSalesforceConnector({ baseUrl: emulator.url, credentials, accountId: 'x', network: EMULATOR_NETWORK }).testConnection(),
    ).resolves.toMatchObject({ ok: true });
    const insecure = await failureOf(connect({ credentials: { ...credentials, instance_url: 'http://eu42.salesforce.com' } }).fetchPage(contacts));
    expect(insecure).toMatchObject({ kind: 'auth', message: expect.stringContaining('instance_url') });
  });

  it('sends SOQL the emulator parses as Salesforce would, which refuses a quoted dateTime', async () => {
    const soql = "SELECT Id FROM Contact WHERE CreatedDate >= '2026-01-01T00:00:00Z'";
    const refused = await fetch(`${emulator.url}/services/data/v61.0/query?q=${encodeURIComponent(soql)}`, {
      headers: { authorization: `Bearer ${credentials.access_token}` },
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual([{ errorCode: 'INVALID_FIELD', message: expect.stringContaining("field 'CreatedDate' must be of type dateTime") }]);
  });

  it('classifies INVALID_SESSION_ID (401) as auth, without the token in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'INVALID_SESSION_ID' } });
    const wrongToken = '00D5g000004EmUL!AQwrong-session-0011';
    const failure = await connectorFailure(connect({ credentials: { access_token: wrongToken, instance_url: emulator.url } }).testConnection(), [wrongToken]);
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('Session expired or invalid') });
  });

  it('classifies REQUEST_LIMIT_EXCEEDED, a 403, as rate_limited with no platform delay', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 } });
    const failure = await failureOf(connect().fetchPage(contacts));
    expect(failure).toMatchObject({ kind: 'rate_limited', details: { status: 403, platformCode: 'REQUEST_LIMIT_EXCEEDED' } });
    expect(failure.details.retryAfterMs).toBeUndefined();
  });

  it.each([
    [500, 'UNKNOWN_EXCEPTION'],
    [503, 'SERVER_UNAVAILABLE'],
  ] as const)('classifies HTTP %i as transient', async (status, platformCode) => {
    emulator.faults.set({ failNext: { status, count: 1 } });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({ kind: 'transient', details: { status, platformCode } });
  });

  it('rejects a cursor that is not one of its own as malformed', async () => {
    const foreign = JSON.stringify({
      next: 'https://elsewhere.example/steal',
      after: { createdDate: '2026-01-01T00:00:00.000+0000', id: salesforceContactId(0) },
    });
    expect(await failureOf(connect().fetchPage({ ...contacts, cursor: foreign }))).toMatchObject({ kind: 'malformed' });
    expect(await failureOf(connect().fetchPage({ ...contacts, cursor: '01gD0000002HU6KIAW-2000' }))).toMatchObject({ kind: 'malformed' });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
