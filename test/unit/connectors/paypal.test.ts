import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { orderIndexRange, orderRow, paymentRow } from '../../../connectors/mock/commerce-generator';
import type { AccountShape } from '../../../connectors/mock/generator';
import { classifyPayPalError, createPayPalConnector, isPaymentEvent } from '../../../connectors/paypal/connector';
import { paypalPayerId, paypalTransactionId } from '../../../connectors/paypal/emulator';
import type { DateWindow, MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { client_id: 'AZPayPalClientIdForTests0042', client_secret: 'EMPayPalClientSecretForTests7f3e9a21' };
const asOf = '2026-03-31';
/** 74 days: three Transaction Search slices (31, 31 and 12 days). */
const window = { startDate: '2026-01-01', endDate: '2026-03-15' };
const slices: DateWindow[] = [
  { startDate: '2026-01-01', endDate: '2026-01-31' },
  { startDate: '2026-02-01', endDate: '2026-03-03' },
  { startDate: '2026-03-04', endDate: '2026-03-15' },
];
const payments: FetchPageRequest = { stream: 'payments', cursor: null, window, pageSize: 40 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createPayPalConnector({ baseUrl: emulator.url, credentials, accountId: 'LFTTESTMERCHANT', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const secrets = [...Object.values(credentials), Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString('base64')];
const failureOf = (work: Promise<unknown>) => connectorFailure(work, secrets);
const requestsDuring = async (work: () => Promise<unknown>) => {
  const before = emulator.faults.stats().requests;
  await work();
  return emulator.faults.stats().requests - before;
};

/** The generator's payments of the window, in time order as Transaction Search lists them. */
function paymentsWithin(shape: AccountShape, within: DateWindow) {
  const { from, to } = orderIndexRange(shape, within);
  return Array.from({ length: to - from }, (_, i) => ({ ...paymentRow(shape, from + i), customerIndex: orderRow(shape, from + i).customerIndex }));
}

async function accessToken(): Promise<string> {
  const response = await fetch(`${emulator.url}/v1/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${secrets[2]}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  emulator = await startEmulator('paypal', { shape: { accountId: 'LFTTESTMERCHANT', contacts: 300, ordersPerDay: 4 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('PayPal connector against its emulator', () => {
  it('tests the connection with a token and one transaction search', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null, message: 'PayPal Transaction Search is readable' });
  });

  it('reads a window over 31 days slice by slice, page by page, to exactly the generator payments', async () => {
    const expected = paymentsWithin(emulator.shape, window);
    expect(expected).toHaveLength(74 * 4);
    const perSlice = slices.map((slice) => paymentsWithin(emulator.shape, slice).length);
    expect(perSlice.reduce((a, b) => a + b)).toBe(expected.length);

    const { records, pages } = await readAllPages(connect(), payments);
    expect(pages).toBe(perSlice.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / 40)), 0));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const payment = expected[i]!;
      expect(record).toMatchObject({
        stream: 'payments',
        entityId: paypalTransactionId(payment.index),
        date: payment.createdDate,
        entityName: `Order #${payment.orderNumber}`,
        parentId: paypalPayerId(payment.customerIndex),
        revenue: payment.amountMinor / 100,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({
        transaction_info: {
          transaction_status: payment.status === 'refunded' ? 'V' : 'S',
          transaction_initiation_date: payment.createdAt.replace('Z', '+0000'),
        },
        payer_info: { email_address: payment.email },
      });
    });
  });

  it('is refused a range over 31 days by the emulator, as by PayPal', async () => {
    const query = new URLSearchParams({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-02-01T00:00:01Z', fields: 'all' });
    const refused = await fetch(`${emulator.url}/v1/reporting/transactions?${query}`, { headers: { authorization: `Bearer ${await accessToken()}` } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ name: 'INVALID_REQUEST', details: [{ field: 'end_date' }] });
  });

  it('resumes from saved cursors, within a slice and at a slice boundary, with no overlap and no gap', async () => {
    const key = (r: MetricRecord) => r.entityId;
    const all = (await readAllPages(connect(), payments)).records.map(key);
    const connector = connect();
    const cursors: string[] = [];
    let cursor: string | null = null;
    const seen: string[][] = [];
    do {
      const page = await connector.fetchPage({ ...payments, cursor });
      seen.push(page.records.map(key));
      cursor = page.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
    const withinSlice = cursors.findIndex((c) => !c.endsWith('/1'));
    const atBoundary = cursors.findIndex((c, i) => i > 0 && c.endsWith('/1'));
    expect(cursors[atBoundary]).toBe('2026-02-01/2026-03-03/1');
    for (const at of [withinSlice, atBoundary]) {
      const rest = await readAllPages(connect(), { ...payments, cursor: cursors[at]! });
      expect([...seen.slice(0, at + 1).flat(), ...rest.records.map(key)]).toEqual(all);
    }
  });

  it('caches the access token across pages', async () => {
    const connector = connect();
    expect(await requestsDuring(() => connector.fetchPage(payments))).toBe(2);
    expect(await requestsDuring(() => connector.fetchPage(payments))).toBe(1);
  });

  it('fetches a new token once when the API answers 401 to a cached one, then reads on', async () => {
    const connector = connect();
    await connector.fetchPage(payments);
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    let page: Awaited<ReturnType<Connector['fetchPage']>> | undefined;
    expect(await requestsDuring(async () => (page = await connector.fetchPage(payments)))).toBe(3);
    expect(page!.records).toHaveLength(40);
  });

  it('gives up as auth when the new token is refused too', async () => {
    const connector = connect();
    await connector.fetchPage(payments);
    emulator.faults.set({ failNext: { status: 401, count: 2 } });
    expect(await failureOf(connector.fetchPage(payments))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_client' } });
  });

  it('classifies a refused client as auth, without the client secret in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(payments))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_client' } });
    const wrong = { client_id: credentials.client_id, client_secret: 'EMWrongPayPalSecret000000000042' };
    const failure = await connectorFailure(connect({ credentials: wrong }).testConnection(), Object.values(wrong));
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(failure.message).toContain('Client Authentication failed');
  });

  it('uses the access token of a connection authorised through OAuth as is, without client credentials', async () => {
    const connector = connect({ credentials: { access_token: await accessToken() } });
    expect(await requestsDuring(() => connector.fetchPage(payments))).toBe(1);
    const revoked = connect({ credentials: { access_token: 'A21AARevokedAccessToken0042' } });
    const failure = await connectorFailure(revoked.fetchPage(payments), ['A21AARevokedAccessToken0042']);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_token' } });
  });

  it('classifies 429 RATE_LIMIT_REACHED as rate_limited, leaving the delay to the retry policy as PayPal gives none', async () => {
    const connector = connect();
    await connector.fetchPage(payments);
    emulator.faults.set({ failNext: { status: 429, count: 1 } });
    const failure = await failureOf(connector.fetchPage(payments));
    expect(failure).toMatchObject({ kind: 'rate_limited', details: { status: 429, platformCode: 'RATE_LIMIT_REACHED' } });
    expect(failure.message).toContain('debug_id');
    expect(failure.details.retryAfterMs).toBeUndefined();
  });

  it('classifies a 500 from the search itself (token cached) as transient', async () => {
    const connector = connect();
    await connector.fetchPage(payments);
    emulator.faults.set({ failNext: { status: 500, count: 1 } });
    expect(await failureOf(connector.fetchPage(payments))).toMatchObject({
      kind: 'transient',
      details: { status: 500, platformCode: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('halves a slice PayPal finds too large (over 10,000 results) and still reads every payment once', async () => {
    const busy = await startEmulator('paypal', { shape: { accountId: 'LFTBUSYMERCHANT', contacts: 300, ordersPerDay: 400 }, credentials, asOf });
    try {
      const month = { startDate: '2026-01-01', endDate: '2026-01-31' };
      const expected = paymentsWithin(busy.shape, month);
      expect(expected.length).toBeGreaterThan(10_000);
      const connector = createPayPalConnector({ baseUrl: busy.url, credentials, accountId: 'LFTBUSYMERCHANT', network: EMULATOR_NETWORK });
      const first = await connector.fetchPage({ ...payments, window: month, pageSize: 500 });
      expect(first.nextCursor).toBe('2026-01-01/2026-01-15/2');
      const rest = await readAllPages(connector, { ...payments, window: month, pageSize: 500, cursor: first.nextCursor });
      expect([...first.records, ...rest.records].map((r) => r.entityId)).toEqual(expected.map((p) => paypalTransactionId(p.index)));
    } finally {
      await busy.close();
    }
  });

  it('rejects cursors that are not its own, or reach outside the window or past 31 days, as malformed', async () => {
    for (const cursor of ['MTAw', '2025-12-01/2025-12-31/1', '2026-01-01/2026-02-15/1', '2026-01-01/2026-01-31/0']) {
      expect(await failureOf(connect().fetchPage({ ...payments, cursor }))).toMatchObject({ kind: 'malformed' });
    }
  });

  it('serves an empty account as zero records, slice after slice, to a null cursor', async () => {
    emulator.faults.set({ empty: true });
    const { records, pages } = await readAllPages(connect(), payments);
    expect(records).toEqual([]);
    expect(pages).toBe(slices.length);
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });

  it('keeps payments and refunds, and skips transfers, holds and fees', () => {
    const of = (code: string) =>
      isPaymentEvent({
        transaction_info: {
          transaction_id: 'X',
          transaction_event_code: code,
          transaction_initiation_date: '2026-01-01T00:00:00+0000',
          transaction_amount: { currency_code: 'USD', value: '1.00' },
        },
      });
    expect(['T0006', 'T0003', 'T1107'].map(of)).toEqual([true, true, true]);
    expect(['T0400', 'T1503', 'T0200', 'T0113'].map(of)).toEqual([false, false, false, false]);
  });

  it('reads OAuth errors and PayPal errors alike', () => {
    const classify = (status: number, body: unknown) => classifyPayPalError({ status, body, headers: new Headers() });
    expect(classify(401, { error: 'invalid_token', error_description: 'Token signature verification failed' })).toMatchObject({
      kind: 'auth',
      platformCode: 'invalid_token',
    });
    expect(classify(403, { name: 'NOT_AUTHORIZED', message: 'Authorization failed due to insufficient permissions.', debug_id: 'abc' })).toMatchObject({
      kind: 'auth',
      message: 'Authorization failed due to insufficient permissions. (debug_id abc)',
    });
    expect(classify(400, { name: 'INVALID_REQUEST', message: 'bad', details: [{ field: 'end_date', issue: 'too wide' }] })).toMatchObject({
      kind: undefined,
      message: 'bad; end_date: too wide',
    });
  });
});
