import { z } from 'zod';
import type { MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient, type JsonRequest } from '../http-client';
import { returnCodeError, tiktokReply } from './envelope';
import { formatReportCursor, nextReportPosition, parseReportCursor, type ReportPosition, reportWindow } from './report-cursor';
import { classifyTikTokError } from './return-codes';

/** TikTok API for Business (Marketing API): the synchronous integrated report, ad level by day, of one advertiser. */

export const TIKTOK_API_VERSION = 'v1.3';
/** `page_size` ranges 1..1000. */
const MAX_PAGE_SIZE = 1_000;
const REPORT_DIMENSIONS = ['ad_id', 'stat_time_day'];
/**
 * Attribute metrics (names, parent ids, currency) need an id dimension, which `ad_id` is. `conversion` counts the
 * ad's optimization events; `total_complete_payment_rate` is, despite its name, the value of web purchases.
 */
const REPORT_METRICS = ['ad_name', 'adgroup_id', 'campaign_id', 'currency', 'spend', 'impressions', 'clicks', 'conversion', 'total_complete_payment_rate'];
/** The advertiser `status` of an account that can deliver ads. */
const ACTIVE_ADVERTISER_STATUS = 'STATUS_ENABLE';

/** TikTok renders every metric as a string; "-" stands for a value it cannot compute. */
const metricValue = z.string().regex(/^(-?\d+(\.\d+)?|-)$/, 'Expected a decimal string or "-"');
const reportRowSchema = z
  .object({
    dimensions: z.object({ ad_id: z.string(), stat_time_day: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'Expected a date') }).passthrough(),
    metrics: z
      .object({
        ad_name: z.string().optional(),
        adgroup_id: z.string().optional(),
        currency: z.string().optional(),
        spend: metricValue,
        impressions: metricValue,
        clicks: metricValue,
        conversion: metricValue.optional(),
        total_complete_payment_rate: metricValue.optional(),
      })
      .passthrough(),
  })
  .passthrough();
type ReportRow = z.infer<typeof reportRowSchema>;

const reportPageSchema = z.object({
  list: z.array(reportRowSchema),
  page_info: z.object({ page: z.number().int(), page_size: z.number().int(), total_number: z.number().int(), total_page: z.number().int() }),
});
const advertiserInfoSchema = z.object({ list: z.array(z.object({ advertiser_id: z.string(), name: z.string(), status: z.string() }).passthrough()) });

export function createTikTokConnector(config: ConnectorConfig): Connector {
  // The advertiser is a credential field on TikTok; the connection's account id, when set, names the same advertiser.
  const advertiserId = config.credentials.advertiser_id || config.accountId;
  const secrets = Object.values(config.credentials);
  const http = createJsonHttpClient({
    platform: 'TikTok',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets,
    classifyError: classifyTikTokError,
  });
  const headers = { 'access-token': config.credentials.access_token ?? '' };

  /** Sends a GET and returns `data`; a non-zero return code, TikTok's way of failing, becomes a ConnectorError. */
  async function get<T>(path: string, query: JsonRequest['query'], data: z.ZodType<T, unknown>) {
    const request: JsonRequest = { method: 'GET', path: `/open_api/${TIKTOK_API_VERSION}${path}`, query, headers };
    const { body, bytesRead, latencyMs } = await http.send(request, tiktokReply(data));
    if (!body.ok) throw returnCodeError(`TikTok GET ${request.path}`, body, secrets);
    return { data: body.data, bytesRead, latencyMs };
  }

  return {
    platform: 'tiktok',
    source: 'live',
    listStreams: () => ['ad_performance'],

    async testConnection() {
      const fields = JSON.stringify(['advertiser_id', 'name', 'status']);
      const { data, latencyMs } = await get('/advertiser/info/', { advertiser_ids: JSON.stringify([advertiserId]), fields }, advertiserInfoSchema);
      const advertiser = data.list.find((a) => a.advertiser_id === advertiserId);
      if (!advertiser) return { ok: false, accountName: null, latencyMs, message: `Advertiser ${advertiserId} is not among those the token may read` };
      return {
        ok: advertiser.status === ACTIVE_ADVERTISER_STATUS,
        accountName: advertiser.name,
        latencyMs,
        message: `Advertiser ${advertiserId} is ${advertiser.status}`,
      };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'ad_performance') throw new ConnectorError('malformed', `TikTok has no ${request.stream} stream`);
      const position: ReportPosition =
        request.cursor === null ? { from: request.window.startDate, page: 1 } : parseReportCursor(request.cursor, request.window);
      const report = reportWindow(request.window, position.from);
      const { data, bytesRead } = await get(
        '/report/integrated/get/',
        {
          advertiser_id: advertiserId,
          service_type: 'AUCTION',
          report_type: 'BASIC',
          data_level: 'AUCTION_AD',
          dimensions: JSON.stringify(REPORT_DIMENSIONS),
          metrics: JSON.stringify(REPORT_METRICS),
          start_date: report.startDate,
          end_date: report.endDate,
          page: String(position.page),
          page_size: String(Math.min(request.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE)),
        },
        reportPageSchema,
      );
      const next = nextReportPosition(request.window, position, data.page_info.total_page);
      return { records: data.list.map(reportRecord), nextCursor: next && formatReportCursor(next), bytesRead };
    },
  };
}

function reportRecord(row: ReportRow): MetricRecord {
  const m = row.metrics;
  return {
    stream: 'ad_performance',
    entityId: row.dimensions.ad_id,
    date: row.dimensions.stat_time_day.slice(0, 10),
    entityName: m.ad_name ?? null,
    parentId: m.adgroup_id ?? null,
    impressions: metricNumber(m.impressions),
    clicks: metricNumber(m.clicks),
    spend: metricNumber(m.spend),
    conversions: metricNumber(m.conversion),
    revenue: metricNumber(m.total_complete_payment_rate),
    currency: m.currency ?? null,
    raw: row,
  };
}

function metricNumber(value: string | undefined): number | null {
  return value === undefined || value === '-' ? null : Number(value);
}
