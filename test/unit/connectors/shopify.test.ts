import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { orderIndexRange, orderRow } from '../../../connectors/mock/commerce-generator';
import { contactRow } from '../../../connectors/mock/generator';
import { classifyShopifyError, createShopifyConnector, nextPageInfo } from '../../../connectors/shopify/connector';
import { shopifyCustomerId, shopifyOrderId } from '../../../connectors/shopify/emulator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = { access_token: 'shpat_secret0f3e9a21b7c44d19a0e2c6b85d3f7a1e' };
const asOf = '2026-03-31';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const orders: FetchPageRequest = { stream: 'orders', cursor: null, window, pageSize: 100 };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 40 };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createShopifyConnector({ baseUrl: emulator.url, credentials, accountId: 'acme-store', timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(credentials));
const key = (r: MetricRecord) => r.entityId;

/** The generator's orders created in the window, newest first as Shopify lists them. */
function expectedOrders() {
  const { from, to } = orderIndexRange(emulator.shape, window);
  return Array.from({ length: to - from }, (_, i) => orderRow(emulator.shape, from + i)).reverse();
}

/** The generator's contacts created in the window, newest id first. */
function expectedCustomers() {
  return Array.from({ length: emulator.shape.contacts }, (_, index) => ({ index, ...contactRow(emulator.shape, asOf, index) }))
    .filter((c) => c.createdDate >= window.startDate && c.createdDate <= window.endDate)
    .reverse();
}

beforeAll(async () => {
  emulator = await startEmulator('shopify', { shape: { accountId: 'acme-store', contacts: 400, ordersPerDay: 5 }, credentials, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Shopify connector against its emulator', () => {
  it('tests the connection and names the shop', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: 'Emulated shop acme-store' });
  });

  it('pages orders of every status through the Link header to exactly the generator orders created in the window', async () => {
    const expected = expectedOrders();
    expect(expected.length).toBeGreaterThan(400);
    expect(expected.some((o) => o.financialStatus === 'refunded')).toBe(true);
    const { records, pages } = await readAllPages(connect(), orders);
    expect(pages).toBe(Math.ceil(expected.length / 100));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const order = expected[i]!;
      expect(record).toMatchObject({
        stream: 'orders',
        entityId: shopifyOrderId(order.index),
        date: order.createdDate,
        entityName: `#${order.number}`,
        parentId: shopifyCustomerId(order.customerIndex),
        conversions: 1,
        revenue: order.total,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({
        id: Number(shopifyOrderId(order.index)),
        total_price: order.total.toFixed(2),
        financial_status: order.financialStatus,
      });
    });
  });

  it('pages customers created in the window', async () => {
    const expected = expectedCustomers();
    expect(expected.length).toBeGreaterThan(80);
    const { records, pages } = await readAllPages(connect(), contacts);
    expect(pages).toBe(Math.ceil(expected.length / 40));
    expect(records.map((r) => [r.entityId, r.date, r.entityName])).toEqual(
      expected.map((c) => [shopifyCustomerId(c.index), c.createdDate, `${c.firstName} ${c.lastName}`]),
    );
    // Shopify writes the shop's local time: midnight UTC is the evening before in New York.
    expect(records[0]!.raw).toMatchObject({ email: expected[0]!.email, created_at: expect.stringMatching(/T19:00:00-05:00$/) });
  });

  it('caps limit at Shopify’s maximum of 250, which the emulator enforces', async () => {
    const refused = await fetch(`${emulator.url}/admin/api/2024-10/orders.json?limit=251`, { headers: { 'x-shopify-access-token': credentials.access_token } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ errors: { limit: ['must be between 1 and 250'] } });
    const page = await connect().fetchPage({ ...orders, pageSize: 1_000 });
    expect(page.records).toHaveLength(250);
  });

  it('resumes from a saved cursor with the remainder, no overlap and no gap', async () => {
    const first = await connect().fetchPage(orders);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const rest = await readAllPages(connect(), { ...orders, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual(expectedOrders().map((o) => shopifyOrderId(o.index)));
  });

  it('sends nothing but limit beside a page_info, as Shopify requires', async () => {
    const first = await connect().fetchPage(orders);
    const refused = await fetch(`${emulator.url}/admin/api/2024-10/orders.json?limit=100&status=any&page_info=${first.nextCursor}`, {
      headers: { 'x-shopify-access-token': credentials.access_token },
    });
    expect(refused.status).toBe(400);
    await expect(connect().fetchPage({ ...orders, cursor: first.nextCursor, pageSize: 30 })).resolves.toMatchObject({ records: expect.any(Array) });
  });

  it('reads the next page from a Link header that also names the previous one', () => {
    const link =
      '<https://acme.myshopify.com/admin/api/2024-10/orders.json?limit=2&page_info=cHJldg>; rel="previous", <https://acme.myshopify.com/admin/api/2024-10/orders.json?limit=2&page_info=bmV4dA>; rel="next"';
    expect(nextPageInfo(link)).toBe('bmV4dA');
    expect(nextPageInfo('<https://acme.myshopify.com/admin/api/2024-10/orders.json?page_info=cHJldg>; rel="previous"')).toBeNull();
    expect(nextPageInfo(null)).toBeNull();
  });

  it('takes the shop’s API root from its handle, and refuses an account id that is not one', async () => {
    const shopify = LIVE_CONNECTORS.shopify!;
    expect(shopify.defaultBaseUrl).toBe('https://{shop}.myshopify.com');
    const failure = await failureOf(shopify.create({ baseUrl: shopify.defaultBaseUrl, credentials, accountId: 'not a shop!' }).fetchPage(orders));
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('shop handle') });
  });

  it('classifies 401 as auth, without the token in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(orders))).toMatchObject({
      kind: 'auth',
      details: { status: 401 },
      message: expect.stringContaining('Invalid API key or access token'),
    });
    const wrongToken = 'shpat_wrong00000000000000000000000011';
    const failure = await connectorFailure(connect({ credentials: { access_token: wrongToken } }).testConnection(), [wrongToken]);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401 } });
  });

  it('classifies 429 as rate_limited after Shopify’s Retry-After', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 4 });
    expect(await failureOf(connect().fetchPage(orders))).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 4_000 } });
  });

  it('reads a fractional Retry-After, else the bucket’s drain time from X-Shopify-Shop-Api-Call-Limit', () => {
    const limited = (headers: Record<string, string>) =>
      classifyShopifyError({ status: 429, body: { errors: 'Exceeded 2 calls per second for api client.' }, headers: new Headers(headers) });
    expect(limited({ 'retry-after': '2.0', 'x-shopify-shop-api-call-limit': '40/40' })).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2_000 });
    expect(limited({ 'retry-after': '0.5' })).toMatchObject({ retryAfterMs: 500 });
    expect(limited({ 'x-shopify-shop-api-call-limit': '40/40' })).toMatchObject({ retryAfterMs: 500 });
    expect(limited({ 'x-shopify-shop-api-call-limit': '400/400' })).toMatchObject({ retryAfterMs: 50 });
    expect(classifyShopifyError({ status: 423, body: { errors: 'Shop is locked' }, headers: new Headers() })).toMatchObject({ kind: 'auth' });
  });

  it('rejects a cursor that is not a page_info, and one Shopify refuses, as malformed', async () => {
    expect(await failureOf(connect().fetchPage({ ...orders, cursor: 'https://elsewhere.example/steal?page_info=x' }))).toMatchObject({ kind: 'malformed' });
    expect(await failureOf(connect().fetchPage({ ...orders, cursor: 'bm90LWEtdG9rZW4' }))).toMatchObject({ kind: 'malformed', details: { status: 400 } });
  });

  it('serves an empty shop as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(orders)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
