import { z } from 'zod';
import { addDays, type DateWindow, type MetricRecord } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createJsonHttpClient, type JsonHttpClient, type PlatformErrorDetails } from '../http-client';
import {
  checkPerformanceColumns,
  PERFORMANCE_COLUMNS,
  PERFORMANCE_SELECT_LIST,
  type PerformanceRow,
  performanceRecord,
  performanceViewName,
  type RowPosition,
} from '../warehouse/performance-view';
import { formatStatementCursor, parseStatementCursor, type StatementCursor } from '../warehouse/statement-cursor';
import { DEFAULT_STATEMENT_WAIT_MS, waitForStatement } from '../warehouse/statement-wait';
import { keyPairJwtSigner } from './key-pair-jwt';

/**
 * Snowflake SQL API v2: the warehouse_rows stream reads the customer's daily performance view (the contract in
 * warehouse/performance-view.ts) for the sync window, one result partition per page.
 *
 * Credentials: `account` (account identifier, e.g. `myorg-myaccount` or `xy12345.us-east-2.aws`), `user`,
 * `private_key` (PEM) with optional `private_key_passphrase`, and optionally `warehouse` and `role` for the statement.
 * The API host is the account's: the default base URL names `{account}`, which becomes the account's host label;
 * a configured base URL (an emulator) is used as it is.
 */

export const SNOWFLAKE_DEFAULT_BASE_URL = 'https://{account}.snowflakecomputing.com';
/** The statement's own limit on the warehouse, in seconds; a daily view over a sync window reads in far less. */
const STATEMENT_TIMEOUT_SECONDS = 600;
/** Snowflake's code for a statement handle it no longer knows (results are kept a day). */
const STATEMENT_NOT_FOUND = '000709';
/** The code of a 202: the statement is still running. */
const STILL_RUNNING = '333334';

const statementHandle = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'Expected a statement handle');
/** jsonv2 renders every value as a string, or null. */
const rowsSchema = z.array(z.array(z.string().nullable()));
const resultSetSchema = z
  .object({
    statementHandle,
    resultSetMetaData: z
      .object({
        numRows: z.number().int().nonnegative(),
        format: z.literal('jsonv2'),
        rowType: z.array(z.object({ name: z.string(), type: z.string() }).passthrough()),
        partitionInfo: z.array(z.object({ rowCount: z.number().int().nonnegative() }).passthrough()),
      })
      .passthrough(),
    data: rowsSchema,
  })
  .passthrough();
/** Partitions after the first carry their rows only. */
const partitionSchema = z.object({ data: rowsSchema }).passthrough();
const queryStatusSchema = z.object({ code: z.literal(STILL_RUNNING), statementHandle, message: z.string().optional() }).passthrough();
const statementAnswerSchema = z.union([resultSetSchema, queryStatusSchema]);
type StatementAnswer = z.infer<typeof statementAnswerSchema>;
type ResultSet = z.infer<typeof resultSetSchema>;

export interface SnowflakeConnectorOptions {
  /** How long a page call polls a running statement before handing back a cursor that resumes the wait. */
  statementWaitMs?: number;
}

