import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AdPerformanceValues, adPerformanceRow, adPerformanceRowCount } from '../mock/generator';

/**
 * The Graph API endpoints the Meta connector reads: the ad account node and its ad-level daily insights,
 * with cursor paging (`paging.cursors.after`, `paging.next`) and Graph error bodies.
 */

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 5_000;

export const metaBusinessEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '1234567890',
  defaultCredentials: { access_token: 'emulator-meta-access-token' },
  create: createMetaEmulator,
};

function createMetaEmulator(context: EmulatorContext): PlatformEmulator {
  let traces = 0;
  const graphError = (c: Context, status: ContentfulStatusCode, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
    c.json({ error: { ...error, fbtrace_id: `AEmu${(++traces).toString(36).padStart(6, '0')}` } }, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return graphError(c, status, { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 });
      case 'rate_limited': {
        // Meta signals the wait in minutes, per business, in the usage header.
        const usage = {
          [accountDigits(context)]: [
            {
              type: 'ads_insights',
              call_count: 100,
              total_cputime: 42,
              total_time: 57,
              estimated_time_to_regain_access: Math.ceil(context.retryAfterSeconds() / 60),
            },
          ],
        };
        return graphError(
          c,
          status,
          {
            message: 'There have been too many calls from this ad-account. Wait a bit and try again.',
            type: 'OAuthException',
            code: 80000,
            error_subcode: 2446079,
            is_transient: true,
          },
          { 'x-business-use-case-usage': JSON.stringify(usage) },
        );
      }
      case 'server_error':
        return graphError(c, status, {
          message: 'An unexpected error has occurred. Please retry your request later.',
          type: 'OAuthException',
          code: 2,
          is_transient: true,
        });
    }
  }

  const badRequest = (c: Context, message: string) => graphError(c, 400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });
  const unknownNode = (c: Context, node: string) =>
    graphError(c, 400, {
      message: `Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
    });

  const app = new Hono();
  // The Graph API takes the token as `access_token` or as an Authorization header.
  app.use('/:version/*', async (c, next) => {
    const header = c.req.header('authorization')?.replace(/^(Bearer|OAuth)\s+/i, '');
    const token = header ?? c.req.query('access_token');
    if (token !== context.credentials.access_token) return failure(c, 'auth', 400);
    await next();
  });

  app.get('/:version/:node', (c) => {
    const node = c.req.param('node');
    if (node !== `act_${accountDigits(context)}`) return unknownNode(c, node);
    const account = { id: node, account_id: accountDigits(context), name: `Emulated ad account ${accountDigits(context)}`, account_status: 1, currency: 'USD' };
    return c.json(pickFields(account, c.req.query('fields'), ['id']));
  });

  app.get('/:version/:node/insights', (c) => {
    const node = c.req.param('node');
    if (node !== `act_${accountDigits(context)}`) return unknownNode(c, node);
    if (c.req.query('level') !== 'ad' || c.req.query('time_increment') !== '1')
      return badRequest(c, 'This emulator serves level=ad with time_increment=1 only');
    const timeRange = parseTimeRange(c.req.query('time_range'));
    if (!timeRange) return badRequest(c, 'time_range must be {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}');
    const limit = Number(c.req.query('limit') ?? DEFAULT_LIMIT);
    if (!Number.isInteger(limit) || limit < 1) return badRequest(c, 'Param limit must be a positive integer');

    // The cursor is bound to the time range: Meta's cursors are only valid for the query that produced them.
    const scope = `${timeRange.startDate}..${timeRange.endDate}`;
    const after = c.req.query('after');
    const offset = after === undefined ? 0 : context.cursor.decode(after, scope);
    if (offset === null) return badRequest(c, 'Invalid cursor');

    const account = context.account();
    const total = adPerformanceRowCount(account, timeRange);
    const end = Math.min(total, offset + Math.min(limit, context.pageSize ?? MAX_LIMIT));
    const fields = c.req.query('fields');
    const data = [];
    for (let i = offset; i < end; i++)
      data.push(pickFields(insightsRow(accountDigits(context), adPerformanceRow(account, timeRange, i)), fields, ['date_start', 'date_stop']));
    if (data.length === 0) return c.json({ data });

    const pageUrl = (cursorName: 'after' | 'before', token: string) => {
      const url = new URL(c.req.url);
      url.searchParams.delete('after');
      url.searchParams.delete('before');
      url.searchParams.set(cursorName, token);
      return url.toString();
    };
    const cursors = { before: context.cursor.encode(offset, scope), after: context.cursor.encode(end, scope) };
    return c.json({
      data,
      paging: {
        cursors,
        ...(end < total ? { next: pageUrl('after', cursors.after) } : {}),
        ...(offset > 0 ? { previous: pageUrl('before', cursors.before) } : {}),
      },
    });
  });

  return { app, failure };
}

function accountDigits(context: EmulatorContext): string {
  return context.account().accountId.replace(/^act_/, '');
}

/** An insights row as the Graph API renders it: numbers as strings, conversions under `actions`, absent when zero. */
function insightsRow(accountId: string, v: AdPerformanceValues): Record<string, unknown> {
  const purchases = (value: number) => (v.conversions > 0 ? [{ action_type: 'purchase', value: String(value) }] : undefined);
  return {
    account_id: accountId,
    account_currency: 'USD',
    ad_id: v.entity.adId,
    ad_name: v.entity.adName,
    adset_id: v.entity.adSetId,
    adset_name: v.entity.adSetName,
    campaign_id: v.entity.campaignId,
    campaign_name: v.entity.campaignName,
    impressions: String(v.impressions),
    clicks: String(v.clicks),
    spend: v.spend.toFixed(2),
    reach: String(v.reach),
    actions: purchases(v.conversions),
    action_values: purchases(v.conversionValue),
    date_start: v.date,
    date_stop: v.date,
  };
}

/** The Graph API returns the requested `fields` plus the ones it always includes. */
function pickFields(record: Record<string, unknown>, fields: string | undefined, alwaysIncluded: string[]): Record<string, unknown> {
  const wanted = new Set([...(fields ? fields.split(',') : Object.keys(record)), ...alwaysIncluded]);
  return Object.fromEntries(Object.entries(record).filter(([key, value]) => wanted.has(key) && value !== undefined));
}

function parseTimeRange(value: string | undefined): { startDate: string; endDate: string } | null {
  try {
    const parsed: unknown = JSON.parse(value ?? '');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { since, until } = parsed as { since?: unknown; until?: unknown };
    const isDate = (d: unknown): d is string => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d);
    return isDate(since) && isDate(until) && since <= until ? { startDate: since, endDate: until } : null;
  } catch {
    return null;
  }
}
