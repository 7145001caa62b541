import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AccountShape, contactRow } from '../mock/generator';

/**
 * Zoho CRM API v6 record list for Contacts: `fields` required, `sort_by`/`sort_order`, `If-Modified-Since`,
 * `page`/`per_page` for the first 2,000 records and `page_token` beyond, `info.more_records`; 204 for no
 * records and 304 for none modified since; errors as `{code, details, message, status: 'error'}`, and a
 * 429 with no delay (Zoho documents none).
 */

const MAX_PER_PAGE = 200;
/** Records reachable with `page`; further ones need `page_token`. */
const MAX_DISCRETE_RECORDS = 2_000;
/** The emulated org's time zone, in which Zoho writes times (fixed: no daylight saving here). */
const ORG_UTC_OFFSET = { minutes: -8 * 60, text: '-08:00' };
const PAGE_TOKEN_LIFETIME_MS = 24 * 3_600_000;

export const zohoCrmEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '20251001',
  defaultCredentials: { access_token: '1000.emulatorzohocrm.accesstoken' },
  create: createZohoCrmEmulator,
};

/** Zoho's record id of generator contact `index`: 19 digits, in creation order. */
export function zohoContactId(index: number): string {
  return `4876876000${String(index + 1).padStart(9, '0')}`;
}

interface ContactRecord {
  id: string;
  createdMs: number;
  fields: Record<string, string>;
}

const SORTABLE = ['id', 'Created_Time', 'Modified_Time'];

function createZohoCrmEmulator(context: EmulatorContext): PlatformEmulator {
  const zohoError = (c: Context, status: ContentfulStatusCode, code: string, message: string, details: Record<string, unknown> = {}) =>
    c.json({ code, details, message, status: 'error' }, status);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return zohoError(c, status, 'INVALID_TOKEN', 'invalid oauth token');
      case 'rate_limited':
        return zohoError(c, status, 'TOO_MANY_REQUESTS', 'Number of API credits for the 24 hour period or concurrent calls of the app exceeded the limit');
      case 'server_error':
        return zohoError(c, status, 'INTERNAL_ERROR', 'Internal Server Error');
    }
  }
  const invalid = (c: Context, message: string, param: string) => zohoError(c, 400, 'INVALID_DATA', message, { param_name: param });

  const app = new Hono();
  app.use('/crm/*', async (c, next) => {
    const authorization = c.req.header('authorization');
    if (!authorization?.startsWith('Zoho-oauthtoken ')) return zohoError(c, 401, 'AUTHENTICATION_FAILURE', 'Authentication failed');
    if (authorization !== `Zoho-oauthtoken ${context.credentials.access_token}`) return failure(c, 'auth', 401);
    await next();
  });

  app.get('/crm/:version/Contacts', (c) => {
    const fields = c.req.query('fields')?.split(',').filter(Boolean);
    if (!fields?.length) return zohoError(c, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param: 'fields' });
    const asked = Number(c.req.query('per_page') ?? MAX_PER_PAGE);
    if (!Number.isInteger(asked) || asked < 1 || asked > MAX_PER_PAGE) return invalid(c, `per_page must be between 1 and ${MAX_PER_PAGE}`, 'per_page');
    const perPage = Math.min(asked, context.pageSize ?? asked);
    const sortBy = c.req.query('sort_by') ?? 'id';
    const sortOrder = c.req.query('sort_order') ?? 'desc';
    if (!SORTABLE.includes(sortBy)) return invalid(c, 'invalid data', 'sort_by');
    if (sortOrder !== 'asc' && sortOrder !== 'desc') return invalid(c, 'invalid data', 'sort_order');
    const sinceHeader = c.req.header('if-modified-since');
    const since = sinceHeader === undefined ? null : Date.parse(sinceHeader);
    if (Number.isNaN(since)) return invalid(c, 'invalid If-Modified-Since header', 'If-Modified-Since');

    // A page token is bound to the listing it came from.
    const scope = `${sortBy}|${sortOrder}|${since ?? ''}|${perPage}`;
    const token = c.req.query('page_token');
    const page = Number(c.req.query('page') ?? 1);
    if (token !== undefined && c.req.query('page') !== undefined) return invalid(c, 'page and page_token cannot be given together', 'page_token');
    if (!Number.isInteger(page) || page < 1) return invalid(c, 'invalid data', 'page');
    const offset = token === undefined ? (page - 1) * perPage : context.cursor.decode(token, scope);
    if (offset === null) return invalid(c, 'invalid page token', 'page_token');
    if (token === undefined && offset >= MAX_DISCRETE_RECORDS) {
      return zohoError(
        c,
        400,
        'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
        `only the first ${MAX_DISCRETE_RECORDS} records can be fetched with page; use page_token`,
        { limit: MAX_DISCRETE_RECORDS },
      );
    }

    const all = accountContacts(context.account(), context.asOf);
    if (all.length === 0) return c.body(null, 204);
    // Never modified after creation, so Modified_Time is Created_Time.
    const records = all.filter((record) => since === null || record.createdMs >= since);
    if (records.length === 0) return c.body(null, 304);
    const direction = sortOrder === 'asc' ? 1 : -1;
    records.sort((a, b) => direction * (sortBy === 'id' ? a.id.localeCompare(b.id) : a.createdMs - b.createdMs || a.id.localeCompare(b.id)));

    const end = Math.min(records.length, offset + perPage);
    const more = end < records.length;
    const tokenFor = (at: number) => context.cursor.encode(at, scope);
    return c.json({
      data: records
        .slice(offset, end)
        .map((record) => ({ ...Object.fromEntries(fields.map((field) => [field, record.fields[field] ?? null])), id: record.id })),
      info: {
        per_page: perPage,
        count: end - offset,
        page: token === undefined ? page : Math.floor(offset / perPage) + 1,
        sort_by: sortBy,
        sort_order: sortOrder,
        more_records: more,
        next_page_token: more ? tokenFor(end) : null,
        previous_page_token: offset > 0 ? tokenFor(Math.max(0, offset - perPage)) : null,
        page_token_expiry: more ? new Date(Date.now() + PAGE_TOKEN_LIFETIME_MS).toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      },
    });
  });

  return { app, failure };
}

function accountContacts(account: AccountShape, asOf: string): ContactRecord[] {
  return Array.from({ length: account.contacts }, (_, index) => {
    const contact = contactRow(account, asOf, index);
    const createdMs = Date.parse(`${contact.createdDate}T00:00:00Z`);
    const at = orgTime(createdMs);
    return {
      id: zohoContactId(index),
      createdMs,
      fields: {
        Email: contact.email,
        First_Name: contact.firstName,
        Last_Name: contact.lastName,
        Full_Name: `${contact.firstName} ${contact.lastName}`,
        Mailing_City: contact.city,
        Mailing_Country: contact.country,
        Created_Time: at,
        Modified_Time: at,
      },
    };
  });
}

/** An instant as Zoho writes it: the org's local time with its offset, to the second. */
function orgTime(ms: number): string {
  return new Date(ms + ORG_UTC_OFFSET.minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, ORG_UTC_OFFSET.text);
}
