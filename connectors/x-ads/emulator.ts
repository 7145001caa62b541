import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { addDays, daysBetween } from '../../domain/sync';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AccountShape, type AdPerformanceValues, adCount, adEntity, adPerformanceRow } from '../mock/generator';
import { isValidOAuth1Authorization, type OAuth1Credentials } from './oauth1';
import { MAX_STATS_DAYS } from './stats-cursor';

/**
 * The X Ads API (v12) endpoints the connector reads: the account, its funding instruments, its promoted tweets
 * (count/cursor paging) and synchronous stats (at most 20 entities and 7 days, DAY granularity). Every request must
 * carry an OAuth 1.0a signature by the emulator's credentials, checked with the library the connector signs with.
 */

const SUPPORTED_VERSION = '12';
const DEFAULT_COUNT = 200;
const MAX_COUNT = 1_000;
const MAX_ENTITY_IDS = 20;
/** Synchronous analytics allow 250 requests per 15 minutes per user token. */
const STATS_RATE_LIMIT = 250;
const MICROS = 1_000_000;

export const xAdsEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '18ce54d4x5t',
  defaultCredentials: {
    consumer_key: 'emulator-x-consumer-key',
    consumer_secret: 'emulator-x-consumer-secret',
    access_token: '1234567890-emulator-x-access-token',
    access_token_secret: 'emulator-x-access-token-secret',
  },
  create: createXAdsEmulator,
};

const METRIC_GROUPS: Readonly<Record<string, (v: AdPerformanceValues) => Record<string, unknown>>> = {
  ENGAGEMENT: (v) => ({
    impressions: v.impressions,
    clicks: v.clicks,
    engagements: v.clicks,
    url_clicks: v.clicks,
    likes: null,
    retweets: null,
    replies: null,
    follows: null,
  }),
  BILLING: (v) => ({ billed_charge_local_micro: Math.round(v.spend * MICROS), billed_engagements: v.clicks }),
  WEB_CONVERSION: (v) => ({
    conversion_purchases: {
      metric: v.conversions,
      post_engagement: v.conversions,
      post_view: 0,
      assisted: null,
      sale_amount: Math.round(v.conversionValue * MICROS),
    },
    conversion_sign_ups: { metric: null, sale_amount: null },
  }),
};

interface XError {
  code: string;
  message: string;
  parameter?: string;
}

