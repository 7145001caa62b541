import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError } from '../connector-error';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorDetails } from '../http-client';

/**
 * Klaviyo's JSON:API (revision 2024-10-15): profiles as `contacts`, and daily email campaign performance
 * from Query Metric Aggregates as `email_performance`.
 */

export const KLAVIYO_REVISION = '2024-10-15';
const MAX_PROFILES_PAGE_SIZE = 100;
/** One email_performance page asks one aggregate query per metric for this many days. */
const EMAIL_DAYS_PER_PAGE = 7;
/** Rows (message groups) per aggregate answer: more campaign messages with events in one week than this is unheard of. */
const AGGREGATE_PAGE_SIZE = 500;
/** Metric lists are short; the bound only guards against a cursor that never ends. */
const MAX_METRIC_LIST_PAGES = 50;

interface EmailTotals {
  received: number;
  opened: number;
  clicked: number;
  orders: number;
  revenue: number;
}
type Measurement = 'count' | 'sum_value' | 'unique';

/** Klaviyo's native email metrics by message, and orders attributed to the message that drove them. */
const EMAIL_METRICS: readonly { metricName: string; by: string; measurements: Partial<Record<Measurement, keyof EmailTotals>> }[] = [
  { metricName: 'Received Email', by: '$message', measurements: { count: 'received' } },
  { metricName: 'Opened Email', by: '$message', measurements: { count: 'opened' } },
  { metricName: 'Clicked Email', by: '$message', measurements: { count: 'clicked' } },
  { metricName: 'Placed Order', by: '$attributed_message', measurements: { count: 'orders', sum_value: 'revenue' } },
];

const linksSchema = z.object({ next: z.string().nullable().optional() }).passthrough();
const profileSchema = z
  .object({
    type: z.literal('profile'),
    id: z.string(),
    attributes: z
      .object({
        email: z.string().nullable().optional(),
        first_name: z.string().nullable().optional(),
        last_name: z.string().nullable().optional(),
        created: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'Expected an ISO timestamp'),
      })
      .passthrough(),
  })
  .passthrough();
type Profile = z.infer<typeof profileSchema>;
const profilesPageSchema = z.object({ data: z.array(profileSchema), links: linksSchema.optional() });
const accountsSchema = z.object({
  data: z
    .array(
      z.object({
        id: z.string(),
        attributes: z
          .object({
            contact_information: z.object({ organization_name: z.string().nullable().optional() }).passthrough().optional(),
            preferred_currency: z.string().optional(),
          })
          .passthrough(),
      }),
    )
    .min(1),
});
const metricsPageSchema = z.object({
  data: z.array(z.object({ id: z.string(), attributes: z.object({ name: z.string() }).passthrough() })),
  links: linksSchema.optional(),
});
const metricAggregateSchema = z.object({
  data: z.object({
    type: z.literal('metric-aggregate'),
    attributes: z.object({
      dates: z.array(z.string()),
      data: z.array(z.object({ dimensions: z.array(z.string()), measurements: z.record(z.string(), z.array(z.number())) })),
    }),
  }),
});

/** What email performance needs to know about the account once: its metric ids and currency. */
interface EmailCatalog {
  metricIds: Map<string, string>;
  currency: string | null;
}

