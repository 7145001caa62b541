import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { ORDER_EPOCH, type OrderValues, orderIndexRange, orderRow } from '../mock/commerce-generator';
import { type AccountShape, type ContactValues, contactRow } from '../mock/generator';

/**
 * Shopify REST Admin API, per shop: `orders.json` and `customers.json` (`limit` 1–250, default 50;
 * `created_at_min`/`created_at_max` inclusive; orders filtered by `status`, open by default), newest first,
 * paged by cursor through the `Link` header's `page_info` (which carries the query's filters, so a request
 * with `page_info` takes nothing but `limit` and `fields`), and `shop.json`. Every answer carries the
 * `X-Shopify-Shop-Api-Call-Limit` bucket header; errors are `{"errors": …}`, a 429 says `Retry-After` in
 * seconds (Shopify writes "2.0").
 */

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;
const BUCKET_SIZE = 40;
const API_VERSION = /^\d{4}-(01|04|07|10)$/;
/** The emulated shop's time zone, in which Shopify writes times (fixed: no daylight saving here). */
const SHOP_UTC_OFFSET = { minutes: -5 * 60, text: '-05:00' };
const ORDER_STATUSES = ['open', 'closed', 'cancelled', 'any'] as const;

export const shopifyEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'liftos-emulator',
  defaultCredentials: { access_token: 'shpat_emulator0000000000000000000000' },
  create: createShopifyEmulator,
};

/** Shopify's id of generator order `index`: numeric, increasing with creation. */
export function shopifyOrderId(index: number): string {
  return String(5_500_000_000_000 + index + 1);
}

/** Shopify's id of generator contact `index`. */
export function shopifyCustomerId(index: number): string {
  return String(7_300_000_000_000 + index + 1);
}

/** What a page_info carries, as Shopify's own tokens do: the listing's filters, a direction and the id it pages from. */
const pageInfoSchema = z
  .object({
    resource: z.enum(['orders', 'customers']),
    status: z.enum(ORDER_STATUSES).optional(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    direction: z.enum(['next', 'prev']),
    anchorId: z.number(),
  })
  .strict();
type PageInfo = z.infer<typeof pageInfoSchema>;

/** Only these may accompany page_info. */
const PAGE_INFO_PARAMETERS = new Set(['page_info', 'limit', 'fields']);

function createShopifyEmulator(context: EmulatorContext): PlatformEmulator {
  const shopifyError = (c: Context, status: ContentfulStatusCode, errors: unknown, headers: Record<string, string> = {}) =>
    c.json({ errors }, status, { 'x-shopify-shop-api-call-limit': `1/${BUCKET_SIZE}`, ...headers });

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return shopifyError(c, status, '[API] Invalid API key or access token (unrecognized login or wrong password)');
      case 'rate_limited':
        return shopifyError(c, status, 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.', {
          'retry-after': context.retryAfterSeconds().toFixed(1),
          'x-shopify-shop-api-call-limit': `${BUCKET_SIZE}/${BUCKET_SIZE}`,
        });
      case 'server_error':
        return shopifyError(c, status, status === 503 ? 'Service Unavailable' : 'Internal Server Error');
    }
  }
  const badRequest = (c: Context, field: string, message: string) => shopifyError(c, 400, { [field]: [message] });

  const app = new Hono();
  app.use('/admin/api/:version/*', async (c, next) => {
    if (!API_VERSION.test(c.req.param('version') ?? '')) return shopifyError(c, 404, 'Not Found');
    if (c.req.header('x-shopify-access-token') !== context.credentials.access_token) return failure(c, 'auth', 401);
    await next();
    c.header('x-shopify-shop-api-call-limit', `1/${BUCKET_SIZE}`);
  });

  app.get('/admin/api/:version/shop.json', (c) => {
    const account = context.account();
    return c.json({
      shop: {
        id: 60_000_000_000 + account.seed,
        name: `Emulated shop ${account.accountId}`,
        myshopify_domain: `${account.accountId}.myshopify.com`,
        currency: 'USD',
        iana_timezone: 'America/New_York',
      },
    });
  });

  /** The listing a request asks for: its filters from the query, or from its page_info. Errors as responses. */
  function listing(c: Context, resource: PageInfo['resource']): { query: PageInfo; limit: number } | Response {
    const asked = Number(c.req.query('limit') ?? DEFAULT_LIMIT);
    if (!Number.isInteger(asked) || asked < 1 || asked > MAX_LIMIT) return badRequest(c, 'limit', `must be between 1 and ${MAX_LIMIT}`);
    const limit = Math.min(asked, context.pageSize ?? asked);

    const token = c.req.query('page_info');
    if (token !== undefined) {
      const extra = Object.keys(c.req.queries()).filter((name) => !PAGE_INFO_PARAMETERS.has(name));
      if (extra.length > 0) return badRequest(c, 'page_info', `cannot be combined with ${extra.join(', ')}`);
      const query = decodePageInfo(token);
      if (!query || query.resource !== resource) return badRequest(c, 'page_info', 'Invalid value.');
      return { query, limit };
    }
    const bound = (name: string): number | null | undefined => {
      const value = c.req.query(name);
      if (value === undefined) return null;
      const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
      return Number.isNaN(at) ? undefined : at;
    };
    const min = bound('created_at_min');
    const max = bound('created_at_max');
    if (min === undefined) return badRequest(c, 'created_at_min', 'is not a valid date');
    if (max === undefined) return badRequest(c, 'created_at_max', 'is not a valid date');
    const status = c.req.query('status') ?? 'open';
    if (resource === 'orders' && !(ORDER_STATUSES as readonly string[]).includes(status)) return badRequest(c, 'status', 'is not included in the list');
    return {
      query: {
        resource,
        ...(resource === 'orders' ? { status: status as PageInfo['status'] } : {}),
        min,
        max,
        direction: 'next',
        anchorId: Number.MAX_SAFE_INTEGER,
      },
      limit,
    };
  }

  /** Newest first: a next page continues below the last id shown, a previous one above the first. */
  function page<T extends { id: number }>(c: Context, key: string, all: T[], query: PageInfo, limit: number, render: (item: T) => unknown): Response {
    const items =
      query.direction === 'next'
        ? all.filter((item) => item.id < query.anchorId).slice(0, limit)
        : all.filter((item) => item.id > query.anchorId).slice(-limit);
    const first = items[0];
    const last = items.at(-1);
    const url = (direction: PageInfo['direction'], anchorId: number) =>
      `<${new URL(c.req.url).origin}${c.req.path}?limit=${limit}&page_info=${encodePageInfo({ ...query, direction, anchorId })}>`;
    const links: string[] = [];
    if (first && all.some((item) => item.id > first.id)) links.push(`${url('prev', first.id)}; rel="previous"`);
    if (last && all.some((item) => item.id < last.id)) links.push(`${url('next', last.id)}; rel="next"`);
    if (links.length > 0) c.header('link', links.join(', '));
    return c.json({ [key]: items.map(render) });
  }

  app.get('/admin/api/:version/orders.json', (c) => {
    const asked = listing(c, 'orders');
    if (asked instanceof Response) return asked;
    const { query, limit } = asked;
    const account = context.account();
    const orders = ordersCreatedBetween(account, context.asOf, query.min, query.max)
      .filter((order) => query.status === 'any' || orderStatus(order) === query.status)
      .reverse();
    return page(c, 'orders', orders, query, limit, (order) => shopifyOrder(account, order));
  });

  app.get('/admin/api/:version/customers.json', (c) => {
    const asked = listing(c, 'customers');
    if (asked instanceof Response) return asked;
    const { query, limit } = asked;
    const account = context.account();
    const customers = Array.from({ length: account.contacts }, (_, index) => ({
      id: Number(shopifyCustomerId(index)),
      values: contactRow(account, context.asOf, index),
    }))
      .filter(({ values }) => within(Date.parse(`${values.createdDate}T00:00:00Z`), query.min, query.max))
      .reverse();
    return page(c, 'customers', customers, query, limit, ({ id, values }) => shopifyCustomer(id, values));
  });

  return { app, failure };
}

