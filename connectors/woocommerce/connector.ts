import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createCredentialHostClient } from '../credential-host-client';
import { credentialHostRule } from '../credential-hosts';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorDetails, parseRetryAfter } from '../http-client';
import { orderRecord } from '../mock/commerce-generator';

/**
 * WooCommerce REST API v3 of one store: orders (every status) and customers created in the sync window.
 *
 * Both page by `page`/`per_page`; the cursor is the next page with its size, so a resumed sync reads the
 * same pages whatever page size it asks for. Orders are filtered by the store (`after`/`before` in GMT) and
 * read in id order, so orders placed during a sync land after the last page instead of shifting the pages
 * read. Customers have no date filter: they are read newest registered first, the window's kept, until
 * the first one registered before it.
 *
 * Each store is its own host: `{store_url}` in the base URL stands for the store_url credential (its path
 * kept: WordPress may live under one). Keys go as HTTP Basic, which WooCommerce accepts over HTTPS only,
 * so the store URL must be https (or plain http to this machine, for emulators).
 */

const MAX_PER_PAGE = 100;
const STORE_URL_PLACEHOLDER = '{store_url}';
const NAMESPACE = '/wp-json/wc/v3';

/** WordPress writes dates without an offset; the `_gmt` variant is UTC. */
const wpDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, 'Expected a WordPress date');
const wooId = z.number().int().positive();
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal amount');

const orderSchema = z
  .object({
    id: wooId,
    number: z.string(),
    currency: z.string().length(3),
    date_created_gmt: wpDate,
    total: money,
    customer_id: z.number().int().nonnegative(),
  })
  .passthrough();
type WooOrder = z.infer<typeof orderSchema>;
const customerSchema = z
  .object({
    id: wooId,
    date_created_gmt: wpDate,
    email: z.string().nullable().optional(),
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
  })
  .passthrough();
type WooCustomer = z.infer<typeof customerSchema>;
const indexSchema = z.object({ name: z.string(), namespaces: z.array(z.string()) }).passthrough();

/** A cursor: the next page and the page size it was counted in. */
const cursorSchema = z.string().regex(/^page=[1-9]\d{0,8}&per_page=([1-9]\d?|100)$/);

