import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { ORDER_EPOCH, type OrderValues, orderIndexRange, orderRow } from '../mock/commerce-generator';
import { type AccountShape, type ContactValues, contactRow } from '../mock/generator';

/**
 * A WooCommerce store's REST API (`/wp-json/wc/v3`): orders (`after`/`before` exclusive, in the site's time
 * unless `dates_are_gmt`; `orderby`, `order`, `status`) and customers (`orderby`, `order`, `role`; no date
 * filter), paged by `page`/`per_page` (1–100, default 10) with `X-WP-Total`, `X-WP-TotalPages` and a `Link`
 * header; the WordPress index at `/wp-json/`. Keys by HTTP Basic or as query parameters, as WooCommerce
 * accepts them over HTTPS. Errors are WordPress's `{code, message, data: {status}}`; a 429 comes from the
 * store's rate limiter with its `RateLimit-*` headers, a 503 is WordPress's maintenance page.
 */

const DEFAULT_PER_PAGE = 10;
const MAX_PER_PAGE = 100;
const NAMESPACE = '/wp-json/wc/v3';
/** The emulated site's time zone (fixed: no daylight saving here), in which WordPress writes `date_*` fields. */
const SITE_UTC_OFFSET_MINUTES = 60;
const ORDERS_ORDERBY = ['date', 'id', 'include', 'title', 'slug', 'modified'];
const CUSTOMERS_ORDERBY = ['id', 'include', 'name', 'registered_date'];
const ORDER_STATUSES = ['any', 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'trash'];

export const wooCommerceEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'woo-emulator',
  defaultCredentials: { consumer_key: 'ck_emulator000000000000000000000000000000', consumer_secret: 'cs_emulator000000000000000000000000000000' },
  create: createWooCommerceEmulator,
};

/** WooCommerce's id (a WordPress post id) of generator order `index`: increasing with creation. */
export function wooOrderId(index: number): number {
  return 1_000 + index;
}

/** WooCommerce's id (a WordPress user id) of generator contact `index`; user 1 is the site's admin. */
export function wooCustomerId(index: number): number {
  return index + 2;
}

interface Listing<T> {
  items: T[];
  page: number;
  perPage: number;
}

