import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type PlatformErrorDetails, parseRetryAfter } from '../http-client';

/**
 * HubSpot CRM v3 contacts, created in the sync window, through the CRM search endpoint.
 *
 * Search refuses to page past 10,000 results of one query, so the connector never pages a query: each page
 * is a fresh search for the window's contacts with an `hs_object_id` above the last one read, in id order.
 * The cursor is that last id, which stays valid however long a sync pauses (no `after` offset to expire
 * or shift when contacts are created mid-sync), and no query ever reaches the cap however big the window.
 */

const MAX_SEARCH_PAGE_SIZE = 200;
const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'createdate'];

const objectId = z.string().regex(/^\d+$/, 'Expected a numeric object id');
const contactSchema = z
  .object({
    id: objectId,
    properties: z
      .object({
        email: z.string().nullable().optional(),
        firstname: z.string().nullable().optional(),
        lastname: z.string().nullable().optional(),
        createdate: z.iso.datetime({ offset: true }),
      })
      .passthrough(),
  })
  .passthrough();
type HubSpotContact = z.infer<typeof contactSchema>;
const contactsPageSchema = z.object({
  results: z.array(contactSchema),
  paging: z
    .object({ next: z.object({ after: z.string() }).passthrough().optional() })
    .passthrough()
    .optional(),
});

export function createHubSpotConnector(config: ConnectorConfig): Connector {
  const http = createJsonHttpClient({
    platform: 'HubSpot',
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifyHubSpotError,
  });
  const headers = { authorization: `Bearer ${config.credentials.access_token ?? ''}` };

  async function fetchContacts(request: FetchPageRequest): Promise<Page> {
    const afterId = request.cursor === null ? null : objectId.safeParse(request.cursor).data;
    if (afterId === undefined) throw new ConnectorError('malformed', 'Invalid HubSpot contacts cursor');
    const { body, bytesRead } = await http.send(
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/search',
        headers,
        body: {
          filterGroups: [
            { filters: [...createdWithin(request.window), ...(afterId ? [{ propertyName: 'hs_object_id', operator: 'GT', value: afterId }] : [])] },
          ],
          sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
          properties: CONTACT_PROPERTIES,
          limit: Math.min(request.pageSize ?? MAX_SEARCH_PAGE_SIZE, MAX_SEARCH_PAGE_SIZE),
        },
      },
      contactsPageSchema,
    );
    const last = body.results.at(-1);
    if (body.paging?.next && !last) throw new ConnectorError('malformed', 'HubSpot announced a next page after an empty one');
    return { records: body.results.map(hubSpotContactRecord), nextCursor: body.paging?.next && last ? last.id : null, bytesRead };
  }

  return {
    platform: 'hubspot',
    source: 'live',
    listStreams: () => ['contacts'],

    async testConnection() {
      // Reading one contact proves the token, its contacts scope and the properties a sync reads.
      const { latencyMs } = await http.send(
        { method: 'GET', path: '/crm/v3/objects/contacts', query: { limit: '1', properties: CONTACT_PROPERTIES.join(',') }, headers },
        contactsPageSchema,
      );
      return { ok: true, accountName: null, latencyMs, message: 'HubSpot contacts are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'contacts') return fetchContacts(request);
      throw new ConnectorError('malformed', `HubSpot has no ${request.stream} stream`);
    },
  };
}

/** Search filters for a created date within the window's days (UTC), as epoch milliseconds. */
function createdWithin(window: DateWindow) {
  const midnight = (day: string) => String(Date.parse(`${day}T00:00:00Z`));
  return [
    { propertyName: 'createdate', operator: 'GTE', value: midnight(window.startDate) },
    { propertyName: 'createdate', operator: 'LT', value: midnight(addDays(window.endDate, 1)) },
  ];
}

function hubSpotContactRecord(contact: HubSpotContact): MetricRecord {
  const { firstname, lastname, email, createdate } = contact.properties;
  const name = [firstname, lastname].filter(Boolean).join(' ');
  return contactRecord({ entityId: contact.id, date: new Date(createdate).toISOString().slice(0, 10), entityName: name || email || null, raw: contact });
}

const errorSchema = z.object({
  status: z.literal('error'),
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  errorType: z.string().optional(),
  policyName: z.string().optional(),
});

const KIND_BY_CATEGORY: Readonly<Record<string, ConnectorErrorKind>> = {
  INVALID_AUTHENTICATION: 'auth',
  EXPIRED_AUTHENTICATION: 'auth',
  MISSING_SCOPES: 'auth',
  RATE_LIMITS: 'rate_limited',
};

/** How long each limit's window lasts, when the answer names the policy but carries no delay header. */
const WINDOW_MS_BY_POLICY: Readonly<Record<string, number>> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 10_000,
  // The daily quota resets at midnight in the portal's time zone, which the answer does not give:
  // checking again hourly costs one request and resumes within the hour after the reset.
  DAILY: 3_600_000,
};

/**
 * HubSpot's error body (`status`, `message`, `correlationId`, `category`). A rate limit's delay is, in order:
 * `Retry-After`, the window of the limit that was hit (`X-HubSpot-RateLimit-Interval-Milliseconds`), or the
 * window of the policy the body names (search answers carry no rate-limit headers).
 */
export function classifyHubSpotError(failure: { status: number; body: unknown; headers: Headers }): PlatformErrorDetails {
  const parsed = errorSchema.safeParse(failure.body).data;
  const kind = (parsed?.category && KIND_BY_CATEGORY[parsed.category]) || (parsed?.errorType === 'RATE_LIMIT' ? 'rate_limited' : undefined);
  const rateLimited = kind === 'rate_limited' || failure.status === 429;
  const intervalMs = Number(failure.headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  return {
    kind,
    message: parsed?.message && (parsed.correlationId ? `${parsed.message} (correlationId ${parsed.correlationId})` : parsed.message),
    platformCode: parsed?.category ?? parsed?.errorType,
    retryAfterMs: rateLimited
      ? (parseRetryAfter(failure.headers.get('retry-after')) ??
        (intervalMs > 0 ? intervalMs : undefined) ??
        (parsed?.policyName ? WINDOW_MS_BY_POLICY[parsed.policyName] : undefined))
      : undefined,
  };
}
