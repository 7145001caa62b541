import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { orderIndexRangeAt, orderRow, paymentRow } from '../mock/commerce-generator';
import { type AccountShape, type ContactValues, contactRow } from '../mock/generator';

/**
 * Stripe's list endpoints for charges and customers: newest first, `limit` 1..100 (default 10), cursor paging with
 * `starting_after` (an object id), `created` filters in unix seconds, list objects `{object: 'list', data, has_more,
 * url}`; errors as `{error: {type, code, message, param}}` with a `Request-Id` header, and a 429 with no delay
 * (Stripe documents none).
 */

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

export const stripeEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'acct_1LiftEmulator01',
  defaultCredentials: { secret_key: 'sk_test_51LiftEmulatorSecretKey0000000000' },
  create: createStripeEmulator,
};

/** Stripe's charge id of generator payment `index`: `ch_` and 24 characters. */
export function stripeChargeId(index: number): string {
  return `ch_3LftEmu${String(index + 1).padStart(17, '0')}`;
}

/** Stripe's customer id of generator contact `index`: `cus_` and 14 characters. */
export function stripeCustomerId(index: number): string {
  return `cus_Lft${String(index + 1).padStart(11, '0')}`;
}

const idIndex = (id: string, pattern: RegExp) => {
  const match = pattern.exec(id);
  return match ? Number(match[1]) - 1 : null;
};
const CHARGE_ID = /^ch_3LftEmu(\d{17})$/;
const CUSTOMER_ID = /^cus_Lft(\d{11})$/;

interface Customer {
  index: number;
  values: ContactValues;
  /** Unix seconds: the contact's created day, at a time of day that grows with the index, so ordering is total. */
  created: number;
}

/** A `created` filter as Stripe reads it: an exact time or any of gt/gte/lt/lte, in unix seconds, both ends inclusive here. */
interface CreatedRange {
  gte: number;
  lte: number;
}

