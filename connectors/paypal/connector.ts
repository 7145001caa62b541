import { z } from 'zod';
import type { MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type JsonRequest, type JsonResponse, type PlatformErrorDetails } from '../http-client';
import { paymentRecord } from '../mock/commerce-generator';
import { formatSearchCursor, halveSlice, nextSearchPosition, parseSearchCursor, type SearchPosition, sliceFrom } from './search-cursor';

/**
 * PayPal payments received, through the Transaction Search API (`GET /v1/reporting/transactions`), with an access
 * token from OAuth 2.0 client credentials. The token is cached for its lifetime and fetched again, once, when the
 * API answers 401 (a token revoked or expired early). A query spans at most 31 days and 10,000 results: the window
 * is read slice by slice (see search-cursor.ts), and a slice PayPal finds too large is halved.
 */

const MAX_PAGE_SIZE = 500;
/** A token this close to its expiry is not used: a long page read must not outlive it. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;
const TRANSACTIONS_PATH = '/v1/reporting/transactions';

const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().positive() }).passthrough();

const moneySchema = z.object({ currency_code: z.string().length(3), value: z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal amount') });
const transactionSchema = z
  .object({
    transaction_info: z
      .object({
        transaction_id: z.string().min(1),
        transaction_event_code: z.string(),
        transaction_initiation_date: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/, 'Expected a date and time'),
        transaction_amount: moneySchema,
        transaction_status: z.string().optional(),
        transaction_subject: z.string().optional(),
        invoice_id: z.string().optional(),
      })
      .passthrough(),
    payer_info: z.object({ account_id: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
type PayPalTransaction = z.infer<typeof transactionSchema>;
const searchPageSchema = z.object({
  transaction_details: z.array(transactionSchema),
  page: z.number().int(),
  total_items: z.number().int(),
  total_pages: z.number().int(),
});

export function createPayPalConnector(config: ConnectorConfig): Connector {
  const clientId = config.credentials.client_id ?? '';
  const clientSecret = config.credentials.client_secret ?? '';
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  // Scrubbed from every error message; the access token joins them once issued.
  const secrets = [...Object.values(config.credentials), basic];
  const http = createJsonHttpClient({
    platform: 'PayPal',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets,
    classifyError: classifyPayPalError,
  });

  let token: { value: string; expiresAtMs: number } | null = null;
  let pendingToken: Promise<string> | null = null;

  async function issueToken(): Promise<string> {
    const { body } = await http.send(
      { method: 'POST', path: '/v1/oauth2/token', headers: { authorization: `Basic ${basic}` }, form: { grant_type: 'client_credentials' } },
      tokenSchema,
    );
    secrets.push(body.access_token);
    token = { value: body.access_token, expiresAtMs: Date.now() + body.expires_in * 1000 };
    return body.access_token;
  }

  // A connection authorised through OAuth (tokenRefreshWorkflow keeps it fresh) holds an access token and no client credentials.
  const storedToken = !config.credentials.client_id && config.credentials.access_token ? config.credentials.access_token : null;

  /** The cached token while it is fresh; otherwise one token request, shared by concurrent callers. */
  function accessToken(): Promise<string> {
    if (storedToken) return Promise.resolve(storedToken);
    if (token && token.expiresAtMs - TOKEN_EXPIRY_MARGIN_MS > Date.now()) return Promise.resolve(token.value);
    pendingToken ??= issueToken().finally(() => {
      pendingToken = null;
    });
    return pendingToken;
  }

  async function search(query: JsonRequest['query']): Promise<JsonResponse<z.infer<typeof searchPageSchema>>> {
    const send = (bearer: string) =>
      http.send({ method: 'GET', path: TRANSACTIONS_PATH, query, headers: { authorization: `Bearer ${bearer}` } }, searchPageSchema);
    const bearer = await accessToken();
    try {
      return await send(bearer);
    } catch (err) {
      if (storedToken || !(err instanceof ConnectorError && err.kind === 'auth' && err.details.status === 401)) throw err;
      // The token may have been revoked or expired early: one fresh token, one more try.
      if (token?.value === bearer) token = null;
      return send(await accessToken());
    }
  }

  async function searchSlice(position: SearchPosition, pageSize: number) {
    return search({
      start_date: `${position.slice.startDate}T00:00:00Z`,
      end_date: `${position.slice.endDate}T23:59:59Z`,
      fields: 'all',
      page_size: String(pageSize),
      page: String(position.page),
    });
  }

  return {
    platform: 'paypal',
    source: 'live',
    listStreams: () => ['payments'],

    async testConnection() {
      // A token alone does not prove the app may use Transaction Search: one search of the last day does.
      const end = new Date(Math.floor(Date.now() / 1000) * 1000);
      const start = new Date(end.getTime() - 86_400_000);
      const iso = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
      const { latencyMs } = await search({ start_date: iso(start), end_date: iso(end), fields: 'transaction_info', page_size: '1', page: '1' });
      return { ok: true, accountName: null, latencyMs, message: 'PayPal Transaction Search is readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'payments') throw new ConnectorError('malformed', `PayPal has no ${request.stream} stream`);
      let position: SearchPosition =
        request.cursor === null ? { slice: sliceFrom(request.window, request.window.startDate), page: 1 } : parseSearchCursor(request.cursor, request.window);
      const pageSize = Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
      for (;;) {
        try {
          const { body, bytesRead } = await searchSlice(position, pageSize);
          const next = nextSearchPosition(request.window, position, body.total_pages);
          return { records: body.transaction_details.filter(isPaymentEvent).map(paypalPaymentRecord), nextCursor: next && formatSearchCursor(next), bytesRead };
        } catch (err) {
          const half =
            err instanceof ConnectorError && err.details.platformCode === 'RESULTSET_TOO_LARGE' && position.page === 1 ? halveSlice(position.slice) : null;
          if (!half) throw err;
          position = { slice: half, page: 1 };
        }
      }
    },
  };
}

