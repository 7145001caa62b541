import { type AmazonSellerCentralConnector, classifySpApiError, createAmazonSellerCentralConnector } from '../../../connectors/amazon-seller-central/connector';
import { amazonBuyerEmail, amazonOrderId } from '../../../connectors/amazon-seller-central/emulator';
import type { ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { orderIndexRange, orderRow } from '../../../connectors/mock/commerce-generator';
import type { AccountShape } from '../../../connectors/mock/generator';
import { addDays, type DateWindow, type MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

const credentials = {
  refresh_token: 'Atzr|IwEBI-amazon-secret-refresh-7c2d41',
  client_id: 'amzn1.application-oa2-client.test4242',
  client_secret: 'amzn1.oa2-cs.v1.secret-client-9f8e7d6c',
};
const marketplace = 'ATVPDKIKX0DER';
const march = { startDate: '2025-03-01', endDate: '2025-03-31' };
const orders: FetchPageRequest = { stream: 'orders', cursor: null, window: march, pageSize: 40 };
/** Besides the credentials, no message may carry an access token (LWA's all begin `Atza|`). */
const secrets = [...Object.values(credentials), 'Atza|'];
let emulator: RunningEmulator;

const tokenUrl = (url: string) => `${url}/auth/o2/token`;
function connect(overrides: Partial<ConnectorConfig> = {}, options: { now?: () => number } = {}): AmazonSellerCentralConnector {
  return createAmazonSellerCentralConnector(
    {
      baseUrl: emulator.url,
      credentials: { ...credentials, lwa_token_url: tokenUrl(emulator.url) },
      accountId: marketplace,
      timeoutMs: 5_000,
      network: EMULATOR_NETWORK,
      ...overrides,
    },
    options,
  );
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, secrets);
const requestsSoFar = () => emulator.faults.stats().requests;
const key = (r: MetricRecord) => r.entityId;

/** The generator's orders created within the window, in creation order. */
function ordersWithin(shape: AccountShape, window: DateWindow) {
  const { from, to } = orderIndexRange(shape, window);
  return Array.from({ length: to - from }, (_, i) => orderRow(shape, from + i));
}

beforeAll(async () => {
  emulator = await startEmulator('amazon_seller_central', { shape: { accountId: marketplace, ordersPerDay: 6 }, credentials });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Amazon Seller Central connector against its emulator', () => {
  it('is the live connector for amazon_seller_central, on the North America SP-API endpoint by default', () => {
    expect(LIVE_CONNECTORS.amazon_seller_central).toMatchObject({
      create: createAmazonSellerCentralConnector,
      defaultBaseUrl: 'https://sellingpartnerapi-na.amazon.com',
    });
  });

  it('tests the connection by reading an order', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null });
  });

  it('pages through NextToken to exactly the generator orders created in the window', async () => {
    const expected = ordersWithin(emulator.shape, march);
    expect(expected.length).toBeGreaterThan(150);
    expect(expected.some((o) => o.financialStatus === 'refunded')).toBe(true);
    const { records, pages } = await readAllPages(connect(), orders);
    expect(pages).toBe(Math.ceil(expected.length / 40));
    expect(records).toHaveLength(expected.length);
    records.forEach((record, i) => {
      const order = expected[i]!;
      const canceled = order.financialStatus === 'refunded';
      expect(record).toEqual({
        stream: 'orders',
        entityId: amazonOrderId(order.index),
        date: order.createdDate,
        entityName: amazonOrderId(order.index),
        parentId: amazonBuyerEmail(order.customerIndex),
        impressions: null,
        clicks: null,
        spend: null,
        conversions: canceled ? 0 : 1,
        revenue: canceled ? 0 : order.total,
        currency: canceled ? null : 'USD',
        raw: expect.objectContaining({
          AmazonOrderId: amazonOrderId(order.index),
          PurchaseDate: order.createdAt,
          OrderStatus: canceled ? 'Canceled' : 'Shipped',
          MarketplaceId: marketplace,
        }),
      });
      if (!canceled) expect(record.raw).toMatchObject({ OrderTotal: { CurrencyCode: 'USD', Amount: order.total.toFixed(2) } });
    });
    expect(new Set(records.map(key)).size).toBe(records.length);
    expect(records.every((r) => /^\d{3}-\d{7}-\d{7}$/.test(r.entityId))).toBe(true);
  });

  it('caps MaxResultsPerPage at Amazon’s maximum of 100', async () => {
    const expected = ordersWithin(emulator.shape, march);
    const { pages } = await readAllPages(connect(), { ...orders, pageSize: 500 });
    expect(pages).toBe(Math.ceil(expected.length / 100));
  });

  it('resumes from a saved NextToken with the remainder, no overlap and no gap', async () => {
    const first = await connect().fetchPage(orders);
    expect(first.nextCursor).toEqual(expect.any(String));
    // A new connector, as after a worker restart: the cursor alone carries the query.
    const rest = await readAllPages(connect(), { ...orders, cursor: first.nextCursor });
    expect([...first.records, ...rest.records].map(key)).toEqual(ordersWithin(emulator.shape, march).map((o) => amazonOrderId(o.index)));
  });

  it('exchanges the refresh token once per connector, and again once the access token expires', async () => {
    let clock = Date.now();
    const connector = connect({}, { now: () => clock });
    const before = requestsSoFar();
    await connector.fetchPage(orders);
    expect(requestsSoFar() - before).toBe(2); // token exchange + getOrders
    await connector.fetchPage(orders);
    await connector.testConnection();
    expect(requestsSoFar() - before).toBe(4); // the cached token serves both
    clock += 3_600_000;
    await connector.fetchPage(orders);
    expect(requestsSoFar() - before).toBe(6); // expired: exchanged again
  });

  it('renews the access token once when SP-API refuses it, and reads on', async () => {
    const connector = connect();
    await connector.testConnection();
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    const before = requestsSoFar();
    await expect(connector.fetchPage(orders)).resolves.toMatchObject({ records: expect.any(Array) });
    expect(requestsSoFar() - before).toBe(3); // refused getOrders, token exchange, getOrders
  });

  it('classifies 401 Unauthorized as auth when renewal fails too, without a secret in the message', async () => {
    const connector = connect();
    await connector.testConnection();
    emulator.faults.set({ failNext: { status: 401, count: 2 } });
    expect(await failureOf(connector.fetchPage(orders))).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_client' } });
  });

  it('classifies a refused refresh token or client secret as auth, without a secret in the message', async () => {
    const badGrant = await failureOf(
      connect({ credentials: { ...credentials, refresh_token: 'Atzr|IwEBI-wrong-refresh-0011', lwa_token_url: tokenUrl(emulator.url) } }).fetchPage(orders),
    );
    expect(badGrant).toMatchObject({ kind: 'auth', details: { status: 400, platformCode: 'invalid_grant' } });
    expect(badGrant.message).not.toContain('wrong-refresh');
    const badClient = await failureOf(
      connect({ credentials: { ...credentials, client_secret: 'amzn1.oa2-cs.v1.wrong-secret-0022', lwa_token_url: tokenUrl(emulator.url) } }).testConnection(),
    );
    expect(badClient).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'invalid_client' } });
    expect(badClient.message).not.toContain('wrong-secret');
  });

  it('uses a stored access token as is when the credentials hold no app client (connected through OAuth)', async () => {
    const answer = await fetch(tokenUrl(emulator.url), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', ...credentials }) });
    const { access_token: accessToken } = (await answer.json()) as { access_token: string };
    const viaOAuth = connect({ credentials: { access_token: accessToken, lwa_token_url: tokenUrl(emulator.url) } });
    await expect(viaOAuth.fetchPage(orders)).resolves.toMatchObject({ records: expect.any(Array) });

    const revoked = 'Atza|IwEBI-revoked-token-0033';
    const failure = await connectorFailure(connect({ credentials: { access_token: revoked } }).fetchPage(orders), [revoked]);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 403, platformCode: 'Unauthorized' } });
    expect(await failureOf(connect({ credentials: {} }).fetchPage(orders))).toMatchObject({ kind: 'auth' });
  });

  it('classifies 429 QuotaExceeded as rate_limited after the time one request takes to refill at x-amzn-RateLimit-Limit', async () => {
    const connector = connect();
    await connector.testConnection();
    expect(connector.ordersRateLimit()).toEqual({ requestsPerSecond: 0.0167, burst: 20, observed: true });
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 7 });
    expect(await failureOf(connector.fetchPage(orders))).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'QuotaExceeded', retryAfterMs: 7_000 },
    });
  });

  it('reports the documented getOrders usage plan until Amazon states one', () => {
    expect(connect().ordersRateLimit()).toEqual({ requestsPerSecond: 0.0167, burst: 20, observed: false });
  });

  it('prefers Retry-After, and reads SP-API error codes whatever the status', () => {
    const quota = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] };
    expect(classifySpApiError({ status: 429, body: quota, headers: new Headers({ 'retry-after': '3', 'x-amzn-ratelimit-limit': '0.0167' }) })).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3_000,
    });
    expect(classifySpApiError({ status: 429, body: quota, headers: new Headers({ 'x-amzn-ratelimit-limit': '0.0167' }) })).toMatchObject({
      retryAfterMs: 59_880,
    });
    const denied = {
      errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: 'The access token you provided has expired.' }],
    };
    expect(classifySpApiError({ status: 403, body: denied, headers: new Headers() })).toMatchObject({
      kind: 'auth',
      message: expect.stringContaining('expired'),
    });
    expect(classifySpApiError({ status: 400, body: { errors: [{ code: 'InvalidInput', message: 'bad' }] }, headers: new Headers() })).toMatchObject({
      kind: 'malformed',
    });
  });

  it('reads a window that ends today without CreatedBefore, up to two minutes ago', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const recent = { startDate: addDays(today, -2), endDate: today };
    const startedAt = Date.now();
    const { records } = await readAllPages(connect(), { ...orders, window: recent });
    const finishedAt = Date.now();
    const created = (cutoff: number) => ordersWithin(emulator.shape, recent).filter((o) => Date.parse(o.createdAt) <= cutoff - 120_000);
    const [surely, atMost] = [created(startedAt), created(finishedAt)];
    expect(surely.length).toBeGreaterThan(6);
    expect(records.length).toBeGreaterThanOrEqual(surely.length);
    expect(records.length).toBeLessThanOrEqual(atMost.length);
    expect(records.map(key)).toEqual(atMost.slice(0, records.length).map((o) => amazonOrderId(o.index)));
  });

  it('answers a window that has not begun with no records, without asking Amazon', async () => {
    const before = requestsSoFar();
    const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
    await expect(connect().fetchPage({ ...orders, window: { startDate: tomorrow, endDate: tomorrow } })).resolves.toEqual({
      records: [],
      nextCursor: null,
      bytesRead: 0,
    });
    expect(requestsSoFar()).toBe(before);
  });

  it('rejects a cursor that is not a NextToken, or one Amazon does not know, as malformed', async () => {
    expect(await failureOf(connect().fetchPage({ ...orders, cursor: 'not a token!' }))).toMatchObject({ kind: 'malformed' });
    expect(await failureOf(connect().fetchPage({ ...orders, cursor: 'MTAw' }))).toMatchObject({
      kind: 'malformed',
      details: { status: 400, platformCode: 'InvalidInput' },
    });
  });

  it('refuses an account id that is not a marketplace id, or a marketplace the seller does not sell in', async () => {
    expect(await failureOf(connect({ accountId: 'amazon.com' }).fetchPage(orders))).toMatchObject({
      kind: 'malformed',
      message: expect.stringContaining('marketplace id'),
    });
    expect(await failureOf(connect({ accountId: 'A1F83G8C2ARO7P' }).fetchPage(orders))).toMatchObject({
      kind: 'malformed',
      details: { platformCode: 'InvalidInput' },
    });
  });

  it('refuses to send the client secret to a clear-text token URL', async () => {
    const insecure = await failureOf(connect({ credentials: { ...credentials, lwa_token_url: 'http://api.amazon.example/auth/o2/token' } }).fetchPage(orders));
    expect(insecure).toMatchObject({ kind: 'auth', message: expect.stringContaining('lwa_token_url') });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(orders)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });
});
