import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { daysBetween } from '../../domain/sync';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AdPerformanceValues, adPerformanceRow, adPerformanceRowCount } from '../mock/generator';
import { MAX_REPORT_DAYS } from './report-cursor';

/**
 * The TikTok API for Business endpoints the connector reads: advertiser info and the synchronous integrated report
 * (BASIC, AUCTION_AD, by ad and day), paged by page number, answering failures as TikTok does: HTTP 200 and a return code.
 */

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1_000;
const ADVERTISER_ID = '7012345678901234567';

export const tiktokEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: ADVERTISER_ID,
  defaultCredentials: { access_token: 'emulator-tiktok-access-token', advertiser_id: ADVERTISER_ID },
  create: createTikTokEmulator,
};

/** Every metric this emulator can report, rendered as TikTok renders them: strings. */
const REPORT_METRICS: Readonly<Record<string, (v: AdPerformanceValues) => string>> = {
  ad_name: (v) => v.entity.adName,
  adgroup_id: (v) => v.entity.adSetId,
  adgroup_name: (v) => v.entity.adSetName,
  campaign_id: (v) => v.entity.campaignId,
  campaign_name: (v) => v.entity.campaignName,
  currency: () => 'USD',
  spend: (v) => v.spend.toFixed(2),
  impressions: (v) => String(v.impressions),
  clicks: (v) => String(v.clicks),
  reach: (v) => String(v.reach),
  conversion: (v) => String(v.conversions),
  complete_payment: (v) => String(v.conversions),
  total_complete_payment_rate: (v) => v.conversionValue.toFixed(2),
};

function createTikTokEmulator(context: EmulatorContext): PlatformEmulator {
  let requests = 0;
  const requestId = () => `20260101000000${(++requests).toString(16).padStart(8, '0').toUpperCase()}`;
  const ok = (c: Context, data: unknown) => c.json({ code: 0, message: 'OK', request_id: requestId(), data });
  const returnCode = (c: Context, code: number, message: string, status: ContentfulStatusCode = 200) =>
    c.json({ code, message, request_id: requestId(), data: {} }, status);
  const parameterError = (c: Context, message: string) => returnCode(c, 40002, message);
  const advertiserId = () => context.account().accountId;

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      // TikTok reports authentication and throttling in the body of an HTTP 200.
      case 'auth':
        return returnCode(c, 40105, 'Access token is incorrect or has been revoked.');
      case 'rate_limited':
        return returnCode(c, 40133, throttleMessage(advertiserId(), context.retryAfterSeconds()));
      // A 5xx means the request never reached the API logic.
      case 'server_error':
        return returnCode(c, 50000, 'System error', status);
    }
  }

  const app = new Hono();
  registerAdvertiserAuthorization(app, context, returnCode, ok);
  app.use('/open_api/:version/*', async (c, next) => {
    if (c.req.path.endsWith('/oauth2/access_token/')) return next();
    const token = c.req.header('access-token');
    if (!token) return returnCode(c, 40104, 'Access token is null, you should set it in http header with key Access-Token.');
    if (token !== context.credentials.access_token) return failure(c, 'auth', 200);
    await next();
  });

  // TikTok's paths end with a slash; without it they are not found.
  app.get('/open_api/:version/advertiser/info/', (c) => {
    const ids = parseJsonArray(c.req.query('advertiser_ids'));
    if (!ids || ids.length === 0) return parameterError(c, 'advertiser_ids: Field must be a non-empty JSON array.');
    const foreign = ids.find((id) => id !== advertiserId());
    if (foreign !== undefined) return returnCode(c, 40001, `No permission to operate advertiser ${foreign}.`);
    return ok(c, {
      list: [{ advertiser_id: advertiserId(), name: `Emulated advertiser ${advertiserId()}`, status: 'STATUS_ENABLE', currency: 'USD', timezone: 'Etc/GMT' }],
    });
  });

  app.get('/open_api/:version/report/integrated/get/', (c) => {
    const q = (name: string) => c.req.query(name);
    if (q('advertiser_id') !== advertiserId()) return returnCode(c, 40001, `No permission to operate advertiser ${q('advertiser_id') ?? ''}.`);
    if (q('report_type') !== 'BASIC' || q('data_level') !== 'AUCTION_AD' || (q('service_type') ?? 'AUCTION') !== 'AUCTION') {
      return parameterError(c, 'This emulator serves report_type=BASIC, service_type=AUCTION, data_level=AUCTION_AD only.');
    }
    const dimensions = parseJsonArray(q('dimensions'));
    if (!dimensions || dimensions.length !== 2 || !dimensions.includes('ad_id') || !dimensions.includes('stat_time_day')) {
      return parameterError(c, 'This emulator serves dimensions ["ad_id","stat_time_day"] only.');
    }
    const metrics = parseJsonArray(q('metrics')) ?? ['spend', 'impressions'];
    const unknown = metrics.find((m) => !(m in REPORT_METRICS));
    if (unknown !== undefined) return parameterError(c, `Invalid metric: ${unknown}.`);
    const window = { startDate: q('start_date') ?? '', endDate: q('end_date') ?? '' };
    if (!isDate(window.startDate) || !isDate(window.endDate) || window.startDate > window.endDate)
      return parameterError(c, 'start_date and end_date must be YYYY-MM-DD, start_date first.');
    if (daysBetween(window.startDate, window.endDate) >= MAX_REPORT_DAYS)
      return parameterError(c, `The time span can not exceed ${MAX_REPORT_DAYS} days when stat_time_day is a dimension.`);
    const page = Number(q('page') ?? 1);
    const requestedSize = Number(q('page_size') ?? DEFAULT_PAGE_SIZE);
    if (!Number.isInteger(page) || page < 1) return parameterError(c, 'page: Must be a positive integer.');
    if (!Number.isInteger(requestedSize) || requestedSize < 1 || requestedSize > MAX_PAGE_SIZE)
      return parameterError(c, `page_size: Must be between 1 and ${MAX_PAGE_SIZE}.`);

    const account = context.account();
    const pageSize = Math.min(requestedSize, context.pageSize ?? MAX_PAGE_SIZE);
    const total = adPerformanceRowCount(account, window);
    const list = [];
    for (let i = (page - 1) * pageSize; i < Math.min(total, page * pageSize); i++) {
      const v = adPerformanceRow(account, window, i);
      list.push({
        dimensions: { ad_id: v.entity.adId, stat_time_day: `${v.date} 00:00:00` },
        metrics: Object.fromEntries(metrics.map((m) => [m, REPORT_METRICS[m]!(v)])),
      });
    }
    return ok(c, { list, page_info: { page, page_size: pageSize, total_number: total, total_page: Math.ceil(total / pageSize) } });
  });

  return { app, failure };
}