export function createSnowflakeConnector(config: ConnectorConfig, options: SnowflakeConnectorOptions = {}): Connector {
  const { account = '', user = '', private_key: privateKeyPem = '', private_key_passphrase: passphrase, warehouse, role } = config.credentials;
  const waitMs = options.statementWaitMs ?? DEFAULT_STATEMENT_WAIT_MS;
  const http = snowflakeClient(config, account);
  const jwt = keyPairJwtSigner({ account, user, privateKeyPem, passphrase });
  const headers = () => ({ authorization: `Bearer ${jwt()}`, 'x-snowflake-authorization-token-type': 'KEYPAIR_JWT', 'user-agent': 'LiftOSConnect/1.0' });

  const submit = (statement: string, bindings: Record<string, { type: string; value: string }>) =>
    http.send(
      {
        method: 'POST',
        path: '/api/v2/statements',
        // Asynchronous: a synchronous submission may hold the request up to 45 s, past the client's timeout and the
        // activity's heartbeat; the statement is polled instead, and a page call hands back a cursor if it runs long.
        query: { async: 'true' },
        headers: headers(),
        body: { statement, timeout: STATEMENT_TIMEOUT_SECONDS, bindings, ...(warehouse ? { warehouse } : {}), ...(role ? { role } : {}) },
      },
      statementAnswerSchema,
    );
  const status = (handle: string) => http.send({ method: 'GET', path: `/api/v2/statements/${handle}`, headers: headers() }, statementAnswerSchema);
  const partition = (handle: string, part: number) =>
    http.send({ method: 'GET', path: `/api/v2/statements/${handle}`, query: { partition: String(part) }, headers: headers() }, partitionSchema);
  const untilDone = async (first: { body: StatementAnswer; bytesRead: number }) =>
    waitForStatement(
      first,
      (answer) => !isResultSet(answer.body),
      () => status(first.body.statementHandle),
      waitMs,
    );

  /** Runs the window's query, after `after` when resuming, and waits for its first partition. */
  const run = (view: string, window: DateWindow, after: RowPosition | null) => submit(...windowQuery(view, window, after)).then(untilDone);

  async function fetchRows(request: FetchPageRequest): Promise<Page> {
    const view = performanceViewName(config.accountId, 'Snowflake');
    const cursor = request.cursor === null ? null : parseStatementCursor(request.cursor, request.window, 'Snowflake');
    const after = cursor?.after ?? null;

    let answer: { body: StatementAnswer; bytesRead: number } | null = null;
    if (cursor && cursor.part > 0) {
      const read = await partition(cursor.statement, cursor.part).catch(statementGone);
      if (read) return page(cursor.statement, cursor.part, cursor.parts!, read.body.data, after, read.bytesRead);
    } else if (cursor) {
      answer = await status(cursor.statement).then(untilDone).catch(statementGone);
    }
    // A first page, or a statement Snowflake no longer knows: the query runs (again) for the rows after the last written.
    answer ??= await run(view, request.window, after);
    const result = answer.body;
    if (!isResultSet(result)) {
      // Still running: the next page call resumes the wait on the same statement.
      return {
        records: [],
        nextCursor: formatStatementCursor({ statement: result.statementHandle, part: 0, parts: null, after }),
        bytesRead: answer.bytesRead,
      };
    }
    checkPerformanceColumns(
      result.resultSetMetaData.rowType.map((column) => column.name),
      'Snowflake',
    );
    return page(result.statementHandle, 0, result.resultSetMetaData.partitionInfo.length, result.data, after, answer.bytesRead);
  }

  return {
    platform: 'snowflake',
    source: 'live',
    listStreams: () => ['warehouse_rows'],

    async testConnection() {
      // Compiling the contract's select over the view proves the key, the user's access to it and its columns.
      const view = performanceViewName(config.accountId, 'Snowflake');
      const started = performance.now();
      const answer = await submit(`SELECT ${PERFORMANCE_SELECT_LIST} FROM ${view} LIMIT 0`, {}).then(untilDone);
      const latencyMs = Math.round(performance.now() - started);
      if (!isResultSet(answer.body))
        return { ok: false, accountName: null, latencyMs, message: `Snowflake is still running the test query on ${view}; try again shortly` };
      checkPerformanceColumns(
        answer.body.resultSetMetaData.rowType.map((column) => column.name),
        'Snowflake',
      );
      return { ok: true, accountName: null, latencyMs, message: `Snowflake view ${view} is readable` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'warehouse_rows') return fetchRows(request);
      throw new ConnectorError('malformed', `Snowflake has no ${request.stream} stream`);
    },
  };
}

function page(statement: string, part: number, parts: number, data: (string | null)[][], after: RowPosition | null, bytesRead: number): Page {
  const records = data.map(snowflakeRecord);
  const last = records.at(-1);
  const position = last ? { date: last.date, entityId: last.entityId } : after;
  const next: StatementCursor | null = part + 1 < parts ? { statement, part: part + 1, parts, after: position } : null;
  return { records, nextCursor: next && formatStatementCursor(next), bytesRead };
}

/**
 * The window's rows in key order; `after` resumes past a row. Dates travel as TEXT bindings converted with an
 * explicit format, so the session's DATE_INPUT_FORMAT cannot change their meaning.
 */
