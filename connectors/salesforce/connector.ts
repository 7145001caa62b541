import { z } from 'zod';
import { addDays, contactRecord, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import type { PlatformErrorDetails } from '../http-client';
import { createCredentialHostClient } from '../credential-host-client';
import { credentialHostRule } from '../credential-hosts';

/**
 * Salesforce REST API: Contacts created in the sync window, by SOQL through the query resource, in
 * (CreatedDate, Id) order, the following batches through the query locator (`nextRecordsUrl`).
 *
 * A locator is a server-side cursor that dies after 15 minutes unused or when the user opens ten others,
 * both ordinary while a sync waits out a rate limit or runs beside others. So the cursor keeps, beside the
 * locator, the last contact read: when Salesforce no longer knows the locator, the same query resumes
 * after that contact instead.
 */

export const SALESFORCE_API_VERSION = 'v61.0';
/** Salesforce honours batch sizes from 200 to 2,000 (`Sforce-Query-Options`). */
const MIN_BATCH_SIZE = 200;
const MAX_BATCH_SIZE = 2_000;
const CONTACT_FIELDS = 'Id, Email, FirstName, LastName, CreatedDate';

const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'Expected a Salesforce Id');
/** Salesforce writes dateTimes with a `+0000` offset, which ISO 8601 parsers (and zod's) refuse. */
const salesforceDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/, 'Expected a Salesforce dateTime');
const queryLocatorPath = z.string().regex(/^\/services\/data\/v\d+\.\d+\/query\/[A-Za-z0-9]{15,18}-\d+$/, 'Expected a query locator path');

const contactSchema = z
  .object({
    Id: salesforceId,
    Email: z.string().nullable().optional(),
    FirstName: z.string().nullable().optional(),
    LastName: z.string().nullable().optional(),
    CreatedDate: salesforceDateTime,
  })
  .passthrough();
type SalesforceContact = z.infer<typeof contactSchema>;
const contactsResultSchema = z.object({
  totalSize: z.number().int(),
  done: z.boolean(),
  nextRecordsUrl: queryLocatorPath.optional(),
  records: z.array(contactSchema),
});

/** Where a page ended: the locator of the next batch, and the last contact read, to resume after should the locator be gone. */
const cursorSchema = z.object({ next: queryLocatorPath, after: z.object({ createdDate: salesforceDateTime, id: salesforceId }).strict() }).strict();
type ContactsCursor = z.infer<typeof cursorSchema>;

export function createSalesforceConnector(config: ConnectorConfig): Connector {
  // The org's API host is the token response's instance_url.
  const http = createCredentialHostClient(config, credentialHostRule('salesforce', 'instance_url'), {
    platform: 'Salesforce',
    classifyError: classifySalesforceError,
  });
  const headers = { authorization: `Bearer ${config.credentials.access_token ?? ''}` };

  const query = (soql: string, batchSize?: number) => {
    const options: Record<string, string> = batchSize ? { 'sforce-query-options': `batchSize=${batchSize}` } : {};
    return http.send(
      { method: 'GET', path: `/services/data/${SALESFORCE_API_VERSION}/query`, query: { q: soql }, headers: { ...headers, ...options } },
      contactsResultSchema,
    );
  };

  async function fetchContacts(request: FetchPageRequest): Promise<Page> {
    const batchSize = Math.min(Math.max(request.pageSize ?? MAX_BATCH_SIZE, MIN_BATCH_SIZE), MAX_BATCH_SIZE);
    const cursor = request.cursor === null ? null : parseCursor(request.cursor);
    const { body, bytesRead } = cursor ? await resume(cursor, request.window, batchSize) : await query(contactsQuery(request.window, null), batchSize);
    let nextCursor: string | null = null;
    if (!body.done) {
      const last = body.records.at(-1);
      if (!body.nextRecordsUrl || !last)
        throw new ConnectorError('malformed', 'Salesforce announced more records without a locator or a record to resume after');
      nextCursor = JSON.stringify({ next: body.nextRecordsUrl, after: { createdDate: last.CreatedDate, id: last.Id } } satisfies ContactsCursor);
    }
    return { records: body.records.map(salesforceContactRecord), nextCursor, bytesRead };
  }

  async function resume(cursor: ContactsCursor, window: DateWindow, batchSize: number) {
    try {
      return await http.send({ method: 'GET', path: cursor.next, headers }, contactsResultSchema);
    } catch (err) {
      if (!(err instanceof ConnectorError && err.details.platformCode === 'INVALID_QUERY_LOCATOR')) throw err;
      // The locator expired or was released: the same query, after the last contact read.
      return query(contactsQuery(window, cursor.after), batchSize);
    }
  }

  return {
    platform: 'salesforce',
    source: 'live',
    listStreams: () => ['contacts'],

    async testConnection() {
      // Reading one contact proves the session, the instance and read access to the fields a sync reads.
      const { latencyMs } = await query(`SELECT ${CONTACT_FIELDS} FROM Contact LIMIT 1`);
      return { ok: true, accountName: null, latencyMs, message: 'Salesforce contacts are readable' };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'contacts') return fetchContacts(request);
      throw new ConnectorError('malformed', `Salesforce has no ${request.stream} stream`);
    },
  };
}