/**
 * Payments (event codes T00xx) and their reversals and refunds (T11xx) carry the revenue a marketing analyst reads;
 * bank transfers, holds, fees and currency conversions in the same history would distort it.
 */
export function isPaymentEvent(transaction: PayPalTransaction): boolean {
  return /^T(00|11)\d{2}$/.test(transaction.transaction_info.transaction_event_code);
}

/** Gross amount, signed as PayPal signs it (a refund is negative); PayPal writes offsets as `+0000`. */
function paypalPaymentRecord(transaction: PayPalTransaction): MetricRecord {
  const info = transaction.transaction_info;
  const at = new Date(info.transaction_initiation_date.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(at.getTime())) throw new ConnectorError('malformed', `PayPal transaction ${info.transaction_id} has an unreadable date`);
  return paymentRecord(
    {
      entityId: info.transaction_id,
      date: at.toISOString().slice(0, 10),
      amount: Number(info.transaction_amount.value),
      currency: info.transaction_amount.currency_code,
      customerId: transaction.payer_info?.account_id ?? null,
      description: info.transaction_subject ?? info.invoice_id ?? null,
    },
    transaction,
  );
}

const errorSchema = z.object({
  name: z.string(),
  message: z.string().optional(),
  debug_id: z.string().optional(),
  details: z.array(z.object({ field: z.string().optional(), issue: z.string().optional() }).passthrough()).optional(),
});
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

const KIND_BY_NAME: Readonly<Record<string, ConnectorErrorKind>> = {
  AUTHENTICATION_FAILURE: 'auth',
  NOT_AUTHORIZED: 'auth',
  PERMISSION_DENIED: 'auth',
  RATE_LIMIT_REACHED: 'rate_limited',
  INTERNAL_SERVER_ERROR: 'transient',
  SERVICE_UNAVAILABLE: 'transient',
};
const KIND_BY_OAUTH_ERROR: Readonly<Record<string, ConnectorErrorKind>> = { invalid_client: 'auth', invalid_token: 'auth', unauthorized_client: 'auth' };

/**
 * PayPal's error body (`name`, `message`, `debug_id`, `details`), or OAuth's (`error`, `error_description`) from the
 * token endpoint and for a rejected token. PayPal documents no delay for a rate limit: a `Retry-After`, if one comes,
 * is honoured by the HTTP client; otherwise the activity's exponential backoff paces the retries.
 */
export function classifyPayPalError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const oauth = oauthErrorSchema.safeParse(failure.body).data;
  if (oauth) return { kind: KIND_BY_OAUTH_ERROR[oauth.error], message: oauth.error_description ?? oauth.error, platformCode: oauth.error };
  const error = errorSchema.safeParse(failure.body).data;
  if (!error) return {};
  const issues = (error.details ?? []).map((d) => [d.field, d.issue].filter(Boolean).join(': ')).filter(Boolean);
  const message = [error.message ?? error.name, ...issues].join('; ') + (error.debug_id ? ` (debug_id ${error.debug_id})` : '');
  return { kind: KIND_BY_NAME[error.name], message, platformCode: error.name };
}
