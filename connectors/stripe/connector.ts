import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type PlatformErrorDetails } from '../http-client';
import { paymentRecord } from '../mock/commerce-generator';

/**
 * Stripe charges (stream `payments`) and customers (stream `contacts`) created in the sync window.
 *
 * Charges rather than PaymentIntents: a charge is money actually taken (or refused) whatever the integration
 * (Checkout, PaymentIntents, the legacy Charges API, invoices), with what was captured and refunded on it; a
 * PaymentIntent also lists abandoned checkouts that never moved money and may hold several charges after retries.
 *
 * Lists come newest first; the cursor is the id of the last object read (`starting_after`), which stays valid
 * however long a sync pauses, and the window is sent again with every page as `created[gte]`/`created[lte]`.
 */

const MAX_LIMIT = 100;
/** Pinned so the account's default API version cannot change the shapes read here. */
export const STRIPE_API_VERSION = '2024-06-20';

const chargeSchema = z
  .object({
    id: z.string().regex(/^ch_\w+$/, 'Expected a charge id'),
    object: z.literal('charge'),
    amount: z.number().int(),
    amount_captured: z.number().int().optional(),
    amount_refunded: z.number().int().optional(),
    captured: z.boolean().optional(),
    paid: z.boolean().optional(),
    created: z.number().int(),
    currency: z.string().length(3),
    customer: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    status: z.string(),
  })
  .passthrough();
type StripeCharge = z.infer<typeof chargeSchema>;

const customerSchema = z
  .object({
    id: z.string().regex(/^cus_\w+$/, 'Expected a customer id'),
    object: z.literal('customer'),
    created: z.number().int(),
    email: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
  })
  .passthrough();
type StripeCustomer = z.infer<typeof customerSchema>;

const listSchema = <T extends z.ZodTypeAny>(item: T) => z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), url: z.string() });
const chargeListSchema = listSchema(chargeSchema);
const customerListSchema = listSchema(customerSchema);

interface StripeList<T> {
  path: string;
  /** The ids `starting_after` takes for this list. */
  cursor: RegExp;
  schema: z.ZodType<{ data: T[]; has_more: boolean }, unknown>;
  record(item: T): MetricRecord;
}
const CHARGES: StripeList<StripeCharge> = { path: '/v1/charges', cursor: /^ch_\w+$/, schema: chargeListSchema, record: stripeChargeRecord };
const CUSTOMERS: StripeList<StripeCustomer> = { path: '/v1/customers', cursor: /^cus_\w+$/, schema: customerListSchema, record: stripeCustomerRecord };

export function createStripeConnector(config: ConnectorConfig): Connector {
  const http = createJsonHttpClient({
    platform: 'Stripe',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyStripeError,
  });
  const headers = { authorization: `Bearer ${config.credentials.secret_key ?? ''}`, 'stripe-version': STRIPE_API_VERSION };

  async function fetchList<T extends { id: string }>(list: StripeList<T>, request: FetchPageRequest): Promise<Page> {
    if (request.cursor !== null && !list.cursor.test(request.cursor)) throw new ConnectorError('malformed', `Invalid Stripe ${request.stream} cursor`);
    const { body, bytesRead } = await http.send(
      {
        method: 'GET',
        path: list.path,
        headers,
        query: {
          ...createdWithin(request.window),
          limit: String(Math.min(request.pageSize ?? MAX_LIMIT, MAX_LIMIT)),
          starting_after: request.cursor ?? undefined,
        },
      },
      list.schema,
    );
    const last = body.data.at(-1);
    if (body.has_more && !last) throw new ConnectorError('malformed', `Stripe announced more ${request.stream} after an empty page`);
    return { records: body.data.map((item) => list.record(item)), nextCursor: body.has_more && last ? last.id : null, bytesRead };
  }

  return {
    platform: 'stripe',
    source: 'live',
    listStreams: () => ['payments', 'contacts'],

    async testConnection() {
      // One object of each list proves the key and, for a restricted key, its read access to both resources.
      // One after the other: a rejected key fails the first, and no request is left in flight.
      const charges = await http.send({ method: 'GET', path: CHARGES.path, query: { limit: '1' }, headers }, CHARGES.schema);
      await http.send({ method: 'GET', path: CUSTOMERS.path, query: { limit: '1' }, headers }, CUSTOMERS.schema);
      return { ok: true, accountName: null, latencyMs: charges.latencyMs, message: 'Stripe charges and customers are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'payments') return fetchList(CHARGES, request);
      if (request.stream === 'contacts') return fetchList(CUSTOMERS, request);
      throw new ConnectorError('malformed', `Stripe has no ${request.stream} stream`);
    },
  };
}

/** The window's days (UTC) as Stripe's `created` range, in unix seconds, both ends inclusive. */
function createdWithin(window: DateWindow): Record<string, string> {
  const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
  return { 'created[gte]': String(midnight(window.startDate)), 'created[lte]': String(midnight(addDays(window.endDate, 1)) - 1) };
}

const utcDay = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/**
 * Revenue is what was captured, in major units: a failed or uncaptured charge brought in nothing. A refund does not
 * lower it (as in the mock source); it stays visible in the raw record as `amount_refunded`.
 */
function stripeChargeRecord(charge: StripeCharge): MetricRecord {
  const captured = charge.amount_captured ?? (charge.captured && charge.paid ? charge.amount : 0);
  return paymentRecord(
    {
      entityId: charge.id,
      date: utcDay(charge.created),
      amount: majorUnits(captured, charge.currency),
      currency: charge.currency,
      customerId: charge.customer ?? null,
      description: charge.description ?? null,
    },
    charge,
  );
}

function stripeCustomerRecord(customer: StripeCustomer): MetricRecord {
  return contactRecord({ entityId: customer.id, date: utcDay(customer.created), entityName: customer.name || customer.email || null, raw: customer });
}

/** Stripe's zero-decimal currencies, whose amounts are already in major units. */
const ZERO_DECIMAL_CURRENCIES = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

function majorUnits(minor: number, currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency.toLowerCase()) ? minor : minor / 100;
}

const errorSchema = z.object({
  error: z.object({ type: z.string().optional(), code: z.string().optional(), message: z.string().optional(), param: z.string().optional() }).passthrough(),
});

const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  rate_limit: 'rate_limited',
  // Another request holds the object: Stripe answers 429 and asks for a retry like a rate limit.
  lock_timeout: 'rate_limited',
};
const KIND_BY_TYPE: Readonly<Record<string, ConnectorErrorKind>> = {
  api_error: 'transient',
  authentication_error: 'auth',
  permission_error: 'auth',
  rate_limit_error: 'rate_limited',
};

/**
 * Stripe's error body (`error.type`, `error.code`, `error.message`) and its `Request-Id` header, which support asks
 * for. Stripe documents no delay for a rate limit: a `Retry-After`, if one comes, is honoured by the HTTP client;
 * otherwise the activity's exponential backoff paces the retries, as Stripe advises.
 */
export function classifyStripeError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const error = errorSchema.safeParse(failure.body).data?.error;
  const kind = (error?.code && KIND_BY_CODE[error.code]) || (error?.type && KIND_BY_TYPE[error.type]) || undefined;
  const requestId = failure.headers.get('request-id');
  const parts = [error?.message, error?.param && `param ${error.param}`, requestId && `request ${requestId}`].filter(Boolean);
  return {
    kind,
    message: parts.length > 0 ? parts.join('; ') : undefined,
    platformCode: error?.code ?? error?.type,
  };
}
