import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { orderIndexRangeAt, orderRow, paymentRow } from '../mock/commerce-generator';
import { type AccountShape, contactRow } from '../mock/generator';

/**
 * PayPal's OAuth 2.0 token endpoint (client credentials, HTTP Basic) and the Transaction Search API
 * (`GET /v1/reporting/transactions`): `start_date`/`end_date` required and at most 31 days apart, `page_size`
 * 1..500 (default 100), `page` from 1, `fields`, results in time order, and at most 10,000 results per query.
 * Errors as `{name, message, debug_id, details, links}`; the token endpoint answers OAuth's `{error, error_description}`.
 */

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;
const MAX_RANGE_MS = 31 * 86_400_000;
/** Transaction Search refuses a query with more results than this. */
export const MAX_SEARCH_RESULTS = 10_000;
const TOKEN_LIFETIME_SECONDS = 32_400;
const ALL_FIELDS = ['transaction_info', 'payer_info', 'shipping_info', 'cart_info', 'store_info', 'auction_info', 'incentive_info'];
/** PayPal's event code of an Express Checkout payment. */
const EXPRESS_CHECKOUT_PAYMENT = 'T0006';

export const paypalEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'LFTEMUMERCHANT1',
  defaultCredentials: { client_id: 'AZEmulatorPayPalClientId0001', client_secret: 'EMEmulatorPayPalClientSecret0001' },
  create: createPayPalEmulator,
};

/** PayPal's transaction id of generator payment `index`: 17 characters. */
export function paypalTransactionId(index: number): string {
  return `LFT${String(index + 1).padStart(14, '0')}`;
}

/** PayPal's payer account id of generator contact `index`: 13 characters. */
export function paypalPayerId(index: number): string {
  return `PYR${String(index + 1).padStart(10, '0')}`;
}

function createPayPalEmulator(context: EmulatorContext): PlatformEmulator {
  let debugIds = 0;
  let tokenSerial = 0;
  /** Issued access tokens and when they expire. */
  const tokens = new Map<string, number>();
  const debugId = () => `${(++debugIds).toString(16).padStart(13, 'e')}`;
  const paypalError = (c: Context, status: ContentfulStatusCode, name: string, message: string, details: Record<string, unknown>[] = []) => {
    const id = debugId();
    const links = [{ href: 'https://developer.paypal.com/api/rest/responses/#http-status-codes', rel: 'information_link' }];
    return c.json({ name, message, debug_id: id, details, links }, status, { 'paypal-debug-id': id });
  };
  const oauthError = (c: Context, status: ContentfulStatusCode, error: string, description: string) =>
    c.json({ error, error_description: description }, status);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    const tokenEndpoint = c.req.path === '/v1/oauth2/token';
    switch (kind) {
      case 'auth':
        return tokenEndpoint
          ? oauthError(c, status, 'invalid_client', 'Client Authentication failed')
          : paypalError(
              c,
              status,
              'AUTHENTICATION_FAILURE',
              'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
            );
      case 'rate_limited':
        return paypalError(c, status, 'RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.');
      case 'server_error':
        return status === 503
          ? paypalError(c, status, 'SERVICE_UNAVAILABLE', 'Service Unavailable.')
          : paypalError(c, status, 'INTERNAL_SERVER_ERROR', 'An internal server error occurred.');
    }
  }
  const invalidRequest = (c: Context, field: string, value: string | undefined, issue: string) =>
    paypalError(c, 400, 'INVALID_REQUEST', 'Request is not well-formed, syntactically incorrect, or violates schema.', [
      { field, value: value ?? '', location: 'query', issue, description: issue },
    ]);

  const app = new Hono();

  app.post('/v1/oauth2/token', async (c) => {
    const expected = `Basic ${Buffer.from(`${context.credentials.client_id}:${context.credentials.client_secret}`).toString('base64')}`;
    if (c.req.header('authorization') !== expected) return failure(c, 'auth', 401);
    const form = new URLSearchParams(await c.req.text());
    if (form.get('grant_type') !== 'client_credentials')
      return oauthError(c, 400, 'unsupported_grant_type', `Grant Type is ${form.get('grant_type') ?? 'NULL'}`);
    const accessToken = `A21AAEmu${(++tokenSerial).toString(36).padStart(6, '0')}${context.account().accountId}`;
    tokens.set(accessToken, Date.now() + TOKEN_LIFETIME_SECONDS * 1000);
    return c.json({
      scope: 'https://uri.paypal.com/services/reporting/search/read https://uri.paypal.com/services/payments/payment',
      access_token: accessToken,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: TOKEN_LIFETIME_SECONDS,
      nonce: `2026-01-01T00:00:00Z${tokenSerial}`,
    });
  });

  app.use('/v1/reporting/*', async (c, next) => {
    const authorization = c.req.header('authorization');
    if (!authorization?.startsWith('Bearer ')) return failure(c, 'auth', 401);
    const expiresAt = tokens.get(authorization.slice('Bearer '.length));
    if (expiresAt === undefined || expiresAt < Date.now()) return oauthError(c, 401, 'invalid_token', 'Token signature verification failed');
    await next();
  });

  app.get('/v1/reporting/transactions', (c) => {
    const q = (name: string) => c.req.query(name);
    const startMs = parseInstant(q('start_date'));
    const endMs = parseInstant(q('end_date'));
    if (startMs === null)
      return invalidRequest(c, 'start_date', q('start_date'), 'Invalid or missing start_date: an Internet date and time with seconds is required.');
    if (endMs === null) return invalidRequest(c, 'end_date', q('end_date'), 'Invalid or missing end_date: an Internet date and time with seconds is required.');
    if (endMs < startMs) return invalidRequest(c, 'end_date', q('end_date'), 'End date must be after start date.');
    if (endMs - startMs > MAX_RANGE_MS) return invalidRequest(c, 'end_date', q('end_date'), 'Date range is greater than 31 days.');
    const pageSize = Number(q('page_size') ?? DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
      return invalidRequest(c, 'page_size', q('page_size'), `page_size must be between 1 and ${MAX_PAGE_SIZE}.`);
    const page = Number(q('page') ?? 1);
    if (!Number.isInteger(page) || page < 1) return invalidRequest(c, 'page', q('page'), 'page must be a positive integer.');
    const fields = (q('fields') ?? 'transaction_info').split(',');
    if (!fields.every((f) => f === 'all' || ALL_FIELDS.includes(f))) return invalidRequest(c, 'fields', q('fields'), 'Invalid fields value.');

    const account = context.account();
    const range = orderIndexRangeAt(account, startMs, Math.min(endMs, Date.parse(`${context.asOf}T23:59:59.999Z`)));
    const totalItems = range.to - range.from;
    if (totalItems > MAX_SEARCH_RESULTS)
      return paypalError(c, 400, 'RESULTSET_TOO_LARGE', 'Result set size is greater than the maximum limit. Change the filter criteria and try again.');
    const size = Math.min(pageSize, context.pageSize ?? pageSize);
    const totalPages = Math.ceil(totalItems / size);
    const first = range.from + (page - 1) * size;
    const details = [];
    for (let index = first; index < Math.min(range.to, first + size); index++)
      details.push(transactionDetail(account, context.asOf, index, fields.includes('all') ? ALL_FIELDS : fields));

    const self = new URL(c.req.url);
    const linkTo = (toPage: number, rel: string) => {
      const url = new URL(self);
      url.searchParams.set('page', String(toPage));
      return { href: url.toString(), rel, method: 'GET' };
    };
    return c.json({
      transaction_details: details,
      account_number: account.accountId,
      start_date: q('start_date'),
      end_date: q('end_date'),
      last_refreshed_datetime: `${context.asOf}T23:59:59+0000`,
      page,
      total_items: totalItems,
      total_pages: totalPages,
      links: [{ href: self.toString(), rel: 'self', method: 'GET' }, ...(page < totalPages ? [linkTo(page + 1, 'next'), linkTo(totalPages, 'last')] : [])],
    });
  });

  return { app, failure };
}

