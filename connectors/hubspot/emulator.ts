import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AccountShape, type ContactValues, contactRow } from '../mock/generator';

/**
 * HubSpot CRM v3 contacts: the object list (cursor paging through `paging.next.after`) and the search
 * endpoint (filter groups, one sort, offset paging capped at 10,000 results per query), with HubSpot's
 * error bodies and `X-HubSpot-RateLimit-*` headers on 429.
 */

const DEFAULT_LIMIT = 10;
const MAX_LIST_LIMIT = 100;
const MAX_SEARCH_LIMIT = 200;
/** Search answers no further than this many results into one query. */
const MAX_SEARCH_RESULTS = 10_000;
/** Returned when a request names no properties. */
const DEFAULT_PROPERTIES = ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'];
/** Returned whatever properties a request names. */
const ALWAYS_RETURNED = ['createdate', 'hs_object_id', 'lastmodifieddate'];

export const hubspotEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '20250001',
  defaultCredentials: { access_token: 'pat-na1-emulator-hubspot-token' },
  create: createHubSpotEmulator,
};

/** HubSpot's id (`hs_object_id`) of generator contact `index`: numeric, in creation order. */
export function hubspotContactId(index: number): string {
  return String(index + 1);
}

interface Contact {
  index: number;
  values: ContactValues;
  createdMs: number;
}

type Operator = 'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE' | 'BETWEEN';
interface Filter {
  propertyName: string;
  operator: Operator;
  value: number;
  highValue?: number;
}
interface SearchQuery {
  filterGroups: Filter[][];
  sort: { propertyName: string; descending: boolean };
  properties: string[];
  limit: number;
  after: number;
}

/** The properties search can filter and sort on here: numeric, so values compare as numbers. */
const NUMERIC_PROPERTIES: Readonly<Record<string, (contact: Contact) => number>> = {
  hs_object_id: (contact) => Number(hubspotContactId(contact.index)),
  createdate: (contact) => contact.createdMs,
  lastmodifieddate: (contact) => contact.createdMs,
};

function createHubSpotEmulator(context: EmulatorContext): PlatformEmulator {
  let errorIds = 0;
  const uuid = () => `00000000-0000-4000-9000-${(++errorIds).toString(16).padStart(12, '0')}`;
  const hubSpotError = (c: Context, status: ContentfulStatusCode, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
    c.json({ status: 'error', ...error, correlationId: uuid() }, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return hubSpotError(c, status, {
          message:
            'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
          category: 'INVALID_AUTHENTICATION',
        });
      case 'rate_limited': {
        const windowMs = context.retryAfterSeconds() * 1000;
        return hubSpotError(
          c,
          status,
          { message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', requestId: uuid() },
          { 'x-hubspot-ratelimit-interval-milliseconds': String(windowMs), 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '0' },
        );
      }
      case 'server_error':
        return hubSpotError(c, status, { message: 'internal error', category: 'INTERNAL_ERROR' });
    }
  }
  const validationError = (c: Context, message: string) => hubSpotError(c, 400, { message, category: 'VALIDATION_ERROR' });
  // Built once per account as served: every search filters and sorts all of them.
  const contactsByAccount = new WeakMap<AccountShape, Contact[]>();
  const accountContacts = () => {
    const account = context.account();
    const contacts = contactsByAccount.get(account) ?? generateContacts(account, context.asOf);
    contactsByAccount.set(account, contacts);
    return contacts;
  };

  const app = new Hono();
  app.use('/crm/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${context.credentials.access_token}`) return failure(c, 'auth', 401);
    await next();
  });

  app.get('/crm/v3/objects/contacts', (c) => {
    const asked = Number(c.req.query('limit') ?? DEFAULT_LIMIT);
    if (!Number.isInteger(asked) || asked < 1 || asked > MAX_LIST_LIMIT) return validationError(c, `limit must be between 1 and ${MAX_LIST_LIMIT}`);
    const limit = Math.min(asked, context.pageSize ?? asked);
    const after = c.req.query('after');
    const offset = after === undefined ? 0 : context.cursor.decode(after, 'contacts');
    if (offset === null) return validationError(c, 'Invalid input for after');

    const contacts = accountContacts();
    const end = Math.min(contacts.length, offset + limit);
    const properties = requestedProperties(c.req.query('properties')?.split(','));
    const next = context.cursor.encode(end, 'contacts');
    return c.json({
      results: contacts.slice(offset, end).map((contact) => contactObject(contact, properties)),
      ...(end < contacts.length ? { paging: { next: { after: next, link: `${origin(c)}/crm/v3/objects/contacts?after=${next}` } } } : {}),
    });
  });

  app.post('/crm/v3/objects/contacts/search', async (c) => {
    const query = parseSearch(await c.req.json().catch(() => null));
    if (typeof query === 'string') return validationError(c, query);
    if (query.after >= MAX_SEARCH_RESULTS)
      return validationError(c, `There was a problem with the request: search returns at most ${MAX_SEARCH_RESULTS} results per query.`);

    const property = NUMERIC_PROPERTIES[query.sort.propertyName]!;
    const matches = accountContacts()
      .filter((contact) => query.filterGroups.length === 0 || query.filterGroups.some((group) => group.every((filter) => matchesFilter(contact, filter))))
      .sort((a, b) => (query.sort.descending ? -1 : 1) * (property(a) - property(b)) || a.index - b.index);
    const end = Math.min(matches.length, query.after + Math.min(query.limit, context.pageSize ?? query.limit), MAX_SEARCH_RESULTS);
    return c.json({
      total: matches.length,
      results: matches.slice(query.after, end).map((contact) => contactObject(contact, query.properties)),
      ...(end < matches.length ? { paging: { next: { after: String(end) } } } : {}),
    });
  });

  return { app, failure };
}

