import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { addDays, daysBetween } from '../../domain/sync';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type EmailPerformanceValues, emailMessageCount, emailPerformanceRow } from '../mock/email-generator';
import { type AccountShape, contactRow } from '../mock/generator';

/**
 * Klaviyo's JSON:API for what the connector reads: accounts, metrics, profiles (cursor paging through
 * `links.next`) and Query Metric Aggregates, with JSON:API error objects and `Retry-After` on 429.
 */

const DEFAULT_PROFILES_PAGE_SIZE = 20;
const MAX_PROFILES_PAGE_SIZE = 100;
const MAX_AGGREGATE_DAYS = 366;

/** The native metrics the emulated account has, with the generator value each one counts. */
const METRICS: readonly { id: string; name: string; integration: string; value: (v: EmailPerformanceValues, measurement: string) => number }[] = [
  { id: 'RcvEm1', name: 'Received Email', integration: 'Klaviyo', value: (v, m) => (m === 'sum_value' ? 0 : v.received) },
  { id: 'OpnEm1', name: 'Opened Email', integration: 'Klaviyo', value: (v, m) => (m === 'sum_value' ? 0 : v.opened) },
  { id: 'ClkEm1', name: 'Clicked Email', integration: 'Klaviyo', value: (v, m) => (m === 'sum_value' ? 0 : v.clicked) },
  { id: 'PlcOrd', name: 'Placed Order', integration: 'Shopify', value: (v, m) => (m === 'sum_value' ? v.revenue : v.orders) },
];

export const klaviyoEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: 'KLAVIYO1',
  defaultCredentials: { api_key: 'pk_emulator_klaviyo_private_key' },
  create: createKlaviyoEmulator,
};

function createKlaviyoEmulator(context: EmulatorContext): PlatformEmulator {
  let errorIds = 0;
  const apiErrors = (
    c: Context,
    status: ContentfulStatusCode,
    error: { code: string; title: string; detail: string; source?: Record<string, string> },
    headers: Record<string, string> = {},
  ) => c.json({ errors: [{ id: `00000000-0000-4000-8000-${(++errorIds).toString(16).padStart(12, '0')}`, status, ...error }] }, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return apiErrors(c, status, {
          code: 'not_authenticated',
          title: 'Authentication credentials were not provided.',
          detail: 'Missing or invalid private key.',
          source: { pointer: '/data/' },
        });
      case 'rate_limited': {
        const seconds = context.retryAfterSeconds();
        return apiErrors(
          c,
          status,
          { code: 'throttled', title: 'Request was throttled.', detail: `Request was throttled. Expected available in ${seconds} seconds.` },
          { 'retry-after': String(seconds) },
        );
      }
      case 'server_error':
        return apiErrors(c, status, { code: 'error', title: 'A server error occurred.', detail: 'A server error occurred. Please try again later.' });
    }
  }
  const invalid = (c: Context, detail: string, source: Record<string, string>) =>
    apiErrors(c, 400, { code: 'invalid', title: 'Invalid input.', detail, source });

  const app = new Hono();
  app.use('/api/*', async (c, next) => {
    if (c.req.header('authorization') !== `Klaviyo-API-Key ${context.credentials.api_key}`) return failure(c, 'auth', 401);
    if (!/^\d{4}-\d{2}-\d{2}(\.\w+)?$/.test(c.req.header('revision') ?? ''))
      return invalid(c, 'The revision header is missing or not a valid revision date.', { header: 'revision' });
    await next();
  });

  app.get('/api/accounts', (c) => {
    const { accountId } = context.account();
    return c.json({
      data: [
        {
          type: 'account',
          id: accountId,
          attributes: {
            test_account: false,
            contact_information: {
              default_sender_name: 'Emulated Store',
              default_sender_email: 'hello@example.com',
              website_url: 'https://example.com',
              organization_name: `Emulated store ${accountId}`,
            },
            industry: 'Retail',
            timezone: 'UTC',
            preferred_currency: 'USD',
            public_api_key: accountId,
            locale: 'en-US',
          },
          links: { self: `${origin(c)}/api/accounts/${accountId}/` },
        },
      ],
      links: { self: `${origin(c)}/api/accounts/`, next: null, prev: null },
    });
  });

  app.get('/api/metrics', (c) =>
    c.json({
      data: METRICS.map((m) => ({
        type: 'metric',
        id: m.id,
        attributes: {
          name: m.name,
          created: '2023-01-01T00:00:00+00:00',
          updated: '2023-01-01T00:00:00+00:00',
          integration: { object: 'integration', name: m.integration },
        },
        links: { self: `${origin(c)}/api/metrics/${m.id}/` },
      })),
      links: { self: `${origin(c)}/api/metrics/`, next: null, prev: null },
    }),
  );

  app.get('/api/profiles', (c) => {
    const size = Number(c.req.query('page[size]') ?? DEFAULT_PROFILES_PAGE_SIZE);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PROFILES_PAGE_SIZE)
      return invalid(c, `page[size] must be between 1 and ${MAX_PROFILES_PAGE_SIZE}.`, { parameter: 'page[size]' });
    const token = c.req.query('page[cursor]');
    const offset = token === undefined ? 0 : context.cursor.decode(token, 'profiles');
    if (offset === null) return invalid(c, 'Invalid page cursor.', { parameter: 'page[cursor]' });

    const account = context.account();
    const end = Math.min(account.contacts, offset + Math.min(size, context.pageSize ?? MAX_PROFILES_PAGE_SIZE));
    const data = [];
    for (let i = offset; i < end; i++) data.push(profile(account, context.asOf, i, origin(c)));
    const link = (at: number) => `${origin(c)}/api/profiles/?page%5Bcursor%5D=${context.cursor.encode(at, 'profiles')}&page%5Bsize%5D=${size}`;
    return c.json({
      data,
      links: {
        self: `${origin(c)}/api/profiles/`,
        next: end < account.contacts ? link(end) : null,
        prev: offset > 0 ? link(Math.max(0, offset - size)) : null,
      },
    });
  });

  app.post('/api/metric-aggregates', async (c) => {
    const query = parseAggregateQuery(await c.req.json().catch(() => null));
    if (typeof query === 'string') return invalid(c, query, { pointer: '/data/attributes' });
    const metric = METRICS.find((m) => m.id === query.metricId);
    if (!metric)
      return apiErrors(c, 404, {
        code: 'not_found',
        title: 'Not found.',
        detail: `A metric with id ${query.metricId} does not exist.`,
        source: { pointer: '/data/attributes/metric_id' },
      });

    const account = context.account();
    const days = Array.from({ length: daysBetween(query.from, query.until) }, (_, i) => addDays(query.from, i));
    const data = [];
    for (let m = 0; m < emailMessageCount(account); m++) {
      const values = days.map((day) => emailPerformanceRow(account, { startDate: day, endDate: day }, m));
      const measurements = Object.fromEntries(query.measurements.map((name) => [name, values.map((v) => metric.value(v, name))]));
      // Klaviyo returns a group only for dimension values that had events in the range.
      if (Object.values(measurements).some((series) => series.some((x) => x !== 0))) data.push({ dimensions: [values[0]!.message.messageId], measurements });
    }
    return c.json({
      data: {
        type: 'metric-aggregate',
        id: `emu-${metric.id}-${query.from}`,
        attributes: { dates: days.map((d) => `${d}T00:00:00+00:00`), data },
        links: { self: `${origin(c)}/api/metric-aggregates/` },
      },
      links: { self: `${origin(c)}/api/metric-aggregates/` },
    });
  });

  return { app, failure };
}