/**
 * Contacts created within the window's days (UTC), ordered so a page can resume after its last record.
 * `after` resumes past (createdDate, id), its time cut to whole seconds as SOQL literals take them: any
 * contact of that same second is read again rather than skipped.
 */
function contactsQuery(window: DateWindow, after: ContactsCursor['after'] | null): string {
  const resumeAfter = after
    ? ` AND (CreatedDate > ${soqlDateTime(after.createdDate)} OR (CreatedDate = ${soqlDateTime(after.createdDate)} AND Id > '${after.id}'))`
    : '';
  return (
    `SELECT ${CONTACT_FIELDS} FROM Contact` +
    ` WHERE CreatedDate >= ${window.startDate}T00:00:00Z AND CreatedDate < ${addDays(window.endDate, 1)}T00:00:00Z${resumeAfter}` +
    ' ORDER BY CreatedDate, Id'
  );
}

function soqlDateTime(value: string): string {
  return new Date(utcMs(value)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A Salesforce dateTime (`…+0000`) as epoch milliseconds. */
function utcMs(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

function parseCursor(cursor: string): ContactsCursor {
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw new ConnectorError('malformed', 'Invalid Salesforce contacts cursor');
  return parsed.data;
}

function salesforceContactRecord(contact: SalesforceContact): MetricRecord {
  const { FirstName: first, LastName: last, Email: email, CreatedDate: created } = contact;
  const name = [first, last].filter(Boolean).join(' ');
  return contactRecord({ entityId: contact.Id, date: new Date(utcMs(created)).toISOString().slice(0, 10), entityName: name || email || null, raw: contact });
}

const errorsSchema = z.array(z.object({ message: z.string().optional(), errorCode: z.string() }).passthrough()).min(1);

/** Error codes whose kind the HTTP status does not say (a rate limit is a 403) or says too vaguely. */
const KIND_BY_ERROR_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  INVALID_SESSION_ID: 'auth',
  INVALID_AUTH_HEADER: 'auth',
  INSUFFICIENT_ACCESS: 'auth',
  API_DISABLED_FOR_ORG: 'auth',
  API_CURRENTLY_DISABLED: 'auth',
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  SERVER_UNAVAILABLE: 'transient',
};

/**
 * Salesforce's `[{message, errorCode}]`. REQUEST_LIMIT_EXCEEDED (403) gives no delay; `Retry-After`, should a
 * proxy add one, is honoured by the client, and otherwise the retry policy's backoff spaces the attempts.
 */
export function classifySalesforceError(failure: { body: unknown }): PlatformErrorDetails {
  const first = errorsSchema.safeParse(failure.body).data?.[0];
  if (!first) return {};
  return { kind: KIND_BY_ERROR_CODE[first.errorCode], message: first.message, platformCode: first.errorCode };
}
