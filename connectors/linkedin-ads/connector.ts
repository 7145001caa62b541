import { z } from 'zod';
import { addDays, type DateWindow, daysBetween, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient } from '../http-client';
import { classifyLinkedInError } from './errors';
import { restliDateRange, restliList, restliQuery } from './restli-query';

/**
 * LinkedIn Marketing API (versioned REST): daily creative-level analytics of one sponsored account.
 *
 * adAnalytics does not paginate: it answers a whole query at once, at most 15,000 elements, silently dropping the rest.
 * A sync window is therefore read in date ranges of a few days, the cursor being the first day of the next range,
 * and a range whose answer is full is read again in halves.
 */

/** Marketing versions live for about a year (https://learn.microsoft.com/en-us/linkedin/marketing/versioning). */
export const LINKEDIN_VERSION = '202606';
export const MAX_ANALYTICS_ELEMENTS = 15_000;
/** A week of days per request keeps accounts with up to ~2,000 creatives delivering daily under the element cap. */
const DAYS_PER_REQUEST = 7;
/** pivotValues and dateRange are only returned when asked for. */
const ANALYTICS_FIELDS = [
  'pivotValues',
  'dateRange',
  'impressions',
  'clicks',
  'costInLocalCurrency',
  'externalWebsiteConversions',
  'conversionValueInLocalCurrency',
];
const CREATIVE_URN_PREFIX = 'urn:li:sponsoredCreative:';

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal string');
const dateSchema = z.object({ year: z.number().int(), month: z.number().int(), day: z.number().int() });
const analyticsElementSchema = z
  .object({
    pivotValues: z.array(z.string()).min(1),
    dateRange: z.object({ start: dateSchema, end: dateSchema.optional() }),
    impressions: z.number().int().default(0),
    clicks: z.number().int().default(0),
    costInLocalCurrency: decimalString.default('0'),
    externalWebsiteConversions: z.number().default(0),
    conversionValueInLocalCurrency: decimalString.optional(),
  })
  .passthrough();
type AnalyticsElement = z.infer<typeof analyticsElementSchema>;
const analyticsSchema = z.object({ elements: z.array(analyticsElementSchema) }).passthrough();
const adAccountSchema = z.object({ id: z.number().int(), name: z.string(), currency: z.string(), status: z.string() }).passthrough();

export function createLinkedInAdsConnector(config: ConnectorConfig): Connector {
  const accountId = config.accountId.replace(/^urn:li:sponsoredAccount:/, '');
  const http = createJsonHttpClient({
    platform: 'LinkedIn Ads',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyLinkedInError,
  });
  const headers = {
    authorization: `Bearer ${config.credentials.access_token ?? ''}`,
    'linkedin-version': LINKEDIN_VERSION,
    'x-restli-protocol-version': '2.0.0',
  };

  const readAccount = () => http.send({ method: 'GET', path: `/rest/adAccounts/${accountId}`, headers }, adAccountSchema);
  // Costs are in the account's currency, which analytics elements do not repeat: read once per connector.
  let currency: Promise<string> | undefined;
  const accountCurrency = () =>
    (currency ??= readAccount().then(
      ({ body }) => body.currency,
      (err: unknown) => {
        currency = undefined;
        throw err;
      },
    ));

  // The query goes in the path: form-encoding it would escape the Rest.li structure.
  const readAnalytics = (range: DateWindow) => {
    const query = restliQuery({
      q: 'analytics',
      pivot: 'CREATIVE',
      timeGranularity: 'DAILY',
      dateRange: restliDateRange(range),
      accounts: restliList([`urn:li:sponsoredAccount:${accountId}`]),
      fields: ANALYTICS_FIELDS.join(','),
    });
    return http.send({ method: 'GET', path: `/rest/adAnalytics?${query}`, headers }, analyticsSchema);
  };

  return {
    platform: 'linkedin_ads',
    source: 'live',
    listStreams: () => ['ad_performance'],

    async testConnection() {
      const { body, latencyMs } = await readAccount();
      return { ok: body.status === 'ACTIVE', accountName: body.name, latencyMs, message: `Ad account ${body.id} is ${body.status}` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream !== 'ad_performance') throw new ConnectorError('malformed', `LinkedIn Ads has no ${request.stream} stream`);
      const window = request.window;
      const from = request.cursor ?? window.startDate;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || from < window.startDate || from > window.endDate) {
        throw new ConnectorError('malformed', `LinkedIn Ads cursor ${JSON.stringify(from)} is not a day of ${window.startDate}..${window.endDate}`);
      }
      const currencyCode = await accountCurrency();

      let days = DAYS_PER_REQUEST;
      let bytesRead = 0;
      for (;;) {
        const last = addDays(from, days - 1);
        const range = { startDate: from, endDate: last < window.endDate ? last : window.endDate };
        const { body, bytesRead: bytes } = await readAnalytics(range);
        bytesRead += bytes;
        if (body.elements.length >= MAX_ANALYTICS_ELEMENTS) {
          const span = daysBetween(range.startDate, range.endDate) + 1;
          if (span === 1)
            throw new ConnectorError(
              'malformed',
              `LinkedIn Ads answered the ${MAX_ANALYTICS_ELEMENTS}-element maximum for the single day ${from}: the rest is cut off`,
            );
          // A full answer may have been cut short: read fewer days.
          days = Math.ceil(span / 2);
          continue;
        }
        const nextCursor = range.endDate < window.endDate ? addDays(range.endDate, 1) : null;
        return { records: body.elements.map((element) => analyticsRecord(element, currencyCode)), nextCursor, bytesRead };
      }
    },
  };
}

function analyticsRecord(element: AnalyticsElement, currency: string): MetricRecord {
  const creative = element.pivotValues[0]!;
  const { year, month, day } = element.dateRange.start;
  return {
    stream: 'ad_performance',
    entityId: creative.startsWith(CREATIVE_URN_PREFIX) ? creative.slice(CREATIVE_URN_PREFIX.length) : creative,
    date: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    entityName: null,
    parentId: null,
    impressions: element.impressions,
    clicks: element.clicks,
    spend: Number(element.costInLocalCurrency),
    conversions: element.externalWebsiteConversions,
    revenue: element.conversionValueInLocalCurrency === undefined ? null : Number(element.conversionValueInLocalCurrency),
    currency,
    raw: element,
  };
}