function createWooCommerceEmulator(context: EmulatorContext): PlatformEmulator {
  const wpError = (
    c: Context,
    status: ContentfulStatusCode,
    code: string,
    message: string,
    data: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => c.json({ code, message, data: { status, ...data } }, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return wpError(c, status, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
      case 'rate_limited': {
        const seconds = String(context.retryAfterSeconds());
        return wpError(
          c,
          status,
          'rate_limit_exceeded',
          'Too many requests. Please wait and try again.',
          {},
          {
            'ratelimit-limit': '25',
            'ratelimit-remaining': '0',
            'ratelimit-reset': String(Math.floor(Date.now() / 1000) + Number(seconds)),
            'ratelimit-retry-after': seconds,
          },
        );
      }
      case 'server_error':
        if (status === 503)
          return c.html('<!DOCTYPE html><html><body><h1>Briefly unavailable for scheduled maintenance. Check back in a minute.</h1></body></html>', 503, {
            'retry-after': '600',
          });
        return wpError(c, status, 'internal_server_error', '<p>There has been a critical error on this website.</p>', {
          error: { type: 1, message: 'Uncaught Error' },
        });
    }
  }
  const invalidParam = (c: Context, name: string, message: string) =>
    wpError(c, 400, 'rest_invalid_param', `Invalid parameter(s): ${name}`, { params: { [name]: message } });

  const app = new Hono();
  app.get('/wp-json', (c) => wordPressIndex(c, context.account()));
  app.get('/wp-json/', (c) => wordPressIndex(c, context.account()));

  app.use(`${NAMESPACE}/*`, async (c, next) => {
    const [key, secret] = basicCredentials(c.req.header('authorization')) ?? [c.req.query('consumer_key'), c.req.query('consumer_secret')];
    if (!key || !secret) return wpError(c, 401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    if (key !== context.credentials.consumer_key) return wpError(c, 401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
    if (secret !== context.credentials.consumer_secret) return wpError(c, 401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
    await next();
  });

  /** Paging parameters, validated as WordPress validates them. */
  function paging(c: Context): { page: number; perPage: number } | Response {
    const perPage = Number(c.req.query('per_page') ?? DEFAULT_PER_PAGE);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE)
      return invalidParam(c, 'per_page', `per_page must be between 1 (inclusive) and ${MAX_PER_PAGE} (inclusive)`);
    const page = Number(c.req.query('page') ?? 1);
    if (!Number.isInteger(page) || page < 1) return invalidParam(c, 'page', 'page must be greater than or equal to 1');
    return { page, perPage: Math.min(perPage, context.pageSize ?? perPage) };
  }

  /** One page of a sorted collection, with WordPress's paging headers. */
  function respond<T>(c: Context, all: T[], { page, perPage }: Omit<Listing<T>, 'items'>, render: (item: T) => unknown): Response {
    const totalPages = Math.ceil(all.length / perPage);
    const items = all.slice((page - 1) * perPage, page * perPage);
    const link = (to: number, rel: string) => {
      const url = new URL(c.req.url);
      url.searchParams.set('page', String(to));
      return `<${url.toString()}>; rel="${rel}"`;
    };
    const links = [...(page > 1 && page <= totalPages + 1 ? [link(page - 1, 'prev')] : []), ...(page < totalPages ? [link(page + 1, 'next')] : [])];
    return c.json(items.map(render), 200, {
      'x-wp-total': String(all.length),
      'x-wp-totalpages': String(totalPages),
      ...(links.length > 0 ? { link: links.join(', ') } : {}),
    });
  }

  app.get(`${NAMESPACE}/orders`, (c) => {
    const pages = paging(c);
    if (pages instanceof Response) return pages;
    const gmt = booleanParam(c.req.query('dates_are_gmt'));
    if (gmt === undefined) return invalidParam(c, 'dates_are_gmt', 'dates_are_gmt is not of type boolean.');
    const after = dateParam(c.req.query('after'), gmt);
    const before = dateParam(c.req.query('before'), gmt);
    if (after === undefined) return invalidParam(c, 'after', 'Invalid date.');
    if (before === undefined) return invalidParam(c, 'before', 'Invalid date.');
    const orderby = c.req.query('orderby') ?? 'date';
    const order = c.req.query('order') ?? 'desc';
    const statuses = (c.req.query('status') ?? 'any').split(',');
    if (!ORDERS_ORDERBY.includes(orderby)) return invalidParam(c, 'orderby', `orderby is not one of ${ORDERS_ORDERBY.join(', ')}.`);
    if (order !== 'asc' && order !== 'desc') return invalidParam(c, 'order', 'order is not one of asc, desc.');
    if (!statuses.every((s) => ORDER_STATUSES.includes(s))) return invalidParam(c, 'status', `status[0] is not one of ${ORDER_STATUSES.join(', ')}.`);

    const account = context.account();
    // Orders are in time order, so id order is date order here, and both sort alike.
    const orders = ordersBetween(account, context.asOf, after, before).filter((o) => statuses.includes('any') || statuses.includes(orderStatus(o)));
    if (order === 'desc') orders.reverse();
    return respond(c, orders, pages, (o) => wooOrder(account, o));
  });

  app.get(`${NAMESPACE}/customers`, (c) => {
    const pages = paging(c);
    if (pages instanceof Response) return pages;
    const orderby = c.req.query('orderby') ?? 'name';
    const order = c.req.query('order') ?? 'asc';
    const role = c.req.query('role') ?? 'customer';
    if (!CUSTOMERS_ORDERBY.includes(orderby)) return invalidParam(c, 'orderby', `orderby is not one of ${CUSTOMERS_ORDERBY.join(', ')}.`);
    if (order !== 'asc' && order !== 'desc') return invalidParam(c, 'order', 'order is not one of asc, desc.');

    const account = context.account();
    const customers = role === 'customer' || role === 'all' ? generateCustomers(account, context.asOf) : [];
    const key = (customer: WooCustomerRow): string | number =>
      orderby === 'registered_date' ? customer.registeredMs : orderby === 'name' ? `${customer.values.lastName} ${customer.values.firstName}` : customer.id;
    const direction = order === 'asc' ? 1 : -1;
    // WordPress breaks ties by user id, ascending whatever the order.
    customers.sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      return (ka < kb ? -direction : ka > kb ? direction : 0) || a.id - b.id;
    });
    return respond(c, customers, pages, wooCustomer);
  });

  return { app, failure };
}

function wordPressIndex(c: Context, account: AccountShape): Response {
  const url = new URL(c.req.url).origin;
  return c.json({
    name: `Emulated store ${account.accountId}`,
    description: 'A WooCommerce store',
    url,
    home: url,
    gmt_offset: String(SITE_UTC_OFFSET_MINUTES / 60),
    namespaces: ['oembed/1.0', 'wc/store/v1', 'wc/v3', 'wp/v2'],
  });
}

function basicCredentials(header: string | undefined): [string, string] | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString();
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

function booleanParam(value: string | undefined): boolean | undefined {
  if (value === undefined) return false;
  if (['true', '1'].includes(value)) return true;
  if (['false', '0'].includes(value)) return false;
  return undefined;
}

/** An ISO 8601 date-time as epoch ms: with an offset as given, without one in GMT or the site's time. Null when absent. */
function dateParam(value: string | undefined, gmt: boolean): number | null | undefined {
  if (value === undefined) return null;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!match) return undefined;
  if (match[3]) return Date.parse(value);
  const asUtc = Date.parse(`${match[1]}Z`);
  return gmt ? asUtc : asUtc - SITE_UTC_OFFSET_MINUTES * 60_000;
}

