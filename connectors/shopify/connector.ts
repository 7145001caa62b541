import { z } from 'zod';
import { contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorDetails, parseRetryAfter } from '../http-client';
import { orderRecord } from '../mock/commerce-generator';

/**
 * Shopify REST Admin API: the shop's orders (every status) and customers created in the sync window.
 *
 * Lists page by cursor: the `Link` header names the next page by a `page_info` token that carries the
 * query's filters, so a next page is asked for with `page_info` and `limit` only. The connector's cursor is
 * that token alone, never the link's URL: the shop's host comes from the configuration, not from a response.
 * The shop's API root is per shop: `{shop}` in the base URL stands for the connection's account id, the
 * shop handle the OAuth flow was run for.
 */

export const SHOPIFY_API_VERSION = '2024-10';
const MAX_LIMIT = 250;
/** The leaky bucket of a standard shop leaks 2 requests a second from a bucket of 40: size / 20 a second. */
const BUCKET_DRAIN_SECONDS = 20;
const SHOP_HANDLE = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const SHOP_PLACEHOLDER = '{shop}';
const PAGE_INFO = /^[A-Za-z0-9_\-=+/.]{1,4096}$/;

const shopifyId = z.number().int().positive();
/** Shopify writes times in the shop's zone with an offset. */
const shopifyTime = z.iso.datetime({ offset: true });
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal amount');

const orderSchema = z
  .object({
    id: shopifyId,
    name: z.string(),
    order_number: z.number().int(),
    created_at: shopifyTime,
    currency: z.string().length(3),
    total_price: money,
    customer: z.object({ id: shopifyId }).passthrough().nullable().optional(),
  })
  .passthrough();
type ShopifyOrder = z.infer<typeof orderSchema>;
const customerSchema = z
  .object({
    id: shopifyId,
    email: z.string().nullable().optional(),
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    created_at: shopifyTime,
  })
  .passthrough();
type ShopifyCustomer = z.infer<typeof customerSchema>;
const shopSchema = z.object({ shop: z.object({ name: z.string() }).passthrough() });

const STREAMS = {
  orders: {
    path: 'orders.json',
    schema: z.object({ orders: z.array(orderSchema) }),
    records: (body: { orders: ShopifyOrder[] }) => body.orders.map(shopifyOrderRecord),
    filters: { status: 'any' },
  },
  contacts: {
    path: 'customers.json',
    schema: z.object({ customers: z.array(customerSchema) }),
    records: (body: { customers: ShopifyCustomer[] }) => body.customers.map(shopifyCustomerRecord),
    filters: {},
  },
} as const;

