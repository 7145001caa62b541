import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { classifyHubSpotError, createHubSpotConnector } from '../../../connectors/hubspot/connector';
import { hubspotContactId } from '../../../connectors/hubspot/emulator';
import { type AccountShape, contactRow } from '../../../connectors/mock/generator';
import type { DateWindow, MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: 'pat-na1-hubspot-secret-7f3e9a21' };
const asOf = '2026-03-31';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 40 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createHubSpotConnector({ baseUrl: emulator.url, credentials, accountId: '20250042', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));

/** The generator's contacts created within the window, in HubSpot id order. */
function contactsWithin(shape: AccountShape, within: DateWindow) {
  return Array.from({ length: shape.contacts }, (_, index) => ({ index, ...contactRow(shape, asOf, index) })).filter(
    (c) => c.createdDate >= within.startDate && c.createdDate <= within.endDate,
  );
}

beforeAll(async () => {
  emulator = await startEmulator('hubspot', { shape: { accountId: '20250042', contacts: 400 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('HubSpot connector against its emulator', () => {
  it('tests the connection by reading a contact', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null });
  });

  it('searches the window page by page to exactly the generator contacts created in it', async () => {
    const expected = contactsWithin(emulator.shape, window);
    expect(expected.length).toBeGreaterThan(80);
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBe(Math.ceil(expected.length / 40));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const contact = expected[i]!;
      expect(record).toMatchObject({
        stream: 'contacts',
        entityId: hubspotContactId(contact.index),
        date: contact.createdDate,
        entityName: `${contact.firstName} ${contact.lastName}`,
      });
      expect(record.raw).toMatchObject({
        id: hubspotContactId(contact.index),
        properties: { email: contact.email, createdate: `${contact.createdDate}T00:00:00.000Z` },
      });
    });
  });

  it('caps the search limit at HubSpot’s maximum of 200', async () => {
    await expect(connect().fetchPage({ ...contacts, pageSize: 500 })).resolves.toMatchObject({ nextCursor: null });
  });

  it('resumes from a saved cursor with the remainder and no overlap', async () => {
    const key = (r: MetricRecord) => r.entityId;
    const first = await connect().fetchPage(contacts);
    expect(first.nextCursor).toBe(first.records.at(-1)!.entityId);
    const rest = await readAllPages(connect(), { ...contacts, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual((await readAllPages(connect(), contacts)).records.map(key));
  });

  it('reads past search’s 10,000-result cap, which the emulator enforces', async () => {
    const big = await startEmulator('hubspot', { shape: { accountId: '20250043', contacts: 10_050 }, credentials, asOf });
    try {
      const yearWindow = { startDate: '2025-04-01', endDate: asOf };
      const refused = await fetch(`${big.url}/crm/v3/objects/contacts/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credentials.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 100, after: '10000' }),
      });
      expect(refused.status).toBe(400);

      const connector = createHubSpotConnector({ baseUrl: big.url, credentials, accountId: '20250043', network: EMULATOR_NETWORK });
      const { records, pages } = await readAllPages(connector, { ...contacts, window: yearWindow, pageSize: 200 });
      expect(pages).toBe(51);
      expect(new Set(records.map((r) => r.entityId)).size).toBe(10_050);
    } finally {
      await big.close();
    }
  });

  it('classifies 401 as auth, without the token in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'INVALID_AUTHENTICATION' } });
    const wrongToken = await connectorFailure(connect({ credentials: { access_token: 'pat-na1-wrong-token-0011' } }).testConnection(), [
      'pat-na1-wrong-token-0011',
    ]);
    expect(wrongToken).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(wrongToken.message).toContain('correlationId');
  });

  it('classifies 429 as rate_limited after the window in X-HubSpot-RateLimit-Interval-Milliseconds', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 7 });
    expect(await failureOf(connect().fetchPage(contacts))).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'RATE_LIMIT', retryAfterMs: 7_000 },
    });
  });

  it('prefers Retry-After, else the window of the policy the body names', () => {
    const limited = (policyName: string, headers: Record<string, string> = {}) =>
      classifyHubSpotError({ status: 429, body: { status: 'error', message: 'limit', errorType: 'RATE_LIMIT', policyName }, headers: new Headers(headers) });
    expect(limited('TEN_SECONDLY_ROLLING', { 'retry-after': '3', 'x-hubspot-ratelimit-interval-milliseconds': '10000' })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3_000,
    });
    expect(limited('SECONDLY')).toMatchObject({ retryAfterMs: 1_000 });
    expect(limited('DAILY')).toMatchObject({ retryAfterMs: 3_600_000 });
    expect(
      classifyHubSpotError({ status: 403, body: { status: 'error', message: 'scopes', category: 'MISSING_SCOPES' }, headers: new Headers() }),
    ).toMatchObject({ kind: 'auth' });
  });

  it('rejects a cursor that is not a HubSpot id as malformed', async () => {
    expect(await failureOf(connect().fetchPage({ ...contacts, cursor: 'MTAw' }))).toMatchObject({ kind: 'malformed' });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