interface EmulatedOrder {
  id: number;
  values: OrderValues;
  createdMs: number;
}

/** Orders created within [min, max] (epoch ms, either open) and by `asOf`, oldest first. */
function ordersCreatedBetween(account: AccountShape, asOf: string, min: number | null, max: number | null): EmulatedOrder[] {
  // Orders are in time order: only the days the bounds span need generating.
  const startDate = min === null ? ORDER_EPOCH : new Date(min).toISOString().slice(0, 10);
  const maxDate = max === null ? asOf : new Date(max).toISOString().slice(0, 10);
  const endDate = maxDate < asOf ? maxDate : asOf;
  const { from, to } = orderIndexRange(account, { startDate, endDate });
  const orders: EmulatedOrder[] = [];
  for (let index = from; index < to; index++) {
    const values = orderRow(account, index);
    const createdMs = Date.parse(values.createdAt);
    if (within(createdMs, min, max)) orders.push({ id: Number(shopifyOrderId(index)), values, createdMs });
  }
  return orders;
}

function within(at: number, min: number | null, max: number | null): boolean {
  return (min === null || at >= min) && (max === null || at <= max);
}

/** Refunded orders are closed; the rest stay open. */
function orderStatus(order: EmulatedOrder): 'open' | 'closed' {
  return order.values.financialStatus === 'refunded' ? 'closed' : 'open';
}

function shopifyOrder(account: AccountShape, order: EmulatedOrder): Record<string, unknown> {
  const { values } = order;
  const at = shopTime(order.createdMs);
  const customer = contactRow(account, values.createdDate, values.customerIndex);
  const money = (n: number) => n.toFixed(2);
  return {
    id: order.id,
    admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
    name: `#${values.number}`,
    order_number: values.number,
    email: values.email,
    created_at: at,
    updated_at: at,
    processed_at: at,
    closed_at: orderStatus(order) === 'closed' ? at : null,
    cancelled_at: null,
    currency: values.currency,
    financial_status: values.financialStatus,
    subtotal_price: money(values.subtotal),
    total_tax: money(values.tax),
    total_price: money(values.total),
    customer: { id: Number(shopifyCustomerId(values.customerIndex)), email: customer.email, first_name: customer.firstName, last_name: customer.lastName },
    line_items: values.lineItems.map((item, i) => ({
      id: order.id * 10 + i,
      sku: item.sku,
      title: item.title,
      quantity: item.quantity,
      price: money(item.price),
    })),
  };
}

function shopifyCustomer(id: number, values: ContactValues): Record<string, unknown> {
  const at = shopTime(Date.parse(`${values.createdDate}T00:00:00Z`));
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    email: values.email,
    first_name: values.firstName,
    last_name: values.lastName,
    created_at: at,
    updated_at: at,
    state: 'enabled',
    currency: 'USD',
    default_address: { city: values.city, country_code: values.country, default: true },
  };
}

/** An instant as Shopify writes it: the shop's local time with its offset, to the second. */
function shopTime(ms: number): string {
  return new Date(ms + SHOP_UTC_OFFSET.minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, SHOP_UTC_OFFSET.text);
}

function encodePageInfo(info: PageInfo): string {
  return Buffer.from(JSON.stringify(info)).toString('base64url');
}

function decodePageInfo(token: string): PageInfo | null {
  try {
    return pageInfoSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString())).data ?? null;
  } catch {
    return null;
  }
}
