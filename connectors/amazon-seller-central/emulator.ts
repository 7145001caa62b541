import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type OrderValues, orderIndexRangeAt, orderRow } from '../mock/commerce-generator';
import { type AccountShape, contactRow } from '../mock/generator';
import { hash32 } from '../mock/random';

/**
 * Amazon Selling Partner API, with the Login with Amazon token endpoint on the same server:
 * - `POST /auth/o2/token` (`grant_type=refresh_token`, JSON or form encoded): access tokens valid an hour,
 *   OAuth errors (`invalid_client`, `invalid_grant`, …);
 * - `GET /orders/v0/orders` (Orders API v0 getOrders): `MarketplaceIds`, CreatedAfter/CreatedBefore (or
 *   LastUpdatedAfter/LastUpdatedBefore), `MaxResultsPerPage` up to 100, `NextToken` carrying the query,
 *   nothing newer than two minutes ago, `x-amz-access-token` checked, and `x-amzn-RateLimit-Limit` on every
 *   answer. Errors are `{errors: [{code, message, details}]}`; a throttled call states the rate in
 *   `x-amzn-RateLimit-Limit` (the inverse of the fault's retry delay) and carries no Retry-After.
 * The usage plan's token bucket is not enforced: rate-limit answers come from injected faults.
 */

const TOKEN_LIFETIME_SECONDS = 3_600;
const MAX_RESULTS_PER_PAGE = 100;
const MAX_MARKETPLACE_IDS = 50;
const LATEST_MS = 2 * 60_000;
/** getOrders' default rate, requests per second. */
const ORDERS_RATE_LIMIT = '0.0167';

export const amazonSellerCentralEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'ATVPDKIKX0DER',
  defaultCredentials: {
    refresh_token: 'Atzr|IwEBIemulator-amazon-refresh-token',
    client_id: 'amzn1.application-oa2-client.emulator0000000000000000',
    client_secret: 'amzn1.oa2-cs.v1.emulator-amazon-client-secret',
  },
  // The emulator serves Login with Amazon beside the SP-API.
  hostCredentials: (url) => ({ lwa_token_url: `${url}/auth/o2/token` }),
  create: createAmazonSellerCentralEmulator,
};

/** Amazon's order id (3-7-7 digits) of generator order `index`: unique per index, not sequential-looking. */
export function amazonOrderId(index: number): string {
  const serial = String(index % 10_000_000).padStart(7, '0');
  const middle = String(hash32(`amazon-order|${index}`) % 10_000_000).padStart(7, '0');
  return `${111 + Math.floor(index / 10_000_000)}-${middle}-${serial}`;
}

/** The anonymised address Amazon relays a buyer's mail through: stable per buyer. */
export function amazonBuyerEmail(customerIndex: number): string {
  return `${hash32(`amazon-buyer|${customerIndex}`).toString(36).padStart(7, '0')}${(customerIndex + 1).toString(36)}@marketplace.amazon.com`;
}

/** The query a NextToken carries. */
interface OrdersQuery {
  marketplaceId: string;
  field: 'created' | 'updated';
  after: number;
  before: number;
  perPage: number;
  offset: number;
}

