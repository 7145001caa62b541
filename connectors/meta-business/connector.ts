import { z } from 'zod';
import type { MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient, type PlatformErrorDetails } from '../http-client';

/** Meta Marketing API (Graph API): ad-level daily insights of one ad account. */

export const GRAPH_API_VERSION = 'v21.0';
const DEFAULT_PAGE_SIZE = 500;
const INSIGHTS_FIELDS = [
  'account_currency',
  'ad_id',
  'ad_name',
  'adset_id',
  'campaign_id',
  'campaign_name',
  'impressions',
  'clicks',
  'spend',
  'reach',
  'actions',
  'action_values',
];
/** Meta reports every conversion type under `actions`; purchases are the conversion analysts compare across platforms. */
const CONVERSION_ACTION_TYPE = 'purchase';
/** https://developers.facebook.com/docs/marketing-api/reference/ad-account/ (account_status). */
const ACCOUNT_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'active',
  2: 'disabled',
  3: 'unsettled',
  7: 'pending risk review',
  8: 'pending settlement',
  9: 'in grace period',
  100: 'pending closure',
  101: 'closed',
};

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal string');
const actionStats = z.array(z.object({ action_type: z.string(), value: decimalString }).passthrough());
const insightsRowSchema = z
  .object({
    ad_id: z.string(),
    ad_name: z.string().optional(),
    adset_id: z.string(),
    date_start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    impressions: decimalString,
    clicks: decimalString.optional(),
    spend: decimalString,
    account_currency: z.string().optional(),
    actions: actionStats.optional(),
    action_values: actionStats.optional(),
  })
  .passthrough();
type InsightsRow = z.infer<typeof insightsRowSchema>;

const insightsPageSchema = z.object({
  data: z.array(insightsRowSchema),
  paging: z.object({ cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const adAccountSchema = z.object({ id: z.string(), name: z.string(), account_status: z.number().int() });

export function createMetaBusinessConnector(config: ConnectorConfig): Connector {
  const accessToken = config.credentials.access_token ?? '';
  const adAccount = `act_${config.accountId.replace(/^act_/, '')}`;
  const http = createJsonHttpClient({
    platform: 'Meta',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyMetaError,
  });
  // A header rather than the documented `access_token` parameter keeps the token out of URLs and their logs.
  const headers = { authorization: `Bearer ${accessToken}` };

  return {
    platform: 'meta_business',
    source: 'live',
    listStreams: () => ['ad_performance'],

    async testConnection() {
      const { body, latencyMs } = await http.send(
        { method: 'GET', path: `/${GRAPH_API_VERSION}/${adAccount}`, query: { fields: 'name,account_status' }, headers },
        adAccountSchema,
      );
      const status = ACCOUNT_STATUS_NAMES[body.account_status] ?? `status ${body.account_status}`;
      return { ok: body.account_status === 1, accountName: body.name, latencyMs, message: `Ad account ${body.id} is ${status}` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'ad_performance') throw new ConnectorError('malformed', `Meta has no ${request.stream} stream`);
      const { body, bytesRead } = await http.send(
        {
          method: 'GET',
          path: `/${GRAPH_API_VERSION}/${adAccount}/insights`,
          query: {
            level: 'ad',
            time_increment: '1',
            time_range: JSON.stringify({ since: request.window.startDate, until: request.window.endDate }),
            fields: INSIGHTS_FIELDS.join(','),
            limit: String(request.pageSize ?? DEFAULT_PAGE_SIZE),
            after: request.cursor ?? undefined,
          },
          headers,
        },
        insightsPageSchema,
      );
      // Meta drops `paging.next` on the last page; the `after` cursor alone does not say whether more follows.
      const nextCursor = body.paging?.next ? body.paging.cursors?.after : null;
      if (nextCursor === undefined) throw new ConnectorError('malformed', 'Meta announced a next page without an after cursor');
      return { records: body.data.map(insightsRecord), nextCursor, bytesRead };
    },
  };
}

function insightsRecord(row: InsightsRow): MetricRecord {
  return {
    stream: 'ad_performance',
    entityId: row.ad_id,
    date: row.date_start,
    entityName: row.ad_name ?? null,
    parentId: row.adset_id,
    impressions: Number(row.impressions),
    clicks: Number(row.clicks ?? 0),
    spend: Number(row.spend),
    conversions: actionTotal(row.actions),
    revenue: actionTotal(row.action_values),
    currency: row.account_currency ?? null,
    raw: row,
  };
}

/** Meta leaves `actions` out when nothing happened. */
function actionTotal(stats: InsightsRow['actions']): number {
  return (stats ?? []).filter((s) => s.action_type === CONVERSION_ACTION_TYPE).reduce((sum, s) => sum + Number(s.value), 0);
}

const metaErrorSchema = z.object({
  error: z.object({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
  }),
});

/** Codes from https://developers.facebook.com/docs/graph-api/guides/error-handling and the Marketing API rate-limiting guide. */
function isAuthCode(code: number): boolean {
  return code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299);
}
function isThrottlingCode(code: number): boolean {
  return code === 4 || code === 17 || code === 32 || code === 613 || (code >= 80000 && code <= 80014);
}

/** Meta answers most failures with 400 and says what happened in `error.code`. */
export function classifyMetaError(failure: { body: unknown; headers: Headers }): PlatformErrorDetails {
  const parsed = metaErrorSchema.safeParse(failure.body);
  if (!parsed.success) return {};
  const { code, error_subcode: subcode, message, is_transient: isTransient } = parsed.data.error;
  const details = { message, platformCode: subcode === undefined ? String(code) : `${code}/${subcode}` };
  if (isAuthCode(code)) return { ...details, kind: 'auth' };
  if (isThrottlingCode(code)) return { ...details, kind: 'rate_limited', retryAfterMs: throttleDelayMs(failure.headers) };
  if (isTransient || code === 1 || code === 2) return { ...details, kind: 'transient' };
  return details;
}

const usageEntry = z.object({ estimated_time_to_regain_access: z.number().optional() }).passthrough();

/**
 * The longest `estimated_time_to_regain_access` (minutes) in the usage headers: X-Business-Use-Case-Usage maps
 * business ids to usage entries, X-App-Usage is a single entry. Undefined when neither asks for a wait.
 */
export function throttleDelayMs(headers: Headers): number | undefined {
  const minutes: number[] = [];
  const businessUsage = z.record(z.string(), z.array(usageEntry)).safeParse(parseHeaderJson(headers.get('x-business-use-case-usage')));
  if (businessUsage.success)
    for (const entries of Object.values(businessUsage.data)) for (const e of entries) minutes.push(e.estimated_time_to_regain_access ?? 0);
  const appUsage = usageEntry.safeParse(parseHeaderJson(headers.get('x-app-usage')));
  if (appUsage.success) minutes.push(appUsage.data.estimated_time_to_regain_access ?? 0);
  const longest = Math.max(0, ...minutes);
  return longest > 0 ? longest * 60_000 : undefined;
}

function parseHeaderJson(value: string | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