interface WooOrderRow {
  id: number;
  values: OrderValues;
  createdMs: number;
}

/** Orders created strictly between `after` and `before` (epoch ms, either open) and by `asOf`, oldest first. */
function ordersBetween(account: AccountShape, asOf: string, after: number | null, before: number | null): WooOrderRow[] {
  const startDate = after === null ? ORDER_EPOCH : new Date(after).toISOString().slice(0, 10);
  const beforeDate = before === null ? asOf : new Date(before).toISOString().slice(0, 10);
  const { from, to } = orderIndexRange(account, { startDate, endDate: beforeDate < asOf ? beforeDate : asOf });
  const orders: WooOrderRow[] = [];
  for (let index = from; index < to; index++) {
    const values = orderRow(account, index);
    const createdMs = Date.parse(values.createdAt);
    if ((after === null || createdMs > after) && (before === null || createdMs < before)) orders.push({ id: wooOrderId(index), values, createdMs });
  }
  return orders;
}

function orderStatus(order: WooOrderRow): 'completed' | 'refunded' {
  return order.values.financialStatus === 'refunded' ? 'refunded' : 'completed';
}

/** A date as WordPress writes it: local (`date_*`) or GMT (`date_*_gmt`), to the second, without an offset. */
function wpDates(name: string, ms: number): Record<string, string> {
  const format = (at: number) => new Date(at).toISOString().slice(0, 19);
  return { [name]: format(ms + SITE_UTC_OFFSET_MINUTES * 60_000), [`${name}_gmt`]: format(ms) };
}

function wooOrder(account: AccountShape, order: WooOrderRow): Record<string, unknown> {
  const { values } = order;
  const customer = contactRow(account, values.createdDate, values.customerIndex);
  const money = (n: number) => n.toFixed(2);
  return {
    id: order.id,
    parent_id: 0,
    number: String(values.number),
    order_key: `wc_order_${order.id.toString(36)}`,
    created_via: 'checkout',
    status: orderStatus(order),
    currency: values.currency,
    ...wpDates('date_created', order.createdMs),
    ...wpDates('date_modified', order.createdMs),
    ...wpDates('date_paid', order.createdMs),
    discount_total: '0.00',
    shipping_total: '0.00',
    total: money(values.total),
    total_tax: money(values.tax),
    prices_include_tax: false,
    customer_id: wooCustomerId(values.customerIndex),
    billing: { first_name: customer.firstName, last_name: customer.lastName, email: values.email, city: customer.city, country: customer.country },
    payment_method: 'stripe',
    line_items: values.lineItems.map((item, i) => ({
      id: order.id * 10 + i,
      name: item.title,
      product_id: 100 + i,
      quantity: item.quantity,
      subtotal: money(item.price * item.quantity),
      total: money(item.price * item.quantity),
      sku: item.sku,
      price: item.price,
    })),
  };
}

interface WooCustomerRow {
  id: number;
  values: ContactValues;
  registeredMs: number;
}

function generateCustomers(account: AccountShape, asOf: string): WooCustomerRow[] {
  return Array.from({ length: account.contacts }, (_, index) => {
    const values = contactRow(account, asOf, index);
    return { id: wooCustomerId(index), values, registeredMs: Date.parse(`${values.createdDate}T00:00:00Z`) };
  });
}

function wooCustomer(customer: WooCustomerRow): Record<string, unknown> {
  const { values } = customer;
  return {
    id: customer.id,
    ...wpDates('date_created', customer.registeredMs),
    ...wpDates('date_modified', customer.registeredMs),
    email: values.email,
    first_name: values.firstName,
    last_name: values.lastName,
    role: 'customer',
    username: values.email.split('@')[0],
    billing: { first_name: values.firstName, last_name: values.lastName, email: values.email, city: values.city, country: values.country },
    is_paying_customer: true,
  };
}
