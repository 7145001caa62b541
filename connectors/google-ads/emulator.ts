import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AdPerformanceValues, adPerformanceRow, adPerformanceRowCount } from '../mock/generator';
import { hash32 } from '../mock/random';

/**
 * `googleAds:search` over REST for the two GAQL queries the connector sends (ad_group_ad by day, customer),
 * with server-fixed page size, query-bound page tokens and google.rpc.Status errors carrying GoogleAdsFailure.
 */

/** The API's fixed page size since v17. */
const SERVER_PAGE_SIZE = 10_000;

export const googleAdsEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '1234567890',
  defaultCredentials: { access_token: 'emulator-google-access-token', developer_token: 'emulator-google-developer-token' },
  create: createGoogleAdsEmulator,
};

const RPC_STATUS_BY_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

interface AdsError {
  errorCode: Record<string, string>;
  message: string;
  details?: Record<string, unknown>;
}

function createGoogleAdsEmulator(context: EmulatorContext): PlatformEmulator {
  let requestIds = 0;
  const rpcError = (c: Context, status: ContentfulStatusCode, message: string, errors: AdsError[], extraDetails: Record<string, unknown>[] = []) =>
    c.json(
      {
        error: {
          code: status,
          message,
          status: RPC_STATUS_BY_HTTP[status] ?? 'UNKNOWN',
          details: [
            {
              '@type': 'type.googleapis.com/google.ads.googleads.v18.errors.GoogleAdsFailure',
              errors,
              requestId: `emu${(++requestIds).toString(36).padStart(8, '0')}`,
            },
            ...extraDetails,
          ],
        },
      },
      status,
    );

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return rpcError(c, status, 'Request is missing required authentication credential. Expected OAuth 2 access token.', [
          { errorCode: { authenticationError: 'OAUTH_TOKEN_INVALID' }, message: 'Oauth token in the header is not valid.' },
        ]);
      case 'rate_limited': {
        const retryDelay = `${context.retryAfterSeconds()}s`;
        return rpcError(
          c,
          status,
          'Resource has been exhausted (e.g. check quota).',
          [
            {
              errorCode: { quotaError: 'RESOURCE_TEMPORARILY_EXHAUSTED' },
              message: `Too many requests. Retry in ${context.retryAfterSeconds()} seconds.`,
              details: { quotaErrorDetails: { rateScope: 'DEVELOPER', rateName: 'Number of operations for explorer access', retryDelay } },
            },
          ],
          [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }],
        );
      }
      case 'server_error':
        return status === 503
          ? rpcError(c, status, 'The service is currently unavailable.', [
              { errorCode: { internalError: 'TRANSIENT_ERROR' }, message: 'The outcome of the request is unknown; retry it.' },
            ])
          : rpcError(c, status, 'Internal error encountered.', [
              { errorCode: { internalError: 'INTERNAL_ERROR' }, message: 'An internal error has occurred.' },
            ]);
    }
  }

  const invalidQuery = (c: Context, message: string) =>
    rpcError(c, 400, 'Request contains an invalid argument.', [{ errorCode: { queryError: 'UNEXPECTED_END_OF_QUERY' }, message }]);

  const app = new Hono();
  // Colons are not route syntax mid-segment in every router, so the method segment is matched by value.
  app.post('/:version/customers/:customerId/:method', async (c) => {
    if (c.req.param('method') !== 'googleAds:search') return c.notFound();
    if (c.req.header('authorization') !== `Bearer ${context.credentials.access_token}`) return failure(c, 'auth', 401);
    const developerToken = c.req.header('developer-token') ?? '';
    if (developerToken !== context.credentials.developer_token) {
      // Echoes the rejected token so tests prove the connector scrubs platform text.
      return rpcError(c, 401, 'Request is missing required authentication credential.', [
        { errorCode: { authenticationError: 'DEVELOPER_TOKEN_INVALID' }, message: `The developer token '${developerToken}' is not valid.` },
      ]);
    }
    const account = context.account();
    const customerId = c.req.param('customerId');
    if (customerId !== account.accountId.replace(/-/g, '')) {
      return rpcError(c, 403, 'The caller does not have permission to execute the specified operation.', [
        { errorCode: { authorizationError: 'USER_PERMISSION_DENIED' }, message: "User doesn't have permission to access customer." },
      ]);
    }

    const body = (await c.req.json().catch(() => null)) as { query?: unknown; pageToken?: unknown } | null;
    const query = typeof body?.query === 'string' ? body.query : '';
    const resource = /\bFROM\s+(\w+)/i.exec(query)?.[1];
    if (resource === 'customer') {
      return c.json({
        results: [
          { customer: { resourceName: `customers/${customerId}`, id: customerId, descriptiveName: `Emulated customer ${customerId}`, currencyCode: 'USD' } },
        ],
        fieldMask: 'customer.id,customer.descriptiveName',
      });
    }
    if (resource !== 'ad_group_ad') return invalidQuery(c, 'This emulator serves FROM customer and FROM ad_group_ad queries only.');
    const dates = /segments\.date\s+BETWEEN\s+'(\d{4}-\d{2}-\d{2})'\s+AND\s+'(\d{4}-\d{2}-\d{2})'/i.exec(query);
    if (!dates || dates[1]! > dates[2]!) return invalidQuery(c, 'Filtering by segments.date BETWEEN two dates is required.');
    // A platform with a retention limit answers the days it still keeps, and no older ones.
    const window = context.retained({ startDate: dates[1]!, endDate: dates[2]! });

    // Page tokens are bound to the query: another query with this token is an error, as on the real API.
    const scope = String(hash32(query));
    const offset = body?.pageToken === undefined ? 0 : context.cursor.decode(String(body.pageToken), scope);
    if (offset === null)
      return rpcError(c, 400, 'Request contains an invalid argument.', [
        { errorCode: { requestError: 'INVALID_PAGE_TOKEN' }, message: 'Page token is invalid.' },
      ]);

    const total = window ? adPerformanceRowCount(account, window) : 0;
    const end = Math.min(total, offset + (context.pageSize ?? SERVER_PAGE_SIZE));
    const results = [];
    for (let i = offset; i < end; i++) results.push(adGroupAdRow(customerId, adPerformanceRow(account, window!, i)));
    // proto3 JSON leaves out empty repeated fields and unset strings.
    return c.json({
      ...(results.length > 0 ? { results } : {}),
      ...(end < total ? { nextPageToken: context.cursor.encode(end, scope) } : {}),
      fieldMask: fieldMask(query),
    });
  });

  return { app, failure };
}