export function createWooCommerceConnector(config: ConnectorConfig): Connector {
  const http = storeClient(config);
  const authorization = `Basic ${Buffer.from(`${config.credentials.consumer_key ?? ''}:${config.credentials.consumer_secret ?? ''}`).toString('base64')}`;
  const headers = { authorization };

  function pageOf(request: FetchPageRequest): { page: number; perPage: number } {
    if (request.cursor === null) return { page: 1, perPage: Math.min(request.pageSize ?? MAX_PER_PAGE, MAX_PER_PAGE) };
    if (!cursorSchema.safeParse(request.cursor).success) throw new ConnectorError('malformed', 'Invalid WooCommerce cursor');
    const params = new URLSearchParams(request.cursor);
    return { page: Number(params.get('page')), perPage: Number(params.get('per_page')) };
  }
  const cursorFor = (page: number, perPage: number) => `page=${page}&per_page=${perPage}`;

  async function fetchOrders(request: FetchPageRequest): Promise<Page> {
    const { page, perPage } = pageOf(request);
    const {
      body,
      bytesRead,
      headers: answered,
    } = await http.send(
      {
        method: 'GET',
        path: `${NAMESPACE}/orders`,
        headers,
        query: {
          ...createdWithin(request.window),
          dates_are_gmt: 'true',
          status: 'any',
          orderby: 'id',
          order: 'asc',
          page: String(page),
          per_page: String(perPage),
        },
      },
      z.array(orderSchema),
    );
    return {
      records: body.map(wooOrderRecord),
      nextCursor: hasNextPage(answered, page, body.length, perPage) ? cursorFor(page + 1, perPage) : null,
      bytesRead,
    };
  }

  async function fetchCustomers(request: FetchPageRequest): Promise<Page> {
    const { page, perPage } = pageOf(request);
    const {
      body,
      bytesRead,
      headers: answered,
    } = await http.send(
      {
        method: 'GET',
        path: `${NAMESPACE}/customers`,
        headers,
        query: { role: 'all', orderby: 'registered_date', order: 'desc', page: String(page), per_page: String(perPage) },
      },
      z.array(customerSchema),
    );
    const from = `${request.window.startDate}T00:00:00`;
    const until = `${addDays(request.window.endDate, 1)}T00:00:00`;
    // WordPress dates compare as strings: same format, same zone.
    const records = body.filter((c) => c.date_created_gmt >= from && c.date_created_gmt < until).map(wooCustomerRecord);
    const reachedOlder = body.some((c) => c.date_created_gmt < from);
    return { records, nextCursor: !reachedOlder && hasNextPage(answered, page, body.length, perPage) ? cursorFor(page + 1, perPage) : null, bytesRead };
  }

  return {
    platform: 'woocommerce',
    source: 'live',
    listStreams: () => ['orders', 'contacts'],

    async testConnection() {
      // The WordPress index names the site and lists WooCommerce's namespace; one order proves the keys' read access.
      const { body, latencyMs } = await http.send({ method: 'GET', path: '/wp-json/' }, indexSchema);
      if (!body.namespaces.includes('wc/v3')) throw new ConnectorError('malformed', 'The site does not serve the WooCommerce REST API v3 (wc/v3)');
      await http.send({ method: 'GET', path: `${NAMESPACE}/orders`, headers, query: { per_page: '1' } }, z.array(orderSchema));
      return { ok: true, accountName: body.name, latencyMs, message: 'WooCommerce orders are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'orders') return fetchOrders(request);
      if (request.stream === 'contacts') return fetchCustomers(request);
      throw new ConnectorError('malformed', `WooCommerce has no ${request.stream} stream`);
    },
  };
}

/** The store's API root: the store_url credential where the base URL says `{store_url}`, else the base URL (an override). */
function storeClient(config: ConnectorConfig): JsonHttpClient {
  if (!config.baseUrl.includes(STORE_URL_PLACEHOLDER)) {
    return createJsonHttpClient({
      platform: 'WooCommerce',
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      network: config.network,
      secrets: Object.values(config.credentials),
      classifyError: classifyWooCommerceError,
    });
  }
  if (!config.credentials.store_url) {
    return {
      send: async () => {
        throw new ConnectorError('auth', 'The WooCommerce store_url is missing; reconnect the store');
      },
    };
  }
  return createCredentialHostClient(config, credentialHostRule('woocommerce', 'store_url'), {
    platform: 'WooCommerce',
    classifyError: classifyWooCommerceError,
  });
}

/** The window's days (UTC) as WooCommerce's exclusive bounds, in GMT: a second before it opens, and the midnight after it. */
function createdWithin(window: DateWindow): { after: string; before: string } {
  return { after: `${addDays(window.startDate, -1)}T23:59:59`, before: `${addDays(window.endDate, 1)}T00:00:00` };
}

/** X-WP-TotalPages says whether another page exists; should a proxy have dropped it, a full page means there may be one. */
function hasNextPage(headers: Headers, page: number, count: number, perPage: number): boolean {
  const totalPages = Number(headers.get('x-wp-totalpages') ?? Number.NaN);
  return Number.isInteger(totalPages) ? page < totalPages : count === perPage;
}

function wooOrderRecord(order: WooOrder): MetricRecord {
  return orderRecord(
    {
      entityId: String(order.id),
      createdDate: order.date_created_gmt.slice(0, 10),
      number: order.number,
      total: Number(order.total),
      currency: order.currency,
      // 0 is a guest checkout.
      customerId: order.customer_id > 0 ? String(order.customer_id) : null,
    },
    order,
  );
}

function wooCustomerRecord(customer: WooCustomer): MetricRecord {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ');
  return contactRecord({
    entityId: String(customer.id),
    date: customer.date_created_gmt.slice(0, 10),
    entityName: name || customer.email || null,
    raw: customer,
  });
}

const errorSchema = z
  .object({ code: z.string(), message: z.string().optional(), data: z.object({ status: z.number().int() }).passthrough().nullable().optional() })
  .passthrough();

const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  woocommerce_rest_authentication_error: 'auth',
  woocommerce_rest_cannot_view: 'auth',
  rest_forbidden: 'auth',
  rate_limit_exceeded: 'rate_limited',
};

/**
 * WordPress's `{code, message, data: {status}}`. WooCommerce's REST API has no rate limit of its own; a 429
 * comes from the store's host or WooCommerce's limiter, whose delay is `Retry-After` or `RateLimit-Retry-After`
 * (seconds). Messages may carry HTML (WordPress's critical-error text): tags are dropped.
 */
export function classifyWooCommerceError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const parsed = errorSchema.safeParse(failure.body).data;
  const kind = (parsed && KIND_BY_CODE[parsed.code]) || undefined;
  const rateLimited = kind === 'rate_limited' || failure.status === 429;
  return {
    kind,
    message: parsed?.message?.replace(/<[^>]*>/g, '').trim() || undefined,
    platformCode: parsed?.code,
    retryAfterMs: rateLimited
      ? (parseRetryAfter(failure.headers.get('retry-after')) ?? parseRetryAfter(failure.headers.get('ratelimit-retry-after')))
      : undefined,
  };
}
