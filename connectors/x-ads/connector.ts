import { z } from 'zod';
import { addDays, type DateWindow, daysBetween, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient } from '../http-client';
import { classifyXAdsError } from './errors';
import { type OAuth1Credentials, oauth1Authorization } from './oauth1';
import { formatStatsCursor, nextStatsPosition, parseStatsCursor, type StatsPosition, statsRange } from './stats-cursor';

/**
 * X Ads API: daily synchronous analytics of one ad account's promoted tweets. The promoted tweets are listed
 * (cursor-paged) 20 at a time, the most one stats call takes, and each batch is read a week at a time.
 */

export const X_ADS_API_VERSION = '12';
/** The stats endpoint's limit on `entity_ids`; also the listing page size, so one listing page is one batch. */
const PROMOTED_TWEETS_PER_CALL = 20;
/** Purchases (count and sale amount) are the conversions analysts compare across platforms. */
const METRIC_GROUPS = 'ENGAGEMENT,BILLING,WEB_CONVERSION';
/** X Audience Platform delivery (PUBLISHER_NETWORK) is reported apart and not read here. */
const PLACEMENT = 'ALL_ON_TWITTER';
const MICROS = 1_000_000;

/** X reports `null` (a whole series, or a day) where the promoted tweet did not serve. */
const series = z.array(z.number().nullable()).nullable().optional();
const statsSchema = z
  .object({
    time_series_length: z.number().int(),
    data: z.array(
      z.object({
        id: z.string(),
        id_data: z.array(
          z.object({
            metrics: z
              .object({
                impressions: series,
                clicks: series,
                billed_charge_local_micro: series,
                conversion_purchases: z.object({ metric: series, sale_amount: series }).passthrough().nullable().optional(),
              })
              .passthrough(),
          }),
        ),
      }),
    ),
  })
  .passthrough();
type StatsEntity = z.infer<typeof statsSchema>['data'][number];
const promotedTweetsSchema = z.object({
  data: z.array(z.object({ id: z.string(), line_item_id: z.string() }).passthrough()),
  next_cursor: z.string().nullable().optional(),
});
const fundingInstrumentsSchema = z.object({ data: z.array(z.object({ currency: z.string(), deleted: z.boolean().optional() }).passthrough()) });
const accountSchema = z.object({
  data: z.object({ id: z.string(), name: z.string(), approval_status: z.string(), deleted: z.boolean().optional() }).passthrough(),
});

