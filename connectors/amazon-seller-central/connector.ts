import { z } from 'zod';
import { addDays, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type JsonRequest, type JsonResponse, type PlatformErrorDetails, parseRetryAfter } from '../http-client';
import { createLwaAccessTokens } from './lwa-access-token';

/**
 * Amazon Selling Partner API, Orders API v0: the orders created in the sync window (`getOrders` with
 * CreatedAfter/CreatedBefore), page by page through `NextToken`. The cursor is Amazon's NextToken: it
 * carries the query, so a later page passes only it and the marketplace.
 *
 * Authorisation is a Login with Amazon access token in `x-amz-access-token` (see lwa-access-token.ts),
 * renewed once when SP-API refuses it. Requests are not signed: SP-API stopped requiring AWS IAM and
 * Signature Version 4 on 2 October 2023 (SP-API changelog, "SP-API no longer requires AWS IAM or AWS
 * Signature Version 4"); a signature, if sent, is disregarded.
 *
 * The connection's account id is the marketplace id (ATVPDKIKX0DER for amazon.com): the seller is the
 * one whose refresh token the credentials hold, so a seller selling in two marketplaces connects twice.
 */

/** getOrders' documented default usage plan; the `x-amzn-RateLimit-Limit` header gives the plan actually applied. */
export const AMAZON_GET_ORDERS_USAGE_PLAN = { operation: 'getOrders', requestsPerSecond: 0.0167, burst: 20 } as const;

const MAX_RESULTS_PER_PAGE = 100;
/** CreatedBefore must lie at least two minutes before the request; Amazon applies that bound when it is left out. */
const LATEST_CREATED_BEFORE_MS = 2 * 60_000;
const ORDERS_PATH = '/orders/v0/orders';

const marketplaceId = z.string().regex(/^[A-Z0-9]{10,15}$/, 'Expected an Amazon marketplace id');
/** NextToken is opaque base64; anything else cannot be one. */
const nextToken = z.string().regex(/^[A-Za-z0-9+/=_-]{1,4096}$/, 'Expected an Amazon NextToken');