/** The developer app the emulated authorization knows; tests configure TIKTOK_OAUTH_CLIENT_ID/SECRET with these. */
export const TIKTOK_EMULATOR_APP = { appId: '7300000000000000001', secret: 'emulator-tiktok-app-secret' } as const;

const AUTH_CODE_TTL_MS = 10 * 60_000;

/**
 * Advertiser authorization: the portal page (consent is given at once: the emulated user grants the account's
 * advertiser) redirects back with `auth_code` (and `code`, as TikTok sends both) and the state; the JSON code exchange
 * answers the long-lived token the report endpoints accept. Codes serve once and expire after 10 minutes.
 */
function registerAdvertiserAuthorization(
  app: Hono,
  context: EmulatorContext,
  returnCode: (c: Context, code: number, message: string) => Response,
  ok: (c: Context, data: unknown) => Response,
): void {
  const issued = new Map<string, number>();
  let codes = 0;

  app.get('/portal/auth', (c) => {
    const redirectUri = c.req.query('redirect_uri');
    if (c.req.query('app_id') !== TIKTOK_EMULATOR_APP.appId) return c.text('Unknown app_id', 400);
    if (!redirectUri) return c.text('redirect_uri is required', 400);
    const code = `emulated-auth-code-${++codes}-${context.account().accountId}`;
    issued.set(code, Date.now() + AUTH_CODE_TTL_MS);
    const back = new URL(redirectUri);
    back.searchParams.set('auth_code', code);
    back.searchParams.set('code', code);
    back.searchParams.set('state', c.req.query('state') ?? '');
    return c.redirect(back.href, 302);
  });

  app.post('/open_api/:version/oauth2/access_token/', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { app_id?: unknown; secret?: unknown; auth_code?: unknown } | null;
    if (!body || typeof body.auth_code !== 'string') return returnCode(c, 40002, 'auth_code: Missing data for required field.');
    if (body.app_id !== TIKTOK_EMULATOR_APP.appId || body.secret !== TIKTOK_EMULATOR_APP.secret)
      return returnCode(c, 40001, 'The app_id or secret is invalid.');
    const expiresAt = issued.get(body.auth_code);
    issued.delete(body.auth_code);
    if (expiresAt === undefined || expiresAt < Date.now()) return returnCode(c, 40131, 'Authorization code is expired.');
    return ok(c, { access_token: context.credentials.access_token, advertiser_ids: [context.account().accountId], scope: [1, 2, 4] });
  });
}

/**
 * TikTok names the limit it enforced, the documented example being the per-advertiser QPS message; each limit has its
 * recovery time, so the emulator names the shortest one that covers the wait it was asked for.
 */
function throttleMessage(advertiserId: string, retryAfterSeconds: number): string {
  const [limit, current, allowed] = retryAfterSeconds <= 1 ? ['QPS', 11, 10] : retryAfterSeconds <= 300 ? ['QPM', 601, 600] : ['QPD', 864_001, 864_000];
  return `Advertiser (${advertiserId})'s ${limit} (${current}) reaches ${limit} limit ${allowed} for current path, request is temporarily restricted.`;
}

/** TikTok takes list parameters as JSON arrays in the query string. */
function parseJsonArray(value: string | undefined): string[] | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}