export function createXAdsConnector(config: ConnectorConfig): Connector {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const accountId = config.accountId;
  const oauth: OAuth1Credentials = {
    consumerKey: config.credentials.consumer_key ?? '',
    consumerSecret: config.credentials.consumer_secret ?? '',
    token: config.credentials.access_token ?? '',
    tokenSecret: config.credentials.access_token_secret ?? '',
  };
  const http = createJsonHttpClient({
    platform: 'X Ads',
    baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyXAdsError,
  });

  /** A signed GET: the signature covers the exact URL and query parameters the HTTP client sends. */
  function get<T>(path: string, params: Record<string, string | undefined>, schema: z.ZodType<T, unknown>) {
    const fullPath = `/${X_ADS_API_VERSION}${path}`;
    const query = Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const authorization = oauth1Authorization(oauth, { method: 'GET', url: new URL(baseUrl + fullPath).toString(), params: query });
    return http.send({ method: 'GET', path: fullPath, query, headers: { authorization } }, schema);
  }

  // Spend is in the account's currency, which stats do not repeat; X keeps it on the funding instruments. Read once.
  let currency: Promise<string | null> | undefined;
  const accountCurrency = () =>
    (currency ??= get(`/accounts/${accountId}/funding_instruments`, { with_deleted: 'true' }, fundingInstrumentsSchema).then(
      ({ body }) => (body.data.find((fi) => !fi.deleted) ?? body.data[0])?.currency ?? null,
      (err: unknown) => {
        currency = undefined;
        throw err;
      },
    ));

  return {
    platform: 'x_ads',
    source: 'live',
    listStreams: () => ['ad_performance'],

    async testConnection() {
      const { body, latencyMs } = await get(`/accounts/${accountId}`, {}, accountSchema);
      const account = body.data;
      const ok = account.approval_status === 'ACCEPTED' && !account.deleted;
      return { ok, accountName: account.name, latencyMs, message: `Ad account ${account.id} is ${account.deleted ? 'deleted' : account.approval_status}` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'ad_performance') throw new ConnectorError('malformed', `X Ads has no ${request.stream} stream`);
      const window = request.window;
      const position: StatsPosition =
        request.cursor === null ? { batch: null, listing: null, from: window.startDate } : parseStatsCursor(request.cursor, window);
      let { batch, listing } = position;
      let bytesRead = 0;
      if (batch === null) {
        const listed = await get(
          `/accounts/${accountId}/promoted_tweets`,
          // Promoted tweets of deleted line items are only listed with_deleted, and may have served in the window.
          { count: String(PROMOTED_TWEETS_PER_CALL), cursor: listing ?? undefined, with_deleted: 'true' },
          promotedTweetsSchema,
        );
        bytesRead += listed.bytesRead;
        batch = listed.body.data.map((tweet): [string, string] => [tweet.id, tweet.line_item_id]);
        listing = listed.body.next_cursor ?? null;
        if (batch.length === 0) return { records: [], nextCursor: null, bytesRead };
      }

      const range = statsRange(window, position.from);
      const currencyCode = await accountCurrency();
      const stats = await get(
        `/stats/accounts/${accountId}`,
        {
          entity: 'PROMOTED_TWEET',
          entity_ids: batch.map(([id]) => id).join(','),
          // Dates without a time are midnights in the account's time zone, which DAY granularity requires; the end is exclusive.
          start_time: range.startDate,
          end_time: addDays(range.endDate, 1),
          granularity: 'DAY',
          metric_groups: METRIC_GROUPS,
          placement: PLACEMENT,
        },
        statsSchema,
      );
      bytesRead += stats.bytesRead;
      const days = daysBetween(range.startDate, range.endDate) + 1;
      if (stats.body.time_series_length !== days)
        throw new ConnectorError('malformed', `X Ads answered ${stats.body.time_series_length} days of stats for ${days} asked`);

      const lineItems = new Map(batch);
      const records = stats.body.data.flatMap((entity) => dailyRecords(entity, range, lineItems.get(entity.id) ?? null, currencyCode));
      const next = nextStatsPosition(window, { batch, listing, from: position.from });
      return { records, nextCursor: next && formatStatsCursor(next), bytesRead };
    },
  };
}

/** One record per day the promoted tweet served; `raw` is that day's slice of its time series. */
function dailyRecords(entity: StatsEntity, range: DateWindow, lineItemId: string | null, currency: string | null): MetricRecord[] {
  const metrics = entity.id_data[0]?.metrics;
  if (!metrics) return [];
  const records: MetricRecord[] = [];
  for (let day = 0, date = range.startDate; date <= range.endDate; day++, date = addDays(date, 1)) {
    const at = (values: z.infer<typeof series>) => values?.[day] ?? null;
    const impressions = at(metrics.impressions);
    const clicks = at(metrics.clicks);
    const spendMicro = at(metrics.billed_charge_local_micro);
    const purchases = at(metrics.conversion_purchases?.metric);
    const saleAmountMicro = at(metrics.conversion_purchases?.sale_amount);
    if (impressions === null && clicks === null && spendMicro === null && purchases === null) continue;
    records.push({
      stream: 'ad_performance',
      entityId: entity.id,
      date,
      entityName: null,
      parentId: lineItemId,
      impressions,
      clicks,
      spend: spendMicro === null ? null : spendMicro / MICROS,
      conversions: purchases,
      revenue: saleAmountMicro === null ? null : saleAmountMicro / MICROS,
      currency,
      raw: { id: entity.id, date, placement: PLACEMENT, metrics: daySlice(metrics, day) },
    });
  }
  return records;
}

/** Each series of a metrics object (nested ones too, as conversion metrics are) reduced to one day's value. */
function daySlice(metrics: Record<string, unknown>, day: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(metrics).map(([name, value]) => {
      if (Array.isArray(value)) return [name, (value[day] as unknown) ?? null];
      if (value !== null && typeof value === 'object') return [name, daySlice(value as Record<string, unknown>, day)];
      return [name, value];
    }),
  );
}
