import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import type { JsonRequest, PlatformErrorDetails } from '../http-client';
import { createCredentialHostClient } from '../credential-host-client';
import { credentialHostRule } from '../credential-hosts';

/**
 * Zoho CRM API v6: Contacts created in the sync window, from the module's record list.
 *
 * The list cannot filter on Created_Time, so the connector narrows it as far as the API allows and
 * filters the rest itself: newest created first, and only records modified since the window opened
 * (`If-Modified-Since`; a contact is modified no earlier than it is created). Pages newer than the window
 * yield no records; the first record older than it ends the stream. The cursor is the query parameter of
 * the next page: `page_token` (valid 24 hours, needed past 2,000 records), else `page`.
 */

export const ZOHO_CRM_API_VERSION = 'v6';
const MAX_PER_PAGE = 200;
const CONTACT_FIELDS = 'Email,First_Name,Last_Name,Created_Time';

const contactSchema = z
  .object({
    id: z.string().regex(/^\d+$/, 'Expected a numeric record id'),
    Email: z.string().nullable().optional(),
    First_Name: z.string().nullable().optional(),
    Last_Name: z.string().nullable().optional(),
    Created_Time: z.iso.datetime({ offset: true }),
  })
  .passthrough();
type ZohoContact = z.infer<typeof contactSchema>;
const recordsPageSchema = z.object({
  data: z.array(contactSchema),
  info: z.object({ more_records: z.boolean(), page: z.number().int().optional(), next_page_token: z.string().nullable().optional() }).passthrough(),
});
type RecordsPage = z.infer<typeof recordsPageSchema>;

export function createZohoCrmConnector(config: ConnectorConfig): Connector {
  // The data centre serving the org (www.zohoapis.com, .eu, .in, …) is the token response's api_domain.
  const http = createCredentialHostClient(config, credentialHostRule('zoho_crm', 'api_domain'), { platform: 'Zoho CRM', classifyError: classifyZohoCrmError });
  const authorization = `Zoho-oauthtoken ${config.credentials.access_token ?? ''}`;
  const path = `/crm/${ZOHO_CRM_API_VERSION}/Contacts`;

  /** The records of a list request; Zoho answers 204 for a module without any, and 304 when none was modified since. */
  async function listContacts(request: Omit<JsonRequest, 'method' | 'path'>): Promise<{ page: RecordsPage | null; bytesRead: number; latencyMs: number }> {
    const started = performance.now();
    try {
      const { body, bytesRead, latencyMs } = await http.send({ method: 'GET', path, ...request }, recordsPageSchema);
      return { page: body, bytesRead, latencyMs };
    } catch (err) {
      // The shared client reads any 2xx as JSON and any other status as a failure: neither fits these two.
      const status = err instanceof ConnectorError ? err.details.status : undefined;
      if (status === 204 || status === 304) return { page: null, bytesRead: 0, latencyMs: Math.round(performance.now() - started) };
      throw err;
    }
  }

  async function fetchContacts(request: FetchPageRequest): Promise<Page> {
    const pageParameter = request.cursor === null ? {} : parseCursor(request.cursor);
    const { page, bytesRead } = await listContacts({
      query: {
        fields: CONTACT_FIELDS,
        per_page: String(Math.min(request.pageSize ?? MAX_PER_PAGE, MAX_PER_PAGE)),
        sort_by: 'Created_Time',
        sort_order: 'desc',
        ...pageParameter,
      },
      headers: { authorization, 'if-modified-since': modifiedSince(request.window) },
    });
    if (!page) return { records: [], nextCursor: null, bytesRead };

    const { from, until } = windowBounds(request.window);
    const created = page.data.map((contact) => ({ contact, at: Date.parse(contact.Created_Time) }));
    const records = created.filter(({ at }) => at >= from && at < until).map(({ contact }) => zohoContactRecord(contact));
    const reachedOlder = created.some(({ at }) => at < from);
    return { records, nextCursor: reachedOlder || !page.info.more_records ? null : nextPageCursor(page), bytesRead };
  }

  return {
    platform: 'zoho_crm',
    source: 'live',
    listStreams: () => ['contacts'],

    async testConnection() {
      // Listing one contact proves the token, its Contacts scope and the fields a sync reads.
      const { latencyMs } = await listContacts({ query: { fields: CONTACT_FIELDS, per_page: '1' }, headers: { authorization } });
      return { ok: true, accountName: null, latencyMs, message: 'Zoho CRM contacts are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'contacts') return fetchContacts(request);
      throw new ConnectorError('malformed', `Zoho CRM has no ${request.stream} stream`);
    },
  };
}

/** The window's days (UTC) as epoch milliseconds, `until` exclusive. */
function windowBounds(window: DateWindow): { from: number; until: number } {
  return { from: Date.parse(`${window.startDate}T00:00:00Z`), until: Date.parse(`${addDays(window.endDate, 1)}T00:00:00Z`) };
}

/** A second before the window opens: whether Zoho counts a modification at the very instant given is not documented. */
function modifiedSince(window: DateWindow): string {
  return `${addDays(window.startDate, -1)}T23:59:59+00:00`;
}

function nextPageCursor(page: RecordsPage): string {
  if (page.info.next_page_token) return new URLSearchParams({ page_token: page.info.next_page_token }).toString();
  if (page.info.page === undefined) throw new ConnectorError('malformed', 'Zoho CRM announced more records without a page token or page number');
  return new URLSearchParams({ page: String(page.info.page + 1) }).toString();
}

/** A cursor is one query parameter: `page_token=…` or `page=n`. */
function parseCursor(cursor: string): Record<string, string> {
  const entries = [...new URLSearchParams(cursor)];
  const [name, value] = entries[0] ?? [];
  const valid = entries.length === 1 && ((name === 'page_token' && value) || (name === 'page' && /^[1-9]\d*$/.test(value ?? '')));
  if (!valid) throw new ConnectorError('malformed', 'Invalid Zoho CRM contacts cursor');
  return { [name!]: value! };
}

function zohoContactRecord(contact: ZohoContact): MetricRecord {
  const { First_Name: first, Last_Name: last, Email: email, Created_Time: created } = contact;
  const name = [first, last].filter(Boolean).join(' ');
  // Created_Time is in the CRM user's time zone; the row's day is the UTC day, like every other source.
  return contactRecord({ entityId: contact.id, date: new Date(created).toISOString().slice(0, 10), entityName: name || email || null, raw: contact });
}

const errorSchema = z.object({ code: z.string(), message: z.string().optional(), status: z.literal('error') }).passthrough();

const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  INVALID_TOKEN: 'auth',
  AUTHENTICATION_FAILURE: 'auth',
  OAUTH_SCOPE_MISMATCH: 'auth',
  NO_PERMISSION: 'auth',
  TOO_MANY_REQUESTS: 'rate_limited',
  INTERNAL_ERROR: 'transient',
};

/**
 * Zoho's `{code, message, status: 'error'}`. A 429 (credits of the rolling 24 hours spent, or too many
 * concurrent calls) documents no delay: `Retry-After`, should one come, is honoured by the client, and
 * otherwise the retry policy's backoff spaces the attempts.
 */
export function classifyZohoCrmError(failure: { body: unknown }): PlatformErrorDetails {
  const parsed = errorSchema.safeParse(failure.body).data;
  if (!parsed) return {};
  return { kind: KIND_BY_CODE[parsed.code], message: parsed.message, platformCode: parsed.code };
}
