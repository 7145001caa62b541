import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { type AccountShape, contactRow } from '../mock/generator';
import { matchesSoql, parseSoql, type SObjectDescription, SoqlError, type SoqlQuery, type SoqlValue } from './soql';

/**
 * Salesforce's REST query resource for Contacts: SOQL in, batches of records out, the rest behind a
 * query locator (`nextRecordsUrl`). Locators behave like Salesforce's server-side cursors: a user keeps
 * at most ten open and opening another releases the oldest (INVALID_QUERY_LOCATOR afterwards). Errors are
 * Salesforce's arrays of `{message, errorCode}`; an exhausted API limit is a 403 REQUEST_LIMIT_EXCEEDED,
 * which carries no delay.
 */

const DEFAULT_BATCH_SIZE = 2_000;
const MIN_BATCH_SIZE = 200;
const MAX_OPEN_CURSORS = 10;
/** The org's daily API request allocation, reported in `Sforce-Limit-Info`. */
const DAILY_API_REQUESTS = 15_000;

export const salesforceEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: '00D5g000004EmUL',
  defaultCredentials: { access_token: '00D5g000004EmUL!emulator.salesforce.session' },
  create: createSalesforceEmulator,
};

/** Salesforce's 18-character Id of generator contact `index`: key prefix 003, in creation order. */
export function salesforceContactId(index: number): string {
  return withChecksum(`0035g${String(index + 1).padStart(10, '0')}`);
}

const CONTACT: SObjectDescription = {
  name: 'Contact',
  fields: {
    Id: 'id',
    Email: 'string',
    FirstName: 'string',
    LastName: 'string',
    Name: 'string',
    MailingCity: 'string',
    MailingCountry: 'string',
    CreatedDate: 'dateTime',
  },
};

interface ContactRecord {
  id: string;
  createdMs: number;
  fields: Record<string, string>;
}

interface Cursor {
  records: ContactRecord[];
  fields: string[];
  batchSize: number;
}