function createAmazonSellerCentralEmulator(context: EmulatorContext): PlatformEmulator {
  const accessTokens = new Map<string, number>();
  let issued = 0;
  let requestIds = 0;
  const requestId = () => `00000000-0000-4000-a000-${(++requestIds).toString(16).padStart(12, '0')}`;
  const lwaError = (c: Context, status: ContentfulStatusCode, error: string, description: string, headers: Record<string, string> = {}) =>
    c.json({ error, error_description: description }, status, headers);
  const spApiError = (c: Context, status: ContentfulStatusCode, code: string, message: string, details = '', headers: Record<string, string> = {}) =>
    c.json({ errors: [{ code, message, details }] }, status, { 'x-amzn-requestid': requestId(), ...headers });
  const invalidInput = (c: Context, message: string) => spApiError(c, 400, 'InvalidInput', message);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    if (c.req.path === '/auth/o2/token') {
      switch (kind) {
        case 'auth':
          return lwaError(c, status, 'invalid_client', 'Client authentication failed');
        case 'rate_limited':
          return lwaError(c, status, 'server_error', 'Too many requests', { 'retry-after': String(context.retryAfterSeconds()) });
        case 'server_error':
          return lwaError(c, status, 'server_error', 'Internal Server Error');
      }
    }
    switch (kind) {
      case 'auth':
        return spApiError(
          c,
          status,
          'Unauthorized',
          'Access to requested resource is denied.',
          'The access token you provided is revoked, malformed or invalid.',
        );
      case 'rate_limited':
        return spApiError(c, status, 'QuotaExceeded', 'You exceeded your quota for the requested resource.', '', {
          'x-amzn-ratelimit-limit': String(1 / context.retryAfterSeconds()),
        });
      case 'server_error':
        return spApiError(c, status, 'InternalFailure', 'We encountered an internal error. Please try again.');
    }
  }

  const app = new Hono();

  app.post('/auth/o2/token', async (c) => {
    const form = await readTokenRequest(c);
    if (form.grant_type !== 'refresh_token')
      return lwaError(c, 400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server');
    if (form.client_id !== context.credentials.client_id || form.client_secret !== context.credentials.client_secret) {
      return lwaError(c, 401, 'invalid_client', 'Client authentication failed');
    }
    if (form.refresh_token !== context.credentials.refresh_token)
      return lwaError(c, 400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token');
    const token = `Atza|IwEBIemulator-${++issued}-${hash32(`${issued}|${Date.now()}`).toString(36)}`;
    accessTokens.set(token, Date.now() + TOKEN_LIFETIME_SECONDS * 1000);
    return c.json({ access_token: token, refresh_token: form.refresh_token, token_type: 'bearer', expires_in: TOKEN_LIFETIME_SECONDS });
  });

  app.use('/orders/*', async (c, next) => {
    const token = c.req.header('x-amz-access-token');
    if (!token) return spApiError(c, 403, 'Unauthorized', 'Access to requested resource is denied.', 'The request has no access token.');
    const expiresAt = accessTokens.get(token);
    if (expiresAt === undefined) return failure(c, 'auth', 403);
    if (Date.now() >= expiresAt)
      return spApiError(c, 403, 'Unauthorized', 'Access to requested resource is denied.', 'The access token you provided has expired.');
    await next();
    c.header('x-amzn-ratelimit-limit', ORDERS_RATE_LIMIT);
    c.header('x-amzn-requestid', requestId());
  });

  app.get('/orders/v0/orders', (c) => {
    const account = context.account();
    const marketplaceIds = c.req.query('MarketplaceIds')?.split(',').filter(Boolean) ?? [];
    if (marketplaceIds.length === 0) return invalidInput(c, 'MarketplaceIds is required.');
    if (marketplaceIds.length > MAX_MARKETPLACE_IDS) return invalidInput(c, `MarketplaceIds accepts at most ${MAX_MARKETPLACE_IDS} values.`);
    if (!marketplaceIds.includes(account.accountId)) return invalidInput(c, 'Invalid Marketplace Id.');

    const latest = Date.now() - LATEST_MS;
    const token = c.req.query('NextToken');
    let query: OrdersQuery;
    if (token !== undefined) {
      // NextToken carries the filters; others given beside it are ignored, as on Amazon.
      const decoded = decodeNextToken(token);
      if (!decoded || !marketplaceIds.includes(decoded.marketplaceId)) return invalidInput(c, 'Invalid NextToken.');
      query = decoded;
    } else {
      const parsed = parseFilters(c, account.accountId, latest, context.pageSize);
      if (typeof parsed === 'string') return invalidInput(c, parsed);
      query = parsed;
    }

    const { from, to } = orderIndexRangeAt(account, query.after, query.before);
    const start = from + query.offset;
    const end = Math.min(to, start + query.perPage);
    const orders: Record<string, unknown>[] = [];
    for (let index = start; index < end; index++) orders.push(amazonOrder(account, orderRow(account, index), query.marketplaceId));
    const bound = new Date(query.before).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return c.json({
      payload: {
        Orders: orders,
        ...(end < to ? { NextToken: encodeNextToken({ ...query, offset: end - from }) } : {}),
        ...(query.field === 'created' ? { CreatedBefore: bound } : { LastUpdatedBefore: bound }),
      },
    });
  });

  return { app, failure };
}

async function readTokenRequest(c: Context): Promise<Record<string, string | undefined>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const body: unknown = await c.req.json().catch(() => null);
    return body && typeof body === 'object' ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : undefined])) : {};
  }
  return Object.fromEntries(new URLSearchParams(await c.req.text()));
}

