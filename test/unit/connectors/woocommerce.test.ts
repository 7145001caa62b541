import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { orderIndexRange, orderRow } from '../../../connectors/mock/commerce-generator';
import { contactRow } from '../../../connectors/mock/generator';
import { classifyWooCommerceError, createWooCommerceConnector } from '../../../connectors/woocommerce/connector';
import { wooCustomerId, wooOrderId } from '../../../connectors/woocommerce/emulator';
import type { MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const keys = { consumer_key: 'ck_4f1e9a2b7c0d3e5f6a8b9c0d1e2f3a4b5c6d7e8f', consumer_secret: 'cs_9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d' };
const asOf = '2026-03-31';
const window = { startDate: '2026-01-01', endDate: '2026-03-31' };
const orders: FetchPageRequest = { stream: 'orders', cursor: null, window, pageSize: 100 };
const contacts: FetchPageRequest = { stream: 'contacts', cursor: null, window, pageSize: 40 };
let emulator: RunningEmulator;

/** As deployed: the API root is the store_url credential (the registry's default base URL says so). */
function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
  return createWooCommerceConnector({
    baseUrl: LIVE_CONNECTORS.woocommerce!.defaultBaseUrl,
    credentials: { ...keys, store_url: emulator.url },
    accountId: 'woo-store',
    timeoutMs: 5_000,
    network: EMULATOR_NETWORK,
    ...overrides,
  });
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, Object.values(keys));
const key = (r: MetricRecord) => r.entityId;

/** The generator's orders created in the window, in id order. */
function expectedOrders() {
  const { from, to } = orderIndexRange(emulator.shape, window);
  return Array.from({ length: to - from }, (_, i) => orderRow(emulator.shape, from + i));
}

/** The generator's contacts created in the window, newest registered first, ties by id. */
function expectedCustomers() {
  return Array.from({ length: emulator.shape.contacts }, (_, index) => ({ index, ...contactRow(emulator.shape, asOf, index) }))
    .filter((c) => c.createdDate >= window.startDate && c.createdDate <= window.endDate)
    .sort((a, b) => b.createdDate.localeCompare(a.createdDate) || a.index - b.index);
}