/** An Internet date and time with seconds, as PayPal requires: `Z`, `±hh:mm` or `±hhmm` offsets. */
function parseInstant(value: string | undefined): number | null {
  const match = value && /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$/.exec(value);
  if (!match) return null;
  const offset = match[2] === 'Z' ? 'Z' : `${match[2]!.slice(0, 3)}:${match[2]!.slice(-2)}`;
  const ms = Date.parse(`${match[1]}${offset}`);
  return Number.isNaN(ms) ? null : ms;
}

/** PayPal's timestamp style: seconds and a `+0000` offset. */
const paypalTime = (iso: string) => iso.replace(/(\.\d+)?Z$/, '+0000');
const money = (minor: number) => ({ currency_code: 'USD', value: (minor / 100).toFixed(2) });

function transactionDetail(account: AccountShape, asOf: string, index: number, fields: readonly string[]): Record<string, unknown> {
  const payment = paymentRow(account, index);
  const order = orderRow(account, index);
  const payer = contactRow(account, asOf, order.customerIndex);
  const sections: Record<string, () => unknown> = {
    transaction_info: () => ({
      paypal_account_id: account.accountId,
      transaction_id: paypalTransactionId(index),
      transaction_event_code: EXPRESS_CHECKOUT_PAYMENT,
      transaction_initiation_date: paypalTime(payment.createdAt),
      transaction_updated_date: paypalTime(payment.createdAt),
      transaction_amount: money(payment.amountMinor),
      fee_amount: money(-payment.feeMinor),
      transaction_status: payment.status === 'refunded' ? 'V' : 'S',
      transaction_subject: `Order #${payment.orderNumber}`,
      invoice_id: String(payment.orderNumber),
      custom_field: payment.orderId,
      protection_eligibility: '01',
    }),
    payer_info: () => ({
      account_id: paypalPayerId(order.customerIndex),
      email_address: payment.email,
      address_status: 'Y',
      payer_status: 'Y',
      payer_name: { given_name: payer.firstName, surname: payer.lastName, alternate_full_name: `${payer.firstName} ${payer.lastName}` },
      country_code: payer.country,
    }),
    shipping_info: () => ({ name: `${payer.lastName}, ${payer.firstName}`, address: { city: payer.city, country_code: payer.country } }),
    cart_info: () => ({
      item_details: order.lineItems.map((item) => ({
        item_code: item.sku,
        item_name: item.title,
        item_quantity: String(item.quantity),
        item_unit_price: money(Math.round(item.price * 100)),
        item_amount: money(Math.round(item.price * item.quantity * 100)),
      })),
    }),
    store_info: () => ({}),
    auction_info: () => ({}),
    incentive_info: () => ({}),
  };
  return Object.fromEntries(fields.map((field) => [field, sections[field]!()]));
}