export function createShopifyConnector(config: ConnectorConfig): Connector {
  const http = shopClient(config);
  const headers = { 'x-shopify-access-token': config.credentials.access_token ?? '' };
  const path = (resource: string) => `/admin/api/${SHOPIFY_API_VERSION}/${resource}`;

  async function fetchStream<T>(
    request: FetchPageRequest,
    stream: { path: string; schema: z.ZodType<T, unknown>; records: (body: T) => MetricRecord[]; filters: Record<string, string> },
  ): Promise<Page> {
    if (request.cursor !== null && !PAGE_INFO.test(request.cursor)) throw new ConnectorError('malformed', 'Invalid Shopify cursor');
    const limit = String(Math.min(request.pageSize ?? MAX_LIMIT, MAX_LIMIT));
    // A page_info carries the first request's filters; Shopify refuses any other parameter beside it.
    const query = request.cursor === null ? { limit, ...stream.filters, ...createdWithin(request.window) } : { limit, page_info: request.cursor };
    const { body, bytesRead, headers: answered } = await http.send({ method: 'GET', path: path(stream.path), query, headers }, stream.schema);
    return { records: stream.records(body), nextCursor: nextPageInfo(answered.get('link')), bytesRead };
  }

  return {
    platform: 'shopify',
    source: 'live',
    listStreams: () => ['orders', 'contacts'],

    async testConnection() {
      // The shop names itself; one order proves the token's read_orders scope.
      const { body, latencyMs } = await http.send({ method: 'GET', path: path('shop.json'), headers }, shopSchema);
      await http.send({ method: 'GET', path: path('orders.json'), query: { limit: '1', status: 'any' }, headers }, STREAMS.orders.schema);
      return { ok: true, accountName: body.shop.name, latencyMs, message: 'Shopify orders are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'orders') return fetchStream(request, STREAMS.orders);
      if (request.stream === 'contacts') return fetchStream(request, STREAMS.contacts);
      throw new ConnectorError('malformed', `Shopify has no ${request.stream} stream`);
    },
  };
}

/** The shop's API root: the base URL with `{shop}` replaced by the account's shop handle (an override without it is used as is). */
function shopClient(config: ConnectorConfig): JsonHttpClient {
  const options = {
    platform: 'Shopify',
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyShopifyError,
  };
  if (!config.baseUrl.includes(SHOP_PLACEHOLDER)) return createJsonHttpClient({ ...options, baseUrl: config.baseUrl });
  const shop = config.accountId.replace(/\.myshopify\.com$/i, '');
  if (!SHOP_HANDLE.test(shop)) {
    return {
      send: async () => {
        throw new ConnectorError('auth', 'The Shopify account id is not a shop handle (the <shop> of <shop>.myshopify.com); reconnect the shop');
      },
    };
  }
  return createJsonHttpClient({ ...options, baseUrl: config.baseUrl.replaceAll(SHOP_PLACEHOLDER, shop.toLowerCase()) });
}

/** The window's days (UTC) as Shopify's inclusive created_at bounds; its times are to the second. */
function createdWithin(window: DateWindow): Record<string, string> {
  return { created_at_min: `${window.startDate}T00:00:00Z`, created_at_max: `${window.endDate}T23:59:59Z` };
}

/** The page_info of the `rel="next"` link, if any (RFC 8288: `<url>; rel="next", <url>; rel="previous"`). */
export function nextPageInfo(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match || !/(^|;)\s*rel="?next"?\s*(;|$)/.test(match[2]!)) continue;
    const pageInfo = URL.canParse(match[1]!) ? new URL(match[1]!).searchParams.get('page_info') : null;
    if (!pageInfo || !PAGE_INFO.test(pageInfo)) throw new ConnectorError('malformed', 'Shopify announced a next page without a page_info');
    return pageInfo;
  }
  return null;
}

function utcDay(at: string): string {
  return new Date(at).toISOString().slice(0, 10);
}

function shopifyOrderRecord(order: ShopifyOrder): MetricRecord {
  return orderRecord(
    {
      entityId: String(order.id),
      createdDate: utcDay(order.created_at),
      number: order.order_number,
      total: Number(order.total_price),
      currency: order.currency,
      customerId: order.customer ? String(order.customer.id) : null,
    },
    order,
  );
}

function shopifyCustomerRecord(customer: ShopifyCustomer): MetricRecord {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ');
  return contactRecord({ entityId: String(customer.id), date: utcDay(customer.created_at), entityName: name || customer.email || null, raw: customer });
}

/** `errors` is a string, a list, or an object of field → messages. */
const errorSchema = z.object({ errors: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]) });

/**
 * Shopify's `{"errors": …}`. A 429's delay is its `Retry-After` (seconds, possibly fractional, "2.0"); without
 * one, the time the shop's leaky bucket takes to free one request, from the size `X-Shopify-Shop-Api-Call-Limit`
 * reports ("40/40": 2 a second). A 423 (locked shop) and 402 (frozen shop) need the merchant: auth.
 */
export function classifyShopifyError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const errors = errorSchema.safeParse(failure.body).data?.errors;
  const message =
    typeof errors === 'string'
      ? errors
      : Array.isArray(errors)
        ? errors.join('; ')
        : errors
          ? Object.entries(errors)
              .map(([field, text]) => `${field} ${[text].flat().join(', ')}`)
              .join('; ')
          : undefined;
  if (failure.status === 429) {
    const bucket = /^\s*\d+\s*\/\s*(\d+)\s*$/.exec(failure.headers.get('x-shopify-shop-api-call-limit') ?? '');
    const drainMs = bucket && Number(bucket[1]) > 0 ? Math.ceil((BUCKET_DRAIN_SECONDS * 1000) / Number(bucket[1])) : undefined;
    return { kind: 'rate_limited', message, retryAfterMs: parseRetryAfter(failure.headers.get('retry-after')) ?? drainMs };
  }
  if (failure.status === 402 || failure.status === 423) return { kind: 'auth', message };
  return { message };
}