beforeAll(async () => {
  emulator = await startEmulator('woocommerce', { shape: { accountId: 'woo-store', contacts: 400, ordersPerDay: 5 }, credentials: keys, asOf });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('WooCommerce connector against its emulator', () => {
  it('tests the connection and names the site', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: 'Emulated store woo-store' });
  });

  it('pages orders of every status in GMT to exactly the generator orders created in the window', async () => {
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
        entityId: String(wooOrderId(order.index)),
        date: order.createdDate,
        entityName: `#${order.number}`,
        parentId: String(wooCustomerId(order.customerIndex)),
        conversions: 1,
        revenue: order.total,
        currency: 'USD',
      });
      expect(record.raw).toMatchObject({
        id: wooOrderId(order.index),
        number: String(order.number),
        total: order.total.toFixed(2),
        date_created_gmt: order.createdAt.slice(0, 19),
      });
    });
  });

  it('pages customers newest first and stops at the first one registered before the window', async () => {
    const expected = expectedCustomers();
    expect(expected.length).toBeGreaterThan(80);
    const { records, pages } = await readAllPages(connect(), contacts);
    // Every customer of the window, then the page holding the first older one, and no further.
    expect(pages).toBe(Math.floor(expected.length / 40) + 1);
    expect(records.map((r) => [r.entityId, r.date, r.entityName])).toEqual(
      expected.map((c) => [String(wooCustomerId(c.index)), c.createdDate, `${c.firstName} ${c.lastName}`]),
    );
    expect(emulator.shape.contacts).toBeGreaterThan(40 * pages);
  });

  it('counts a window in GMT, where the site’s local midnight is an hour off', async () => {
    // An order of the window's last UTC hour: WooCommerce counts it a day later unless told dates_are_gmt.
    const late = expectedOrders().find((o) => o.createdAt.slice(11) >= '23:00:00')!;
    const day = { startDate: late.createdDate, endDate: late.createdDate };
    const { records } = await readAllPages(connect(), { ...orders, window: day });
    const { from, to } = orderIndexRange(emulator.shape, day);
    expect(records.map(key)).toEqual(Array.from({ length: to - from }, (_, i) => String(wooOrderId(from + i))));
    expect(records.map(key)).toContain(String(wooOrderId(late.index)));

    const localDay = new URLSearchParams({ after: `${late.createdDate}T00:00:00`, before: `${late.createdDate}T23:59:59`, per_page: '100' });
    const local = await fetch(`${emulator.url}/wp-json/wc/v3/orders?${localDay}`, {
      headers: { authorization: `Basic ${Buffer.from(`${keys.consumer_key}:${keys.consumer_secret}`).toString('base64')}` },
    });
    expect(((await local.json()) as { id: number }[]).map((o) => o.id)).not.toContain(wooOrderId(late.index));
  });

  it('caps per_page at WooCommerce’s maximum of 100, which the emulator enforces', async () => {
    const refused = await fetch(`${emulator.url}/wp-json/wc/v3/orders?per_page=101&consumer_key=${keys.consumer_key}&consumer_secret=${keys.consumer_secret}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'rest_invalid_param', data: { status: 400, params: { per_page: expect.stringContaining('100') } } });
    const page = await connect().fetchPage({ ...orders, pageSize: 1_000 });
    expect(page.records).toHaveLength(100);
    expect(page.nextCursor).toBe('page=2&per_page=100');
  });

  it('resumes from a saved cursor with the remainder, no overlap and no gap, whatever page size it asks for then', async () => {
    const first = await connect().fetchPage(orders);
    const rest = await readAllPages(connect(), { ...orders, cursor: first.nextCursor, pageSize: 7 });
    expect([...first.records, ...rest.records].map(key)).toEqual(expectedOrders().map((o) => String(wooOrderId(o.index))));
  });

  it('keeps the store URL’s path, refuses a clear-text one and asks for a missing one', async () => {
    await expect(connect({ credentials: { ...keys, store_url: `${emulator.url}/` } }).testConnection()).resolves.toMatchObject({ ok: true });
    const subdirectory = await failureOf(connect({ credentials: { ...keys, store_url: `${emulator.url}/shop` } }).fetchPage(orders));
    expect(subdirectory).toMatchObject({ details: { status: 404 } });
    const insecure = await failureOf(connect({ credentials: { ...keys, store_url: 'http://store.example' } }).fetchPage(orders));
    expect(insecure).toMatchObject({ kind: 'auth', message: expect.stringContaining('store_url') });
    const missing = await failureOf(connect({ credentials: keys }).fetchPage(orders));
    expect(missing).toMatchObject({ kind: 'auth', message: expect.stringContaining('store_url is missing') });
  });

  it('classifies 401 as auth, without the keys in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await failureOf(connect().fetchPage(orders))).toMatchObject({
      kind: 'auth',
      details: { status: 401, platformCode: 'woocommerce_rest_authentication_error' },
    });
    const wrongSecret = 'cs_0000000000000000000000000000000000000011';
    const failure = await connectorFailure(connect({ credentials: { ...keys, consumer_secret: wrongSecret, store_url: emulator.url } }).testConnection(), [
      ...Object.values(keys),
      wrongSecret,
    ]);
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('Consumer secret is invalid') });
  });

  it('classifies 429 as rate_limited after the store limiter’s RateLimit-Retry-After', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 9 });
    expect(await failureOf(connect().fetchPage(orders))).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'rate_limit_exceeded', retryAfterMs: 9_000 },
    });
  });

  it('prefers a host’s Retry-After, and drops HTML from WordPress messages', () => {
    const limited = classifyWooCommerceError({ status: 429, body: undefined, headers: new Headers({ 'retry-after': '12', 'ratelimit-retry-after': '3' }) });
    expect(limited).toMatchObject({ retryAfterMs: 12_000 });
    const critical = classifyWooCommerceError({
      status: 500,
      body: { code: 'internal_server_error', message: '<p>There has been a critical error on this website.</p>', data: { status: 500 } },
      headers: new Headers(),
    });
    expect(critical).toMatchObject({ message: 'There has been a critical error on this website.', platformCode: 'internal_server_error' });
  });

  it('rejects a cursor that is not one of its own as malformed', async () => {
    for (const cursor of ['2', 'page=0&per_page=10', 'page=2&per_page=500', 'page=2&per_page=10&status=trash']) {
      expect(await failureOf(connect().fetchPage({ ...orders, cursor }))).toMatchObject({ kind: 'malformed' });
    }
  });

  it('serves an empty store as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(orders)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().fetchPage(contacts)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
