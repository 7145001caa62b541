import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { DateWindow } from '../../domain/sync';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AdPerformanceValues, adPerformanceRow, adPerformanceRowCount } from '../mock/generator';
import { MAX_ANALYTICS_ELEMENTS } from './connector';

/**
 * The LinkedIn Marketing API endpoints the connector reads: an ad account, and adAnalytics with the analytics finder
 * by creative and day. Queries must use Rest.li 2.0 syntax; answers are unpaginated and cut at 15,000 elements
 * without a word, as LinkedIn's are; errors are `{status, serviceErrorCode, code, message}`.
 */

/** Each request may ask for at most 20 metrics, besides the pivot values and date range. */
const MAX_METRIC_FIELDS = 20;

export const linkedInAdsEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '508123456',
  defaultCredentials: { access_token: 'emulator-linkedin-access-token' },
  create: createLinkedInAdsEmulator,
};

const ANALYTICS_METRICS: Readonly<Record<string, (v: AdPerformanceValues) => unknown>> = {
  impressions: (v) => v.impressions,
  clicks: (v) => v.clicks,
  landingPageClicks: (v) => v.clicks,
  costInLocalCurrency: (v) => String(v.spend),
  costInUsd: (v) => String(v.spend),
  externalWebsiteConversions: (v) => v.conversions,
  conversionValueInLocalCurrency: (v) => String(v.conversionValue),
  approximateMemberReach: (v) => v.reach,
};

function createLinkedInAdsEmulator(context: EmulatorContext): PlatformEmulator {
  const restliError = (c: Context, status: ContentfulStatusCode, error: { code?: string; serviceErrorCode?: number; message: string }) =>
    c.json({ status, ...error }, status);
  const badRequest = (c: Context, message: string) => restliError(c, 400, { code: 'ILLEGAL_ARGUMENT', serviceErrorCode: 100, message });
  const accountId = () => context.account().accountId;

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return restliError(c, status, { code: 'INVALID_ACCESS_TOKEN', serviceErrorCode: 65600, message: 'Invalid access token' });
      // LinkedIn's limits are daily and it sends no Retry-After: the wait is until midnight UTC, whatever the fault asks.
      case 'rate_limited':
        return restliError(c, status, {
          code: 'TOO_MANY_REQUESTS',
          message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
        });
      case 'server_error':
        return restliError(
          c,
          status,
          status === 503
            ? { code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable' }
            : { code: 'INTERNAL_SERVER_ERROR', message: 'Internal Server Error' },
        );
    }
  }

  const app = new Hono();
  app.use('/rest/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${context.credentials.access_token}`) return failure(c, 'auth', 401);
    const version = c.req.header('linkedin-version');
    if (!version)
      return restliError(c, 400, {
        code: 'VERSION_MISSING',
        message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
      });
    if (!/^20\d{4}$/.test(version)) return restliError(c, 426, { code: 'NONEXISTENT_VERSION', message: `Requested version ${version} is not active` });
    await next();
  });

  app.get('/rest/adAccounts/:id', (c) => {
    if (c.req.param('id') !== accountId()) {
      return restliError(c, 403, {
        code: 'ACCESS_DENIED',
        serviceErrorCode: 100,
        message: `Not enough permissions to access: adAccounts.GET.${c.req.header('linkedin-version')}`,
      });
    }
    return c.json({
      id: Number(accountId()),
      name: `Emulated ad account ${accountId()}`,
      currency: 'USD',
      status: 'ACTIVE',
      type: 'BUSINESS',
      reference: 'urn:li:organization:2414183',
      test: false,
      servingStatuses: ['RUNNABLE'],
    });
  });

  app.get('/rest/adAnalytics', (c) => {
    if (c.req.header('x-restli-protocol-version') !== '2.0.0') return badRequest(c, 'This emulator reads Rest.li protocol 2.0.0 queries only');
    // Read undecoded: in Rest.li 2.0 a percent-encoded parenthesis is data, not structure.
    const query = rawQuery(c.req.url);
    if (query.get('q') !== 'analytics' || query.get('pivot') !== 'CREATIVE' || query.get('timeGranularity') !== 'DAILY') {
      return badRequest(c, 'This emulator serves q=analytics with pivot=CREATIVE and timeGranularity=DAILY only');
    }
    const range = parseDateRange(query.get('dateRange'));
    if (!range) return badRequest(c, 'dateRange must be (start:(year:Y,month:M,day:D),end:(year:Y,month:M,day:D))');
    const accounts = parseList(query.get('accounts'));
    if (!accounts) return badRequest(c, 'accounts must be List(urn%3Ali%3AsponsoredAccount%3A{id},…)');
    const fields = (query.get('fields') ?? '').split(',').filter(Boolean);
    const metrics = fields.filter((f) => f !== 'pivotValues' && f !== 'dateRange');
    if (metrics.length === 0 || metrics.length > MAX_METRIC_FIELDS) return badRequest(c, `fields must name between 1 and ${MAX_METRIC_FIELDS} metrics`);
    const unknown = metrics.find((m) => !(m in ANALYTICS_METRICS));
    if (unknown) return badRequest(c, `Unknown metric ${unknown}`);

    // Accounts the token cannot read answer empty, not with an error.
    const account = context.account();
    const readable = accounts.includes(`urn:li:sponsoredAccount:${account.accountId}`);
    const total = readable ? Math.min(adPerformanceRowCount(account, range), MAX_ANALYTICS_ELEMENTS) : 0;
    const elements = [];
    for (let i = 0; i < total; i++) elements.push(analyticsElement(adPerformanceRow(account, range, i), fields));
    return c.json({ paging: { start: 0, count: 10, links: [] }, elements });
  });

  return { app, failure };
}

function analyticsElement(v: AdPerformanceValues, fields: readonly string[]): Record<string, unknown> {
  const [year, month, day] = v.date.split('-').map(Number);
  const element: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === 'pivotValues') element.pivotValues = [`urn:li:sponsoredCreative:${v.entity.adId}`];
    else if (field === 'dateRange') element.dateRange = { start: { year, month, day }, end: { year, month, day } };
    else element[field] = ANALYTICS_METRICS[field]!(v);
  }
  return element;
}

function rawQuery(url: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of new URL(url).search.slice(1).split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) params.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return params;
}

function parseDateRange(value: string | undefined): DateWindow | null {
  const date = String.raw`\(year:(\d{4}),month:(\d{1,2}),day:(\d{1,2})\)`;
  const match = new RegExp(String.raw`^\(start:${date},end:${date}\)$`).exec(value ?? '');
  if (!match) return null;
  const iso = (y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const range = { startDate: iso(match[1]!, match[2]!, match[3]!), endDate: iso(match[4]!, match[5]!, match[6]!) };
  return range.startDate <= range.endDate ? range : null;
}

function parseList(value: string | undefined): string[] | null {
  const match = /^List\(([^()]*)\)$/.exec(value ?? '');
  return match ? match[1]!.split(',').map(decodeURIComponent) : null;
}