function createXAdsEmulator(context: EmulatorContext): PlatformEmulator {
  const oauth: OAuth1Credentials = {
    consumerKey: context.credentials.consumer_key ?? '',
    consumerSecret: context.credentials.consumer_secret ?? '',
    token: context.credentials.access_token ?? '',
    tokenSecret: context.credentials.access_token_secret ?? '',
  };
  const params = (c: Context) => Object.fromEntries(new URL(c.req.url).searchParams);
  const xError = (c: Context, status: ContentfulStatusCode, error: XError, headers: Record<string, string> = {}) =>
    c.json({ errors: [error], request: { params: params(c) } }, status, headers);
  const invalidParameter = (c: Context, parameter: string, message: string) => xError(c, 400, { code: 'INVALID_PARAMETER', parameter, message });

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return xError(c, status, { code: 'UNAUTHORIZED_ACCESS', message: 'This request is not properly authenticated' });
      case 'rate_limited': {
        const reset = Math.ceil(Date.now() / 1000) + context.retryAfterSeconds();
        const headers = { 'x-rate-limit-limit': String(STATS_RATE_LIMIT), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) };
        return xError(c, status, { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' }, headers);
      }
      case 'server_error':
        return status === 503
          ? xError(c, status, { code: 'SERVICE_UNAVAILABLE', message: 'Service unavailable' }, { 'retry-after': String(context.retryAfterSeconds()) })
          : xError(c, status, { code: 'INTERNAL_ERROR', message: 'Internal error' });
    }
  }

  const app = new Hono();
  app.use('/:version/*', async (c, next) => {
    const url = new URL(c.req.url);
    const request = { method: c.req.method, url: url.origin + url.pathname, params: params(c) };
    if (!isValidOAuth1Authorization(c.req.header('authorization'), request, oauth)) return failure(c, 'auth', 401);
    if (c.req.param('version') !== SUPPORTED_VERSION) return xError(c, 404, { code: 'ROUTE_NOT_FOUND', message: 'Sorry, that page does not exist' });
    await next();
  });
  // Another account is one the user has no access to.
  app.use('/:version/*', async (c, next) => {
    const accountId = /\/accounts\/([^/]+)/.exec(new URL(c.req.url).pathname)?.[1];
    if (accountId !== undefined && accountId !== context.account().accountId)
      return xError(c, 403, { code: 'ACCOUNT_NOT_FOUND', message: `User may not access account ${accountId}` });
    await next();
  });

  app.get('/:version/accounts/:accountId', (c) =>
    c.json({
      request: { params: { account_id: c.req.param('accountId') } },
      data: {
        id: c.req.param('accountId'),
        name: `Emulated ad account ${c.req.param('accountId')}`,
        timezone: 'Etc/GMT',
        approval_status: 'ACCEPTED',
        deleted: false,
        business_name: null,
      },
    }),
  );

  app.get('/:version/accounts/:accountId/funding_instruments', (c) =>
    c.json({
      request: { params: params(c) },
      next_cursor: null,
      data: [{ id: 'lygyi', account_id: c.req.param('accountId'), type: 'CREDIT_CARD', currency: 'USD', entity_status: 'ACTIVE', deleted: false }],
    }),
  );

  app.get('/:version/accounts/:accountId/promoted_tweets', (c) => {
    const count = Number(c.req.query('count') ?? DEFAULT_COUNT);
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT)
      return invalidParameter(c, 'count', `Expected an integer between 1 and ${MAX_COUNT}, got "${c.req.query('count')}" for count`);
    const cursor = c.req.query('cursor');
    const scope = `promoted_tweets:${c.req.param('accountId')}`;
    const offset = cursor === undefined ? 0 : context.cursor.decode(cursor, scope);
    if (offset === null) return invalidParameter(c, 'cursor', 'Invalid cursor');
    const account = context.account();
    const total = adCount(account);
    const end = Math.min(total, offset + count);
    const data = [];
    for (let i = offset; i < end; i++) {
      const ad = adEntity(account, i);
      data.push(promotedTweet(ad.adId, ad.adSetId));
    }
    return c.json({ request: { params: params(c) }, next_cursor: end < total ? context.cursor.encode(end, scope) : null, data });
  });

  app.get('/:version/stats/accounts/:accountId', (c) => {
    const q = (name: string) => c.req.query(name);
    if (q('entity') !== 'PROMOTED_TWEET') return invalidParameter(c, 'entity', 'This emulator serves entity=PROMOTED_TWEET only');
    if (q('granularity') !== 'DAY') return invalidParameter(c, 'granularity', 'This emulator serves granularity=DAY only');
    if (q('placement') !== 'ALL_ON_TWITTER') return invalidParameter(c, 'placement', 'This emulator serves placement=ALL_ON_TWITTER only');
    const ids = (q('entity_ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > MAX_ENTITY_IDS) return invalidParameter(c, 'entity_ids', `Expected between 1 and ${MAX_ENTITY_IDS} entity_ids`);
    const groups = (q('metric_groups') ?? '').split(',').filter(Boolean);
    const unknownGroup = groups.find((g) => !(g in METRIC_GROUPS));
    if (groups.length === 0 || unknownGroup !== undefined) return invalidParameter(c, 'metric_groups', `Unsupported metric group ${unknownGroup ?? '(none)'}`);
    const start = midnight(q('start_time'));
    const end = midnight(q('end_time'));
    if (!start || !end) return invalidParameter(c, 'start_time', 'DAY granularity needs start_time and end_time at midnight in the account time zone');
    const days = daysBetween(start, end);
    if (days < 1 || days > MAX_STATS_DAYS)
      return xError(c, 400, { code: 'INVALID_TIME_WINDOW', message: `Expected a time range of at most ${MAX_STATS_DAYS} days` });

    const account = context.account();
    const adIndexes = adIndexById(account);
    // Ids of other accounts' promoted tweets have no stats here.
    const data = ids.flatMap((id) => {
      const adIndex = adIndexes.get(id);
      if (adIndex === undefined) return [];
      const perDay = Array.from({ length: days }, (_, day) => {
        const v = adPerformanceRow(account, { startDate: addDays(start, day), endDate: addDays(start, day) }, adIndex);
        return Object.assign({}, ...groups.map((group) => METRIC_GROUPS[group]!(v))) as Record<string, unknown>;
      });
      return [{ id, id_data: [{ segment: null, metrics: timeSeries(perDay) }] }];
    });
    return c.json({
      data_type: 'stats',
      time_series_length: days,
      data,
      request: { params: { ...params(c), start_time: `${start}T00:00:00Z`, end_time: `${end}T00:00:00Z`, entity_ids: ids, metric_groups: groups } },
    });
  });

  return { app, failure };
}

function promotedTweet(id: string, lineItemId: string): Record<string, unknown> {
  return {
    id,
    line_item_id: lineItemId,
    tweet_id: `188${id.padStart(16, '0')}`,
    entity_status: 'ACTIVE',
    approval_status: 'ACCEPTED',
    created_at: '2025-06-01T00:00:00Z',
    updated_at: '2025-06-01T00:00:00Z',
    deleted: false,
  };
}

/** Per-day metric values zipped into X's shape: one series per metric (nested for conversions), null where all days are. */
function timeSeries(perDay: Record<string, unknown>[]): Record<string, unknown> {
  const first = perDay[0] ?? {};
  return Object.fromEntries(
    Object.entries(first).map(([name, sample]) => {
      if (sample !== null && typeof sample === 'object') return [name, timeSeries(perDay.map((day) => (day[name] ?? {}) as Record<string, unknown>))];
      const values = perDay.map((day) => day[name] ?? null);
      return [name, values.every((v) => v === null) ? null : values];
    }),
  );
}

function adIndexById(account: AccountShape): Map<string, number> {
  return new Map(Array.from({ length: adCount(account) }, (_, i) => [adEntity(account, i).adId, i]));
}

/** A midnight as X takes it for DAY granularity: a bare date, or a whole-hour UTC time (this account's zone is UTC). */
function midnight(value: string | undefined): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})(T00:00:00Z)?$/.exec(value ?? '');
  return match ? match[1]! : null;
}