export function createKlaviyoConnector(config: ConnectorConfig): Connector {
  const http = createJsonHttpClient({
    platform: 'Klaviyo',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyKlaviyoError,
  });
  const headers = { authorization: `Klaviyo-API-Key ${config.credentials.api_key ?? ''}`, revision: KLAVIYO_REVISION };
  let catalog: EmailCatalog | undefined;

  const getAccount = () => http.send({ method: 'GET', path: '/api/accounts', headers }, accountsSchema);

  async function loadCatalog(): Promise<{ catalog: EmailCatalog; bytesRead: number }> {
    if (catalog) return { catalog, bytesRead: 0 };
    const account = await getAccount();
    let bytesRead = account.bytesRead;
    const metricIds = new Map<string, string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const metrics = await listMetrics(http, headers, cursor);
      bytesRead += metrics.bytesRead;
      // A metric name can come from several integrations (e.g. Placed Order); the first one listed wins.
      for (const metric of metrics.body.data) if (!metricIds.has(metric.attributes.name)) metricIds.set(metric.attributes.name, metric.id);
      cursor = pageCursorOf(metrics.body.links?.next);
    } while (cursor && ++pages < MAX_METRIC_LIST_PAGES);
    catalog = { metricIds, currency: account.body.data[0]!.attributes.preferred_currency ?? null };
    return { catalog, bytesRead };
  }

  async function fetchContacts(request: FetchPageRequest): Promise<Page> {
    const pageSize = Math.min(request.pageSize ?? MAX_PROFILES_PAGE_SIZE, MAX_PROFILES_PAGE_SIZE);
    const { body, bytesRead } = await http.send(
      { method: 'GET', path: '/api/profiles', query: { 'page[size]': String(pageSize), 'page[cursor]': request.cursor ?? undefined }, headers },
      profilesPageSchema,
    );
    return { records: body.data.map(profileRecord), nextCursor: pageCursorOf(body.links?.next), bytesRead };
  }

  async function fetchEmailPerformance(request: FetchPageRequest): Promise<Page> {
    const start = request.cursor ?? request.window.startDate;
    if (!isDateWithin(start, request.window)) throw new ConnectorError('malformed', 'Invalid Klaviyo email_performance cursor for this window');
    const weekEnd = addDays(start, EMAIL_DAYS_PER_PAGE - 1);
    const lastDay = weekEnd < request.window.endDate ? weekEnd : request.window.endDate;
    const loaded = await loadCatalog();
    let bytesRead = loaded.bytesRead;
    const rows = new Map<
      string,
      { messageId: string; date: string; totals: EmailTotals; measurements: Record<string, Partial<Record<Measurement, number>>> }
    >();

    for (const metric of EMAIL_METRICS) {
      const metricId = loaded.catalog.metricIds.get(metric.metricName);
      if (!metricId) continue; // The account has never recorded this metric.
      const response = await http.send(
        {
          method: 'POST',
          path: '/api/metric-aggregates',
          headers,
          body: {
            data: {
              type: 'metric-aggregate',
              attributes: {
                metric_id: metricId,
                measurements: Object.keys(metric.measurements),
                interval: 'day',
                by: [metric.by],
                page_size: AGGREGATE_PAGE_SIZE,
                timezone: 'UTC',
                filter: [`greater-or-equal(datetime,${start}T00:00:00)`, `less-than(datetime,${addDays(lastDay, 1)}T00:00:00)`],
              },
            },
          },
        },
        metricAggregateSchema,
      );
      bytesRead += response.bytesRead;
      const { dates, data } = response.body.data.attributes;
      for (const group of data) {
        const messageId = group.dimensions[0];
        if (!messageId) continue; // Events not attributed to any message.
        for (const [measurement, field] of Object.entries(metric.measurements) as [Measurement, keyof EmailTotals][]) {
          const values = group.measurements[measurement];
          if (!values || values.length !== dates.length)
            throw new ConnectorError('malformed', `Klaviyo ${metric.metricName} aggregate lacks ${measurement} for every date`);
          values.forEach((value, i) => {
            if (value === 0) return;
            const date = dates[i]!.slice(0, 10);
            const key = `${messageId}|${date}`;
            const row = rows.get(key) ?? { messageId, date, totals: { received: 0, opened: 0, clicked: 0, orders: 0, revenue: 0 }, measurements: {} };
            row.totals[field] += value;
            row.measurements[metric.metricName] = { ...row.measurements[metric.metricName], [measurement]: value };
            rows.set(key, row);
          });
        }
      }
    }

    const records = [...rows.values()]
      .sort((a, b) => a.date.localeCompare(b.date) || a.messageId.localeCompare(b.messageId))
      .map((row): MetricRecord => ({
        stream: 'email_performance',
        entityId: row.messageId,
        date: row.date,
        entityName: null,
        parentId: null,
        impressions: row.totals.received,
        clicks: row.totals.clicked,
        spend: null,
        conversions: row.totals.orders,
        revenue: row.totals.revenue,
        currency: loaded.catalog.currency,
        raw: { message_id: row.messageId, date: row.date, opened: row.totals.opened, measurements: row.measurements },
      }));
    return { records, nextCursor: lastDay < request.window.endDate ? addDays(lastDay, 1) : null, bytesRead };
  }

  return {
    platform: 'klaviyo',
    source: 'live',
    listStreams: () => ['contacts', 'email_performance'],

    async testConnection() {
      const { body, latencyMs } = await getAccount();
      const account = body.data[0]!;
      return {
        ok: true,
        accountName: account.attributes.contact_information?.organization_name ?? null,
        latencyMs,
        message: `Klaviyo account ${account.id} is reachable`,
      };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'contacts') return fetchContacts(request);
      if (request.stream === 'email_performance') return fetchEmailPerformance(request);
      throw new ConnectorError('malformed', `Klaviyo has no ${request.stream} stream`);
    },
  };
}

function listMetrics(http: JsonHttpClient, headers: Record<string, string>, cursor: string | null) {
  return http.send({ method: 'GET', path: '/api/metrics', query: { 'page[cursor]': cursor ?? undefined }, headers }, metricsPageSchema);
}

function profileRecord(profile: Profile): MetricRecord {
  const { first_name: first, last_name: last, email, created } = profile.attributes;
  const name = [first, last].filter(Boolean).join(' ');
  return contactRecord({ entityId: profile.id, date: created.slice(0, 10), entityName: name || email || null, raw: profile });
}

/** The `page[cursor]` of a JSON:API `links.next`, which is what resumes the listing; null on the last page. */
function pageCursorOf(next: string | null | undefined): string | null {
  if (!next) return null;
  const cursor = URL.canParse(next) ? new URL(next).searchParams.get('page[cursor]') : null;
  if (!cursor) throw new ConnectorError('malformed', 'Klaviyo links.next carries no page[cursor]');
  return cursor;
}

function isDateWithin(date: string, window: DateWindow): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && date >= window.startDate && date <= window.endDate;
}

const errorsSchema = z.object({
  errors: z.array(z.object({ code: z.string().optional(), title: z.string().optional(), detail: z.string().optional() })).min(1),
});

/** JSON:API error objects; the HTTP status already says the kind and `Retry-After` the wait. */
export function classifyKlaviyoError(failure: { body: unknown }): PlatformErrorDetails {
  const parsed = errorsSchema.safeParse(failure.body);
  if (!parsed.success) return {};
  const first = parsed.data.errors[0]!;
  return { message: first.detail ?? first.title, platformCode: first.code };
}
