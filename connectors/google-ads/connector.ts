import { z } from 'zod';
import type { DateWindow, MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type PlatformErrorDetails } from '../http-client';

/**
 * Google Ads API over REST: `googleAds:search` with GAQL. The server fixes the page size (10,000 rows);
 * `nextPageToken` is the cursor.
 */

export const GOOGLE_ADS_API_VERSION = 'v18';

const int64 = z.string().regex(/^-?\d+$/, 'Expected an int64 string');
/** proto3 JSON leaves out zero metrics and renders int64 as strings. */
const adPerformanceRowSchema = z
  .object({
    customer: z.object({ currencyCode: z.string().optional() }).passthrough().optional(),
    campaign: z.object({ id: int64 }).passthrough(),
    adGroup: z.object({ id: int64 }).passthrough(),
    adGroupAd: z.object({ ad: z.object({ id: int64, name: z.string().optional() }).passthrough() }).passthrough(),
    segments: z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).passthrough(),
    metrics: z
      .object({
        impressions: int64.optional(),
        clicks: int64.optional(),
        costMicros: int64.optional(),
        conversions: z.number().optional(),
        conversionsValue: z.number().optional(),
      })
      .passthrough()
      .default({}),
  })
  .passthrough();
type AdPerformanceRow = z.infer<typeof adPerformanceRowSchema>;

const searchResponse = <Row extends z.ZodTypeAny>(row: Row) =>
  z.object({ results: z.array(row).default([]), nextPageToken: z.string().optional() }).passthrough();
const customerRowSchema = z.object({ customer: z.object({ id: int64.optional(), descriptiveName: z.string().optional() }).passthrough() });

function adPerformanceQuery(window: DateWindow): string {
  return [
    'SELECT campaign.id, campaign.name, ad_group.id, ad_group.name, ad_group_ad.ad.id, ad_group_ad.ad.name, segments.date,',
    'metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value, customer.currency_code',
    `FROM ad_group_ad WHERE segments.date BETWEEN '${window.startDate}' AND '${window.endDate}'`,
    'ORDER BY segments.date, ad_group_ad.ad.id',
  ].join(' ');
}

export function createGoogleAdsConnector(config: ConnectorConfig): Connector {
  const customerId = config.accountId.replace(/-/g, '');
  const http = createJsonHttpClient({
    platform: 'Google Ads',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyGoogleAdsError,
  });
  const headers: Record<string, string> = {
    authorization: `Bearer ${config.credentials.access_token ?? ''}`,
    'developer-token': config.credentials.developer_token ?? '',
    // Only set when the account is reached through a manager account.
    ...(config.credentials.login_customer_id ? { 'login-customer-id': config.credentials.login_customer_id.replace(/-/g, '') } : {}),
  };
  const search = <Row extends z.ZodTypeAny>(query: string, pageToken: string | null, row: Row) =>
    http.send(
      {
        method: 'POST',
        path: `/${GOOGLE_ADS_API_VERSION}/customers/${customerId}/googleAds:search`,
        headers,
        body: { query, ...(pageToken ? { pageToken } : {}) },
      },
      searchResponse(row),
    );

  return {
    platform: 'google_ads',
    source: 'live',
    listStreams: () => ['ad_performance'],

    async testConnection() {
      const { body, latencyMs } = await search('SELECT customer.id, customer.descriptive_name FROM customer', null, customerRowSchema);
      const name = body.results[0]?.customer.descriptiveName ?? null;
      return { ok: true, accountName: name, latencyMs, message: `Customer ${customerId} is reachable` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'ad_performance') throw new ConnectorError('malformed', `Google Ads has no ${request.stream} stream`);
      // The page token is bound to the query, so resuming re-sends the same query (same window) with it.
      const { body, bytesRead } = await search(adPerformanceQuery(request.window), request.cursor, adPerformanceRowSchema);
      return { records: body.results.map(adPerformanceRecord), nextCursor: body.nextPageToken || null, bytesRead };
    },
  };
}

function adPerformanceRecord(row: AdPerformanceRow): MetricRecord {
  const m = row.metrics;
  return {
    stream: 'ad_performance',
    entityId: row.adGroupAd.ad.id,
    date: row.segments.date,
    entityName: row.adGroupAd.ad.name ?? null,
    parentId: row.adGroup.id,
    impressions: Number(m.impressions ?? 0),
    clicks: Number(m.clicks ?? 0),
    spend: Number(m.costMicros ?? 0) / 1_000_000,
    conversions: m.conversions ?? 0,
    revenue: m.conversionsValue ?? 0,
    currency: row.customer?.currencyCode ?? null,
    raw: row,
  };
}

const statusSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
});
const googleAdsFailureSchema = z.object({
  errors: z
    .array(
      z.object({
        errorCode: z.record(z.string(), z.string()).optional(),
        message: z.string().optional(),
        details: z.object({ quotaErrorDetails: z.object({ retryDelay: z.string().optional() }).optional() }).optional(),
      }),
    )
    .default([]),
});
const retryInfoSchema = z.object({ retryDelay: z.string() });

/** google.rpc.Code names (https://cloud.google.com/apis/design/errors) the retry policy treats specially. */
const KIND_BY_RPC_STATUS: Readonly<Record<string, ConnectorErrorKind>> = {
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  RESOURCE_EXHAUSTED: 'rate_limited',
  UNAVAILABLE: 'transient',
  INTERNAL: 'transient',
  DEADLINE_EXCEEDED: 'transient',
  ABORTED: 'transient',
};

/** A google.rpc.Status body: GoogleAdsFailure details name the error, RetryInfo or quotaErrorDetails the wait. */
export function classifyGoogleAdsError(failure: { body: unknown }): PlatformErrorDetails {
  const parsed = statusSchema.safeParse(failure.body);
  if (!parsed.success) return {};
  const { status, message, details = [] } = parsed.data.error;
  const typed = (suffix: string) => details.filter((d) => typeof d['@type'] === 'string' && d['@type'].endsWith(suffix));
  const adsErrors = typed('.GoogleAdsFailure').flatMap((d) => googleAdsFailureSchema.safeParse(d).data?.errors ?? []);
  const retryDelays = [
    ...typed('google.rpc.RetryInfo').map((d) => retryInfoSchema.safeParse(d).data?.retryDelay),
    ...adsErrors.map((e) => e.details?.quotaErrorDetails?.retryDelay),
  ];
  const retryAfterMs = retryDelays.map(durationMs).find((ms) => ms !== undefined);
  const errorCode = Object.entries(adsErrors[0]?.errorCode ?? {})[0];
  return {
    kind: status ? KIND_BY_RPC_STATUS[status] : undefined,
    message: adsErrors[0]?.message ?? message,
    platformCode: errorCode ? `${errorCode[0]}.${errorCode[1]}` : status,
    retryAfterMs,
  };
}

/** A protobuf Duration in JSON: seconds with an `s` suffix, e.g. "30s" or "1.5s". */
function durationMs(value: string | undefined): number | undefined {
  const match = value ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}