function generateContacts(account: AccountShape, asOf: string): Contact[] {
  return Array.from({ length: account.contacts }, (_, index) => {
    const values = contactRow(account, asOf, index);
    return { index, values, createdMs: Date.parse(`${values.createdDate}T00:00:00Z`) };
  });
}

function requestedProperties(names: readonly string[] | undefined): string[] {
  const named = names?.filter(Boolean) ?? [];
  return named.length === 0 ? DEFAULT_PROPERTIES : [...new Set([...named, ...ALWAYS_RETURNED])];
}

function contactObject(contact: Contact, properties: readonly string[]): Record<string, unknown> {
  const at = new Date(contact.createdMs).toISOString();
  const values: Record<string, string> = {
    createdate: at,
    email: contact.values.email,
    firstname: contact.values.firstName,
    lastname: contact.values.lastName,
    city: contact.values.city,
    country: contact.values.country,
    hs_object_id: hubspotContactId(contact.index),
    lastmodifieddate: at,
  };
  // HubSpot answers every requested property, null when the contact has no value for it.
  return {
    id: hubspotContactId(contact.index),
    properties: Object.fromEntries(properties.map((name) => [name, values[name] ?? null])),
    createdAt: at,
    updatedAt: at,
    archived: false,
  };
}

function matchesFilter(contact: Contact, filter: Filter): boolean {
  const value = NUMERIC_PROPERTIES[filter.propertyName]!(contact);
  switch (filter.operator) {
    case 'EQ':
      return value === filter.value;
    case 'NEQ':
      return value !== filter.value;
    case 'LT':
      return value < filter.value;
    case 'LTE':
      return value <= filter.value;
    case 'GT':
      return value > filter.value;
    case 'GTE':
      return value >= filter.value;
    case 'BETWEEN':
      return value >= filter.value && value <= filter.highValue!;
  }
}

/** The subset of a search request the emulator serves: numeric and date filters, one sort. Errors as strings. */
function parseSearch(body: unknown): SearchQuery | string {
  if (!body || typeof body !== 'object') return 'Invalid input JSON: the request body must be a JSON object.';
  const { filterGroups = [], sorts = [], properties, limit = DEFAULT_LIMIT, after = '0' } = body as Record<string, unknown>;
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_SEARCH_LIMIT) return `limit must be between 1 and ${MAX_SEARCH_LIMIT}.`;
  if (typeof after !== 'string' || !/^\d+$/.test(after)) return 'after must be a numeric string.';
  if (properties !== undefined && (!Array.isArray(properties) || !properties.every((p) => typeof p === 'string')))
    return 'properties must be a list of property names.';
  if (!Array.isArray(filterGroups) || !Array.isArray(sorts) || sorts.length > 1) return 'Expected filterGroups as a list and at most one sort.';

  const groups: Filter[][] = [];
  for (const group of filterGroups as { filters?: unknown }[]) {
    if (!Array.isArray(group?.filters)) return 'Each filter group needs a filters list.';
    const filters: Filter[] = [];
    for (const raw of group.filters as Record<string, unknown>[]) {
      const filter = parseFilter(raw);
      if (typeof filter === 'string') return filter;
      filters.push(filter);
    }
    groups.push(filters);
  }
  const sort = (sorts[0] ?? { propertyName: 'hs_object_id', direction: 'ASCENDING' }) as { propertyName?: unknown; direction?: unknown };
  if (typeof sort.propertyName !== 'string' || !NUMERIC_PROPERTIES[sort.propertyName])
    return `This emulator sorts on ${Object.keys(NUMERIC_PROPERTIES).join(', ')} only.`;
  if (sort.direction !== 'ASCENDING' && sort.direction !== 'DESCENDING') return 'sort direction must be ASCENDING or DESCENDING.';
  return {
    filterGroups: groups,
    sort: { propertyName: sort.propertyName, descending: sort.direction === 'DESCENDING' },
    properties: requestedProperties(properties as string[] | undefined),
    limit: limit as number,
    after: Number(after),
  };
}

function parseFilter(raw: Record<string, unknown> | null): Filter | string {
  const { propertyName, operator, value, highValue } = raw ?? {};
  if (typeof propertyName !== 'string' || !NUMERIC_PROPERTIES[propertyName])
    return `This emulator filters on ${Object.keys(NUMERIC_PROPERTIES).join(', ')} only.`;
  if (!['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN'].includes(operator as string)) return `Unsupported operator ${String(operator)}.`;
  const number = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? filterNumber(String(v)) : undefined);
  const low = number(value);
  const high = operator === 'BETWEEN' ? number(highValue) : undefined;
  if (low === undefined || (operator === 'BETWEEN' && high === undefined)) return `Invalid filter value for ${propertyName}.`;
  return { propertyName, operator: operator as Operator, value: low, highValue: high };
}

/** Numbers, and dates as epoch milliseconds or ISO 8601, as HubSpot accepts them. */
function filterNumber(value: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

function origin(c: Context): string {
  return new URL(c.req.url).origin;
}