/** The filters of a first page, or what is wrong with them. */
function parseFilters(c: Context, marketplaceId: string, latest: number, pageSizeCap: number | undefined): OrdersQuery | string {
  const createdAfter = c.req.query('CreatedAfter');
  const updatedAfter = c.req.query('LastUpdatedAfter');
  if ((createdAfter === undefined) === (updatedAfter === undefined)) return 'Exactly one of CreatedAfter and LastUpdatedAfter is required.';
  const field = createdAfter !== undefined ? 'created' : 'updated';
  const [afterName, beforeName] = field === 'created' ? ['CreatedAfter', 'CreatedBefore'] : ['LastUpdatedAfter', 'LastUpdatedBefore'];
  if (c.req.query(field === 'created' ? 'LastUpdatedBefore' : 'CreatedBefore') !== undefined)
    return `${beforeName} is the only upper bound allowed with ${afterName}.`;

  const after = parseDate(c.req.query(afterName)!);
  const beforeText = c.req.query(beforeName);
  const before = beforeText === undefined ? latest : parseDate(beforeText);
  if (after === null) return `${afterName} must be an ISO 8601 date.`;
  if (before === null) return `${beforeName} must be an ISO 8601 date.`;
  if (after > latest) return `${afterName} must be no later than two minutes before the time of the request.`;
  if (before > latest) return `${beforeName} must be no later than two minutes before the time of the request.`;
  if (before < after) return `${beforeName} must be later than ${afterName}.`;

  const asked = Number(c.req.query('MaxResultsPerPage') ?? MAX_RESULTS_PER_PAGE);
  if (!Number.isInteger(asked) || asked < 1 || asked > MAX_RESULTS_PER_PAGE) return `MaxResultsPerPage must be between 1 and ${MAX_RESULTS_PER_PAGE}.`;
  return { marketplaceId, field, after, before, perPage: Math.min(asked, pageSizeCap ?? asked), offset: 0 };
}

function parseDate(text: string): number | null {
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? null : ms;
}

function amazonOrder(account: AccountShape, order: OrderValues, marketplaceId: string): Record<string, unknown> {
  // The buyer's city and country: the part of the shipping address Amazon shows without restricted-data access.
  const buyer = contactRow(account, order.createdDate, order.customerIndex);
  // Generator refunds stand for orders the buyer canceled: Amazon shows those without a total.
  const canceled = order.financialStatus === 'refunded';
  const items = order.lineItems.reduce((sum, item) => sum + item.quantity, 0);
  return {
    AmazonOrderId: amazonOrderId(order.index),
    SellerOrderId: amazonOrderId(order.index),
    PurchaseDate: order.createdAt,
    LastUpdateDate: order.createdAt,
    OrderStatus: canceled ? 'Canceled' : 'Shipped',
    FulfillmentChannel: order.index % 3 === 0 ? 'AFN' : 'MFN',
    SalesChannel: 'Amazon.com',
    ShipServiceLevel: 'Std US D2D Dom',
    ...(canceled ? {} : { OrderTotal: { CurrencyCode: order.currency, Amount: order.total.toFixed(2) } }),
    NumberOfItemsShipped: canceled ? 0 : items,
    NumberOfItemsUnshipped: 0,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: marketplaceId,
    ShipmentServiceLevelCategory: 'Standard',
    OrderType: 'StandardOrder',
    EarliestShipDate: order.createdAt,
    LatestShipDate: order.createdAt,
    IsBusinessOrder: false,
    IsPrime: false,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsSoldByAB: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    HasRegulatedItems: false,
    BuyerInfo: { BuyerEmail: amazonBuyerEmail(order.customerIndex) },
    ShippingAddress: { City: buyer.city, CountryCode: buyer.country },
  };
}

function encodeNextToken(query: OrdersQuery): string {
  return Buffer.from(JSON.stringify(query)).toString('base64');
}

function decodeNextToken(token: string): OrdersQuery | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64').toString());
    const q = value as Partial<OrdersQuery>;
    const numbers = [q.after, q.before, q.perPage, q.offset].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0);
    return numbers && typeof q.marketplaceId === 'string' && (q.field === 'created' || q.field === 'updated') ? (value as OrdersQuery) : null;
  } catch {
    return null;
  }
}