function createSalesforceEmulator(context: EmulatorContext): PlatformEmulator {
  let apiRequests = 0;
  let cursorIds = 0;
  /** Open query cursors by locator id, oldest first. */
  const cursors = new Map<string, Cursor>();

  const limitInfo = (used = apiRequests) => ({ 'sforce-limit-info': `api-usage=${used}/${DAILY_API_REQUESTS}` });
  const apiError = (c: Context, status: ContentfulStatusCode, errorCode: string, message: string, headers: Record<string, string> = {}) =>
    c.json([{ message, errorCode }], status, { ...limitInfo(), ...headers });

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return apiError(c, status, 'INVALID_SESSION_ID', 'Session expired or invalid');
      case 'rate_limited':
        // Salesforce answers an exhausted allocation with 403, whatever status a test asked for, and no delay.
        return apiError(c, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', limitInfo(DAILY_API_REQUESTS));
      case 'server_error':
        return status === 503
          ? apiError(c, status, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable.')
          : apiError(
              c,
              status,
              'UNKNOWN_EXCEPTION',
              `An unexpected error occurred. Please include this ErrorId if you contact support: ${apiRequests}-${status} (-1)`,
            );
    }
  }

  /** The batch from `offset`, with the locator of the rest while any remain. */
  function batch(c: Context, locator: string, cursor: Cursor, offset: number): Response {
    const end = Math.min(cursor.records.length, offset + cursor.batchSize);
    const done = end >= cursor.records.length;
    return c.json(
      {
        totalSize: cursor.records.length,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/${c.req.param('version')}/query/${locator}-${end}` }),
        records: cursor.records.slice(offset, end).map((record) => ({
          attributes: { type: 'Contact', url: `/services/data/${c.req.param('version')}/sobjects/Contact/${record.id}` },
          ...Object.fromEntries(cursor.fields.map((field) => [field, record.fields[field] ?? null])),
        })),
      },
      200,
      limitInfo(),
    );
  }

  const app = new Hono();
  app.use('/services/data/:version/*', async (c, next) => {
    apiRequests++;
    const token = c.req.header('authorization')?.replace(/^(Bearer|OAuth)\s+/, '');
    if (token !== context.credentials.access_token) return failure(c, 'auth', 401);
    await next();
  });

  app.get('/services/data/:version/query', (c) => {
    const soql = c.req.query('q');
    if (!soql) return apiError(c, 400, 'MALFORMED_QUERY', 'A query string must be provided.');
    let query: SoqlQuery;
    try {
      query = parseSoql(soql, CONTACT);
    } catch (err) {
      if (err instanceof SoqlError) return apiError(c, 400, err.errorCode, err.message);
      throw err;
    }

    const records = accountContacts(context.account(), context.asOf).filter(
      (record) => !query.where || matchesSoql(query.where, (field) => valueOf(record, field)),
    );
    records.sort((a, b) => {
      for (const { field, descending } of query.orderBy) {
        const [x, y] = [valueOf(a, field), valueOf(b, field)];
        if (x !== y) return (descending ? -1 : 1) * ((x ?? '') < (y ?? '') ? -1 : 1);
      }
      return 0;
    });
    const cursor = {
      records: query.limit === null ? records : records.slice(0, query.limit),
      fields: query.fields,
      batchSize: batchSizeOf(c.req.header('sforce-query-options'), context.pageSize),
    };
    const locator = withChecksum(`01g5g${String(++cursorIds).padStart(10, '0')}`);
    if (cursor.records.length > cursor.batchSize) {
      cursors.set(locator, cursor);
      // The eleventh open cursor releases the oldest.
      if (cursors.size > MAX_OPEN_CURSORS) cursors.delete(cursors.keys().next().value!);
    }
    return batch(c, locator, cursor, 0);
  });

  app.get('/services/data/:version/query/:locator', (c) => {
    const [, locator, offset] = /^([A-Za-z0-9]{18})-(\d+)$/.exec(c.req.param('locator')) ?? [];
    const cursor = locator ? cursors.get(locator) : undefined;
    if (!cursor || Number(offset) > cursor.records.length) return apiError(c, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return batch(c, locator!, cursor, Number(offset));
  });

  return { app, failure };
}

function accountContacts(account: AccountShape, asOf: string): ContactRecord[] {
  return Array.from({ length: account.contacts }, (_, index) => {
    const contact = contactRow(account, asOf, index);
    const id = salesforceContactId(index);
    const createdDate = `${contact.createdDate}T00:00:00.000+0000`;
    return {
      id,
      createdMs: Date.parse(`${contact.createdDate}T00:00:00Z`),
      fields: {
        Id: id,
        Email: contact.email,
        FirstName: contact.firstName,
        LastName: contact.lastName,
        Name: `${contact.firstName} ${contact.lastName}`,
        MailingCity: contact.city,
        MailingCountry: contact.country,
        CreatedDate: createdDate,
      },
    };
  });
}

function valueOf(record: ContactRecord, field: string): SoqlValue | null {
  return field === 'CreatedDate' ? record.createdMs : (record.fields[field] ?? null);
}

/** `Sforce-Query-Options: batchSize=n`: Salesforce honours 200 to 2,000, 2,000 by default; `cap` is the emulator's own. */
function batchSizeOf(header: string | undefined, cap: number | undefined): number {
  const asked = Number(/batchSize=(\d+)/i.exec(header ?? '')?.[1] ?? DEFAULT_BATCH_SIZE);
  return Math.min(Math.max(MIN_BATCH_SIZE, Math.min(asked, DEFAULT_BATCH_SIZE)), cap ?? DEFAULT_BATCH_SIZE);
}

/** Appends the case-safe suffix Salesforce gives a 15-character Id: one letter per five characters, a bit per capital. */
function withChecksum(id15: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i]!)) bits |= 1 << i;
    suffix += alphabet[bits];
  }
  return id15 + suffix;
}