function windowQuery(view: string, window: DateWindow, after: RowPosition | null): [string, Record<string, { type: string; value: string }>] {
  const date = "TO_DATE(?, 'YYYY-MM-DD')";
  const values = [window.startDate, window.endDate, ...(after ? [after.date, after.date, after.entityId] : [])];
  const statement =
    `SELECT ${PERFORMANCE_SELECT_LIST} FROM ${view} WHERE DATE BETWEEN ${date} AND ${date}` +
    (after ? ` AND (DATE > ${date} OR (DATE = ${date} AND ENTITY_ID > ?))` : '') +
    ' ORDER BY DATE, ENTITY_ID';
  return [statement, Object.fromEntries(values.map((value, i) => [String(i + 1), { type: 'TEXT', value }]))];
}

function isResultSet(answer: StatementAnswer): answer is ResultSet {
  return 'resultSetMetaData' in answer;
}

/** Null when Snowflake no longer knows the statement (the caller runs the query again); any other failure as it was. */
function statementGone(err: unknown): null {
  if (err instanceof ConnectorError && (err.details.platformCode === STATEMENT_NOT_FOUND || err.details.status === 404)) return null;
  throw err;
}

/** jsonv2 renders a DATE as the number of days since 1970-01-01; a view may also serve it as ISO text. */
function snowflakeDate(value: string | null): string | null {
  if (value !== null && /^-?\d+$/.test(value)) return addDays('1970-01-01', Number(value));
  return value;
}

function snowflakeRecord(values: (string | null)[]): MetricRecord {
  if (values.length !== PERFORMANCE_COLUMNS.length)
    throw new ConnectorError('malformed', `Snowflake served a row of ${values.length} values instead of ${PERFORMANCE_COLUMNS.length}`);
  const raw = Object.fromEntries(PERFORMANCE_COLUMNS.map((column, i) => [column, values[i] ?? null])) as PerformanceRow;
  return performanceRecord({ ...raw, DATE: snowflakeDate(raw.DATE) }, raw, 'Snowflake');
}

/** The account's API host from the base URL template; an account identifier that is not one fails as `auth`. */
function snowflakeClient(config: ConnectorConfig, account: string): JsonHttpClient {
  const bare = account
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\.snowflakecomputing\.com\/?$/i, '');
  const valid = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/.test(bare);
  const http = createJsonHttpClient({
    platform: 'Snowflake',
    // Hosts take hyphens where account names have underscores.
    baseUrl: config.baseUrl.replace('{account}', bare.toLowerCase().replace(/_/g, '-')),
    timeoutMs: config.timeoutMs,
    network: config.network,
    secrets: Object.values(config.credentials),
    classifyError: classifySnowflakeError,
  });
  if (valid) return http;
  return {
    send: async () => {
      throw new ConnectorError('auth', 'Snowflake account is not an account identifier (e.g. myorg-myaccount); reconnect the account');
    },
  };
}

const errorSchema = z
  .object({ code: z.string().optional(), message: z.string().optional(), sqlState: z.string().optional(), statementHandle: z.string().optional() })
  .passthrough();

/** Codes whose kind the HTTP status does not say. */
const KIND_BY_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  /** JWT token is invalid. */
  '390144': 'auth',
  /** The user is locked or disabled, or the key does not match. */
  '390100': 'auth',
};

/**
 * Snowflake's `{code, message, sqlState, statementHandle}`. SQL errors (a missing view, a column of another name)
 * are 422 and stay `malformed`: retrying the same statement cannot help. A 429 carries its delay, when any, in
 * `Retry-After`, which the client reads; without one the retry policy's backoff spaces the attempts.
 */
export function classifySnowflakeError(failure: { status: number; body: unknown }): PlatformErrorDetails {
  const parsed = errorSchema.safeParse(failure.body).data;
  if (!parsed) return {};
  const details = [parsed.code && `code ${parsed.code}`, parsed.sqlState && `SQLSTATE ${parsed.sqlState}`].filter(Boolean).join(', ');
  return {
    kind: parsed.code ? KIND_BY_CODE[parsed.code] : undefined,
    message: parsed.message && (details ? `${parsed.message} (${details})` : parsed.message),
    platformCode: parsed.code,
  };
}