const moneySchema = z
  .object({ CurrencyCode: z.string().regex(/^[A-Z]{3}$/), Amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal amount') })
  .passthrough();
const orderSchema = z
  .object({
    AmazonOrderId: z.string().min(1),
    PurchaseDate: z.iso.datetime({ offset: true }),
    LastUpdateDate: z.iso.datetime({ offset: true }),
    OrderStatus: z.string(),
    OrderTotal: moneySchema.optional(),
    BuyerInfo: z.object({ BuyerEmail: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
type AmazonOrder = z.infer<typeof orderSchema>;
const ordersResponseSchema = z.object({
  payload: z.object({ Orders: z.array(orderSchema), NextToken: z.string().optional(), CreatedBefore: z.string().optional() }).passthrough(),
});

/** The Amazon connector also tells the rate its calls are held to, for a limiter shared across syncs. */
export interface AmazonSellerCentralConnector extends Connector {
  /** getOrders' rate in requests per second: the last `x-amzn-RateLimit-Limit` seen, else the documented default. */
  ordersRateLimit(): { requestsPerSecond: number; burst: number; observed: boolean };
}

export function createAmazonSellerCentralConnector(config: ConnectorConfig, options: { now?: () => number } = {}): AmazonSellerCentralConnector {
  const now = options.now ?? Date.now;
  const tokens = createLwaAccessTokens(config, now);
  const http = createJsonHttpClient({
    platform: 'Amazon SP-API',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifySpApiError,
  });
  let observedRate: number | null = null;

  async function sendWithToken<T>(request: JsonRequest, schema: z.ZodType<T, unknown>, token: string): Promise<JsonResponse<T>> {
    try {
      const response = await http.send({ ...request, headers: { 'x-amz-access-token': token } }, schema);
      observedRate = rateLimitOf(response.headers) ?? observedRate;
      return response;
    } catch (err) {
      // The access token is not among the credentials the client scrubs.
      if (err instanceof ConnectorError && err.message.includes(token))
        throw new ConnectorError(err.kind, err.message.split(token).join('[redacted]'), err.details);
      throw err;
    }
  }

  /** Sends with the current access token; a refusal (401/403 Unauthorized) exchanges for a new one and retries once. */
  async function send<T>(request: JsonRequest, schema: z.ZodType<T, unknown>): Promise<JsonResponse<T>> {
    const token = await tokens.get();
    try {
      return await sendWithToken(request, schema, token);
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.kind !== 'auth' || !tokens.renewable) throw err;
      tokens.invalidate(token);
      return sendWithToken(request, schema, await tokens.get());
    }
  }

  function marketplace(): string {
    const parsed = marketplaceId.safeParse(config.accountId);
    if (!parsed.success) throw new ConnectorError('malformed', 'The Amazon Seller Central account id must be a marketplace id, such as ATVPDKIKX0DER');
    return parsed.data;
  }

  async function fetchOrders(request: FetchPageRequest): Promise<Page> {
    const MarketplaceIds = marketplace();
    let query: Record<string, string | undefined>;
    if (request.cursor === null) {
      const created = createdRange(request.window, now());
      if (!created) return { records: [], nextCursor: null, bytesRead: 0 };
      query = { MarketplaceIds, ...created, MaxResultsPerPage: String(Math.min(request.pageSize ?? MAX_RESULTS_PER_PAGE, MAX_RESULTS_PER_PAGE)) };
    } else {
      const token = nextToken.safeParse(request.cursor);
      if (!token.success) throw new ConnectorError('malformed', 'Invalid Amazon Seller Central orders cursor');
      query = { MarketplaceIds, NextToken: token.data };
    }
    const { body, bytesRead } = await send({ method: 'GET', path: ORDERS_PATH, query }, ordersResponseSchema);
    return { records: body.payload.Orders.map(amazonOrderRecord), nextCursor: body.payload.NextToken || null, bytesRead };
  }

  return {
    platform: 'amazon_seller_central',
    source: 'live',
    listStreams: () => ['orders'],

    async testConnection() {
      // One order of the last day proves the refresh token, the app's Orders role and the marketplace.
      const created = createdRange(
        { startDate: addDays(new Date(now()).toISOString().slice(0, 10), -1), endDate: new Date(now()).toISOString().slice(0, 10) },
        now(),
      );
      const { latencyMs } = await send(
        { method: 'GET', path: ORDERS_PATH, query: { MarketplaceIds: marketplace(), ...created, MaxResultsPerPage: '1' } },
        ordersResponseSchema,
      );
      return { ok: true, accountName: null, latencyMs, message: 'Amazon Seller Central orders are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'orders') return fetchOrders(request);
      throw new ConnectorError('malformed', `Amazon Seller Central has no ${request.stream} stream`);
    },

    ordersRateLimit: () => ({
      requestsPerSecond: observedRate ?? AMAZON_GET_ORDERS_USAGE_PLAN.requestsPerSecond,
      burst: AMAZON_GET_ORDERS_USAGE_PLAN.burst,
      observed: observedRate !== null,
    }),
  };
}

/**
 * The window's days (UTC) as getOrders bounds, both inclusive, to the second as Amazon's dates are.
 * Null when the window has not begun yet. CreatedBefore is left out when the window reaches into the
 * last two minutes, which Amazon refuses; it then answers up to two minutes ago.
 */
function createdRange(window: DateWindow, nowMs: number): { CreatedAfter: string; CreatedBefore?: string } | null {
  const latest = nowMs - LATEST_CREATED_BEFORE_MS;
  const after = Date.parse(`${window.startDate}T00:00:00Z`);
  if (after > latest) return null;
  const before = Date.parse(`${window.endDate}T23:59:59Z`);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return before < latest ? { CreatedAfter: iso(after), CreatedBefore: iso(before) } : { CreatedAfter: iso(after) };
}

/**
 * An order as a metrics row, on the day (UTC) it was purchased: one conversion worth its total, as
 * `orderRecord` maps the generator's orders, in the marketplace's currency. Amazon orders have no
 * storefront number, so the name is the order id; the buyer is known by the anonymised e-mail Amazon
 * relays. A canceled order converts nothing; a pending one has no total yet.
 */
function amazonOrderRecord(order: AmazonOrder): MetricRecord {
  const canceled = order.OrderStatus === 'Canceled';
  const amount = order.OrderTotal ? Number(order.OrderTotal.Amount) : null;
  return {
    stream: 'orders',
    entityId: order.AmazonOrderId,
    date: new Date(order.PurchaseDate).toISOString().slice(0, 10),
    entityName: order.AmazonOrderId,
    parentId: order.BuyerInfo?.BuyerEmail ?? null,
    impressions: null,
    clicks: null,
    spend: null,
    conversions: canceled ? 0 : 1,
    revenue: canceled ? 0 : amount,
    currency: order.OrderTotal?.CurrencyCode ?? null,
    raw: order,
  };
}

/** `x-amzn-RateLimit-Limit`: the requests per second the operation's usage plan allows. */
function rateLimitOf(headers: Headers): number | null {
  const rate = Number(headers.get('x-amzn-ratelimit-limit') ?? Number.NaN);
  return Number.isFinite(rate) && rate > 0 ? rate : null;
}

const errorSchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional(), details: z.string().optional() }).passthrough()).min(1),
});

const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  Unauthorized: 'auth',
  QuotaExceeded: 'rate_limited',
  InvalidInput: 'malformed',
  NotFound: 'malformed',
  InternalFailure: 'transient',
  ServiceUnavailable: 'transient',
};

/**
 * SP-API's `{errors: [{code, message, details}]}`. A throttled call (429 QuotaExceeded) is retried after
 * `Retry-After` when given, else after the time one request's worth of quota takes to come back at the
 * rate the answer's `x-amzn-RateLimit-Limit` states (SP-API's token bucket refills at that rate).
 */
export function classifySpApiError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const first = errorSchema.safeParse(failure.body).data?.errors[0];
  const kind = first ? KIND_BY_CODE[first.code] : undefined;
  const rate = rateLimitOf(failure.headers);
  const rateLimited = kind === 'rate_limited' || failure.status === 429;
  return {
    kind,
    message: first && [first.code, first.message, first.details].filter(Boolean).join(': '),
    platformCode: first?.code,
    retryAfterMs: rateLimited ? (parseRetryAfter(failure.headers.get('retry-after')) ?? (rate ? Math.round(1000 / rate) : undefined)) : undefined,
  };
}