function createStripeEmulator(context: EmulatorContext): PlatformEmulator {
  let requests = 0;
  const requestId = () => `req_LftEmu${(++requests).toString(36).padStart(8, '0')}`;
  const stripeError = (c: Context, status: ContentfulStatusCode, error: { type: string; message: string; code?: string; param?: string }) => {
    const id = requestId();
    return c.json({ error: { ...error, request_log_url: `https://dashboard.stripe.com/test/logs/${id}` } }, status, { 'request-id': id });
  };

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return stripeError(c, status, { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskedKey(bearer(c) ?? '')}` });
      case 'rate_limited':
        return stripeError(c, status, {
          type: 'invalid_request_error',
          code: 'rate_limit',
          message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        });
      case 'server_error':
        return stripeError(c, status, { type: 'api_error', message: 'An unknown error occurred' });
    }
  }
  const invalidParameter = (c: Context, param: string, message: string, code = 'parameter_invalid_integer') =>
    stripeError(c, 400, { type: 'invalid_request_error', code, param, message });

  const customersByAccount = new WeakMap<AccountShape, Customer[]>();
  /** All customers, in list order: newest first. */
  const accountCustomers = () => {
    const account = context.account();
    const customers = customersByAccount.get(account) ?? generateCustomers(account, context.asOf);
    customersByAccount.set(account, customers);
    return customers;
  };

  const app = new Hono();
  app.use('/v1/*', async (c, next) => {
    const key = bearer(c);
    if (!key)
      return stripeError(c, 401, {
        type: 'invalid_request_error',
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    if (key !== context.credentials.secret_key) return failure(c, 'auth', 401);
    await next();
  });

  app.get('/v1/charges', (c) => {
    const params = listParams(c);
    if (typeof params === 'string') return invalidParameter(c, params, `Invalid ${params}`);
    const afterIndex = params.startingAfter === undefined ? null : idIndex(params.startingAfter, CHARGE_ID);
    if (afterIndex === null && params.startingAfter !== undefined)
      return invalidParameter(c, 'starting_after', `No such charge: '${params.startingAfter}'`, 'resource_missing');

    const account = context.account();
    // The account's charges end today (`asOf`): the generator's orders would run on forever.
    const lastMs = Math.min(params.created.lte * 1000 + 999, Date.parse(`${context.asOf}T23:59:59.999Z`));
    const range = orderIndexRangeAt(account, params.created.gte * 1000, lastMs);
    // Newest first: the highest index below the cursor's charge leads.
    const top = Math.min(range.to, afterIndex ?? range.to);
    const bottom = Math.max(range.from, top - params.limit);
    const data = [];
    for (let index = top - 1; index >= bottom; index--) data.push(chargeObject(account, index));
    return c.json({ object: 'list', data, has_more: bottom > range.from, url: '/v1/charges' });
  });

  app.get('/v1/customers', (c) => {
    const params = listParams(c);
    if (typeof params === 'string') return invalidParameter(c, params, `Invalid ${params}`);
    const customers = accountCustomers();
    let start = 0;
    if (params.startingAfter !== undefined) {
      const afterIndex = idIndex(params.startingAfter, CUSTOMER_ID);
      const position = afterIndex === null ? -1 : customers.findIndex((customer) => customer.index === afterIndex);
      if (position < 0) return invalidParameter(c, 'starting_after', `No such customer: '${params.startingAfter}'`, 'resource_missing');
      start = position + 1;
    }
    const matching = customers.slice(start).filter((customer) => customer.created >= params.created.gte && customer.created <= params.created.lte);
    return c.json({
      object: 'list',
      data: matching.slice(0, params.limit).map(customerObject),
      has_more: matching.length > params.limit,
      url: '/v1/customers',
    });
  });

  /** The list parameters both endpoints share; the name of the invalid one otherwise. */
  function listParams(c: Context): { limit: number; startingAfter: string | undefined; created: CreatedRange } | string {
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return 'limit';
    const created = createdRange(c);
    if (!created) return 'created';
    return { limit: Math.min(limit, context.pageSize ?? limit), startingAfter: c.req.query('starting_after'), created };
  }

  return { app, failure };
}

function createdRange(c: Context): CreatedRange | null {
  const bounds: Record<string, number> = {};
  for (const name of ['created', 'created[gt]', 'created[gte]', 'created[lt]', 'created[lte]']) {
    const text = c.req.query(name);
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) return null;
    bounds[name] = Number(text);
  }
  const exact = bounds.created;
  if (exact !== undefined) return { gte: exact, lte: exact };
  const gt = bounds['created[gt]'];
  const lt = bounds['created[lt]'];
  return {
    gte: Math.max(bounds['created[gte]'] ?? 0, gt === undefined ? 0 : gt + 1),
    lte: Math.min(bounds['created[lte]'] ?? Number.MAX_SAFE_INTEGER, lt === undefined ? Number.MAX_SAFE_INTEGER : lt - 1),
  };
}

function generateCustomers(account: AccountShape, asOf: string): Customer[] {
  return Array.from({ length: account.contacts }, (_, index) => {
    const values = contactRow(account, asOf, index);
    return { index, values, created: Date.parse(`${values.createdDate}T00:00:00Z`) / 1000 + (index % 86_400) };
  }).sort((a, b) => b.created - a.created || b.index - a.index);
}

function chargeObject(account: AccountShape, index: number): Record<string, unknown> {
  const payment = paymentRow(account, index);
  const { customerIndex } = orderRow(account, index);
  const refunded = payment.status === 'refunded';
  const serial = String(index + 1).padStart(17, '0');
  return {
    id: stripeChargeId(index),
    object: 'charge',
    amount: payment.amountMinor,
    amount_captured: payment.amountMinor,
    amount_refunded: refunded ? payment.amountMinor : 0,
    balance_transaction: `txn_3LftEmu${serial}`,
    billing_details: { address: null, email: payment.email, name: null, phone: null },
    captured: true,
    created: Date.parse(payment.createdAt) / 1000,
    currency: payment.currency.toLowerCase(),
    customer: stripeCustomerId(customerIndex),
    description: `Order #${payment.orderNumber}`,
    disputed: false,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: { order_id: payment.orderId, order_number: String(payment.orderNumber) },
    paid: true,
    payment_intent: `pi_3LftEmu${serial}`,
    receipt_email: payment.email,
    refunded,
    status: 'succeeded',
  };
}

function customerObject(customer: Customer): Record<string, unknown> {
  const { values } = customer;
  return {
    id: stripeCustomerId(customer.index),
    object: 'customer',
    address: { city: values.city, country: values.country, line1: null, line2: null, postal_code: null, state: null },
    balance: 0,
    created: customer.created,
    currency: 'usd',
    delinquent: false,
    description: null,
    email: values.email,
    livemode: false,
    metadata: {},
    name: `${values.firstName} ${values.lastName}`,
    phone: null,
  };
}

/** The secret key of a request: Stripe takes it as a bearer token or as a basic-auth user name. */
function bearer(c: Context): string | undefined {
  const authorization = c.req.header('authorization') ?? '';
  if (authorization.startsWith('Bearer ')) return authorization.slice('Bearer '.length);
  if (authorization.startsWith('Basic ')) return Buffer.from(authorization.slice('Basic '.length), 'base64').toString().split(':')[0];
  return undefined;
}

/** How Stripe echoes a rejected key: its prefix and last four characters. */
function maskedKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : key.replace(/./g, '*');
}