function origin(c: Context): string {
  return new URL(c.req.url).origin;
}

function profile(account: AccountShape, asOf: string, index: number, base: string): Record<string, unknown> {
  const contact = contactRow(account, asOf, index);
  const at = `${contact.createdDate}T00:00:00+00:00`;
  return {
    type: 'profile',
    id: contact.id,
    attributes: {
      email: contact.email,
      phone_number: null,
      external_id: null,
      first_name: contact.firstName,
      last_name: contact.lastName,
      organization: null,
      locale: null,
      title: null,
      image: null,
      created: at,
      updated: at,
      last_event_date: null,
      location: {
        address1: null,
        address2: null,
        city: contact.city,
        country: contact.country,
        latitude: null,
        longitude: null,
        region: null,
        zip: null,
        timezone: null,
        ip: null,
      },
      properties: {},
    },
    links: { self: `${base}/api/profiles/${contact.id}/` },
  };
}

interface AggregateQuery {
  metricId: string;
  measurements: string[];
  /** Inclusive first day and exclusive last day, from the datetime filters. */
  from: string;
  until: string;
}

/** The subset of Query Metric Aggregates the emulator serves: daily interval, whole-day datetime bounds. Errors as strings. */
function parseAggregateQuery(body: unknown): AggregateQuery | string {
  const attributes = (body as { data?: { type?: unknown; attributes?: Record<string, unknown> } } | null)?.data?.attributes;
  if (!attributes || (body as { data: { type?: unknown } }).data.type !== 'metric-aggregate') return 'Expected a metric-aggregate resource object.';
  const { metric_id: metricId, measurements, interval, filter } = attributes;
  if (typeof metricId !== 'string') return 'metric_id is required.';
  if (!Array.isArray(measurements) || measurements.length === 0 || !measurements.every((m) => m === 'count' || m === 'sum_value' || m === 'unique'))
    return 'measurements must list count, sum_value or unique.';
  if ((interval ?? 'day') !== 'day') return 'This emulator aggregates by day only.';
  const filters = Array.isArray(filter) ? filter.map(String) : [];
  const bound = (operator: string) =>
    filters.map((f) => new RegExp(`^${operator}\\(datetime,(\\d{4}-\\d{2}-\\d{2})T00:00:00(\\.0+)?\\)$`).exec(f)?.[1]).find(Boolean);
  const from = bound('greater-or-equal');
  const until = bound('less-than');
  if (!from || !until || until <= from) return 'filter must bound datetime with greater-or-equal and less-than at midnight.';
  if (daysBetween(from, until) > MAX_AGGREGATE_DAYS) return 'The time range may span at most one year.';
  return { metricId, measurements: measurements as string[], from, until };
}