function adGroupAdRow(customerId: string, v: AdPerformanceValues): Record<string, unknown> {
  const metrics = {
    impressions: String(v.impressions),
    clicks: String(v.clicks),
    costMicros: String(Math.round(v.spend * 1_000_000)),
    conversions: v.conversions,
    conversionsValue: v.conversionValue,
  };
  return {
    customer: { resourceName: `customers/${customerId}`, currencyCode: 'USD' },
    campaign: { resourceName: `customers/${customerId}/campaigns/${v.entity.campaignId}`, id: v.entity.campaignId, name: v.entity.campaignName },
    adGroup: { resourceName: `customers/${customerId}/adGroups/${v.entity.adSetId}`, id: v.entity.adSetId, name: v.entity.adSetName },
    adGroupAd: {
      resourceName: `customers/${customerId}/adGroupAds/${v.entity.adSetId}~${v.entity.adId}`,
      ad: { resourceName: `customers/${customerId}/ads/${v.entity.adId}`, id: v.entity.adId, name: v.entity.adName },
    },
    // Zero metrics are default values, which proto3 JSON leaves out.
    metrics: Object.fromEntries(Object.entries(metrics).filter(([, value]) => value !== 0 && value !== '0')),
    segments: { date: v.date },
  };
}

/** The selected fields in the response's camelCase, as `fieldMask` lists them. */
function fieldMask(query: string): string {
  const selected = /SELECT\s+(.*?)\s+FROM/is.exec(query)?.[1] ?? '';
  return selected
    .split(',')
    .map((field) => field.trim().replace(/_(\w)/g, (_, ch: string) => ch.toUpperCase()))
    .filter(Boolean)
    .join(',');
}
