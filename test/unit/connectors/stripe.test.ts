import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { orderIndexRange, orderRow, paymentRow } from '../../../connectors/mock/commerce-generator';
import { type AccountShape, contactRow } from '../../../connectors/mock/generator';
import { classifyStripeError, createStripeConnector } from '../../../connectors/stripe/connector';
import { stripeChargeId, stripeCustomerId } from '../../../connectors/stripe/emulator';
import type { DateWindow, MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { secret_key: 'sk_test_51StripeSecretKeyForTests7f3e9a21' };
const asOf = '2026-03-31';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const payments: FetchPageRequest = { stream: 'payments', cursor: null, window, pageSize: 50 };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 40 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createStripeConnector({ baseUrl: emulator.url, credentials, accountId: 'acct_1LiftTest', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));

/** The generator's payments of the window, newest first as Stripe lists them. */
function paymentsWithin(shape: AccountShape, within: DateWindow) {
  const { from, to } = orderIndexRange(shape, within);
  return Array.from({ length: to - from }, (_, i) => ({ ...paymentRow(shape, to - 1 - i), customerIndex: orderRow(shape, to - 1 - i).customerIndex }));
}

/** The generator's contacts created within the window, newest first (a day's contacts by descending index). */
function customersWithin(shape: AccountShape, within: DateWindow) {
  return Array.from({ length: shape.contacts }, (_, index) => ({ index, ...contactRow(shape, asOf, index) }))
    .filter((c) => c.createdDate >= within.startDate && c.createdDate <= within.endDate)
    .sort((a, b) => (a.createdDate === b.createdDate ? b.index - a.index : a.createdDate < b.createdDate ? 1 : -1));
}

beforeAll(async () => {
  emulator = await startEmulator('stripe', { shape: { accountId: 'acct_1LiftTest', contacts: 400, ordersPerDay: 4 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Stripe connector against its emulator', () => {
  it('tests the connection by reading a charge and a customer', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null });
  });

  it('lists the window’s charges page by page, newest first, to exactly the generator payments', async () => {
    const expected = paymentsWithin(emulator.shape, window);
    expect(expected.length).toBe(360);
    const { records, pages } = await readAllPages(connect(), payments);
    expect(pages).toBe(Math.ceil(expected.length / 50));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const payment = expected[i]!;
      expect(record).toMatchObject({
        stream: 'payments',
        entityId: stripeChargeId(payment.index),
        date: payment.createdDate,
        entityName: `Order #${payment.orderNumber}`,
        parentId: stripeCustomerId(payment.customerIndex),
        revenue: payment.amountMinor / 100,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({
        object: 'charge',
        amount: payment.amountMinor,
        refunded: payment.status === 'refunded',
        created: Date.parse(payment.createdAt) / 1000,
      });
    });
    expect(records.some((r) => r.raw.refunded === true)).toBe(true);
  });

  it('lists the customers created in the window to exactly the generator contacts', async () => {
    const expected = customersWithin(emulator.shape, window);
    expect(expected.length).toBeGreaterThan(80);
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBe(Math.ceil(expected.length / 40));
    expect(records.map((r) => r.entityId)).toEqual(expected.map((c) => stripeCustomerId(c.index)));
    records.forEach((record, i) => {
      const contact = expected[i]!;
      expect(record).toMatchObject({ stream: 'contacts', date: contact.createdDate, entityName: `${contact.firstName} ${contact.lastName}`, revenue: null });
      expect(record.raw).toMatchObject({ object: 'customer', email: contact.email });
    });
  });

  it('caps limit at Stripe’s maximum of 100, which the emulator enforces', async () => {
    const refused = await fetch(`${emulator.url}/v1/charges?limit=101`, { headers: { authorization: `Bearer ${credentials.secret_key}` } });
    expect(refused.status).toBe(400);
    const page = await connect().fetchPage({ ...payments, pageSize: 500 });
    expect(page.records).toHaveLength(100);
  });

  it.each([
    ['payments', payments],
    ['contacts', contacts],
  ] as const)('resumes %s from a saved cursor with the remainder, no overlap and no gap', async (_stream, request) => {
    const key = (r: MetricRecord) => r.entityId;
    const first = await connect().fetchPage(request);
    expect(first.nextCursor).toBe(first.records.at(-1)!.entityId);
    const rest = await readAllPages(connect(), { ...request, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual((await readAllPages(connect(), request)).records.map(key));
  });

  it('classifies 401 as auth, without the key in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(payments))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_request_error' } });
    const wrongKey = 'sk_test_51WrongKeyForStripeTests000042';
    const wrong = await connectorFailure(connect({ credentials: { secret_key: wrongKey } }).testConnection(), [wrongKey]);
    expect(wrong).toMatchObject({ kind: 'auth', details: { status: 401 } });
    expect(wrong.message).toMatch(/Invalid API Key provided.*request req_/);
  });

  it('classifies 429 rate_limit as rate_limited, leaving the delay to the retry policy as Stripe gives none', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 } });
    const failure = await failureOf(connect().fetchPage(contacts));
    expect(failure).toMatchObject({ kind: 'rate_limited', details: { status: 429, platformCode: 'rate_limit' } });
    expect(failure.details.retryAfterMs).toBeUndefined();
  });

  it('reads error types: api_error is transient, permission_error is auth, lock_timeout is rate_limited', () => {
    const classify = (status: number, error: Record<string, string>) =>
      classifyStripeError({ status, body: { error }, headers: new Headers({ 'request-id': 'req_1' }) });
    expect(classify(500, { type: 'api_error', message: 'boom' })).toMatchObject({ kind: 'transient', message: 'boom; request req_1' });
    expect(classify(403, { type: 'permission_error', message: 'restricted', param: 'customer' })).toMatchObject({
      kind: 'auth',
      message: 'restricted; param customer; request req_1',
    });
    expect(classify(429, { type: 'invalid_request_error', code: 'lock_timeout' })).toMatchObject({ kind: 'rate_limited', platformCode: 'lock_timeout' });
  });

  it('rejects a cursor that is not an id of the stream’s objects as malformed, before any request', async () => {
    const before = emulator.faults.stats().requests;
    expect(await failureOf(connect().fetchPage({ ...payments, cursor: 'cus_Lft00000000001' }))).toMatchObject({ kind: 'malformed' });
    expect(await failureOf(connect().fetchPage({ ...contacts, cursor: 'MTAw' }))).toMatchObject({ kind: 'malformed' });
    expect(emulator.faults.stats().requests).toBe(before);
    // A well-formed id Stripe does not know: resource_missing, a 400, not retried.
    expect(await failureOf(connect().fetchPage({ ...payments, cursor: 'ch_UnknownCharge000000000' }))).toMatchObject({
      kind: 'malformed',
      details: { status: 400, platformCode: 'resource_missing' },
    });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(payments)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
