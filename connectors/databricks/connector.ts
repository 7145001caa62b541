import { z } from 'zod';
import type { DateWindow } from '../../domain/sync';
import type { Connector, ConnectorConfig, FetchPageRequest, Page } from '../connector';
import { ConnectorError, type ConnectorErrorKind } from '../connector-error';
import { createCredentialHostClient } from '../credential-host-client';
import { credentialHostRule } from '../credential-hosts';
import type { PlatformErrorDetails } from '../http-client';
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

/**
 * Databricks SQL Statement Execution API 2.0: the warehouse_rows stream reads the customer's daily performance view
 * (the contract in warehouse/performance-view.ts) for the sync window on a SQL warehouse, INLINE results in
 * JSON_ARRAY format, one result chunk per page.
 *
 * Credentials: `host` (the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net; a bare host name
 * is taken as https), `token` (a personal access token) and `warehouse_id`.
 */

/** Only used when a connection has no `host`, which the API requires of live Databricks connections. */
export const DATABRICKS_DEFAULT_BASE_URL = 'https://accounts.cloud.databricks.com';
/** How long the execute call itself waits for the result (5–50 s); then the statement continues and is polled. */
const EXECUTE_WAIT_TIMEOUT = '10s';

const RUNNING_STATES = new Set(['PENDING', 'RUNNING']);
/** Failures of a statement that a later attempt can outlive. */
const TRANSIENT_STATEMENT_ERRORS = new Set([
  'INTERNAL_ERROR',
  'TEMPORARILY_UNAVAILABLE',
  'IO_ERROR',
  'SERVICE_UNDER_MAINTENANCE',
  'WORKSPACE_TEMPORARILY_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'ABORTED',
]);

const statementId = z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'Expected a statement id');
const resultDataSchema = z
  .object({
    chunk_index: z.number().int().nonnegative().optional(),
    row_count: z.number().int().nonnegative().optional(),
    // JSON_ARRAY renders every value as a string, or null; an empty result has no data_array.
    data_array: z.array(z.array(z.string().nullable())).optional(),
    next_chunk_index: z.number().int().positive().optional(),
    next_chunk_internal_link: z.string().optional(),
  })
  .passthrough();
type ResultData = z.infer<typeof resultDataSchema>;
const statementSchema = z
  .object({
    statement_id: statementId,
    status: z
      .object({
        state: z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED', 'CLOSED']),
        error: z.object({ error_code: z.string().optional(), message: z.string().optional() }).passthrough().optional(),
      })
      .passthrough(),
    manifest: z
      .object({
        format: z.literal('JSON_ARRAY'),
        schema: z.object({ columns: z.array(z.object({ name: z.string() }).passthrough()).optional() }).passthrough(),
        total_chunk_count: z.number().int().nonnegative(),
        total_row_count: z.number().int().nonnegative().optional(),
        truncated: z.boolean().optional(),
      })
      .passthrough()
      .optional(),
    result: resultDataSchema.optional(),
  })
  .passthrough();
type StatementResponse = z.infer<typeof statementSchema>;

interface Parameter {
  name: string;
  value: string;
  type: 'DATE' | 'STRING';
}

export interface DatabricksConnectorOptions {
  /** How long a page call polls a running statement before handing back a cursor that resumes the wait. */
  statementWaitMs?: number;
}

export function createDatabricksConnector(config: ConnectorConfig, options: DatabricksConnectorOptions = {}): Connector {
  // The workspace URL is the API host; a bare host name means https (the rule says so).
  const http = createCredentialHostClient(config, credentialHostRule('databricks', 'host'), {
    platform: 'Databricks',
    classifyError: classifyDatabricksError,
  });
  const headers = { authorization: `Bearer ${config.credentials.token ?? ''}` };
  const waitMs = options.statementWaitMs ?? DEFAULT_STATEMENT_WAIT_MS;

  const execute = (statement: string, parameters: Parameter[]) =>
    http.send(
      {
        method: 'POST',
        path: '/api/2.0/sql/statements',
        headers,
        body: {
          warehouse_id: config.credentials.warehouse_id ?? '',
          statement,
          parameters,
          wait_timeout: EXECUTE_WAIT_TIMEOUT,
          on_wait_timeout: 'CONTINUE',
          disposition: 'INLINE',
          format: 'JSON_ARRAY',
        },
      },
      statementSchema,
    );
  const status = (id: string) => http.send({ method: 'GET', path: `/api/2.0/sql/statements/${id}`, headers }, statementSchema);
  const chunk = (id: string, index: number) =>
    http.send({ method: 'GET', path: `/api/2.0/sql/statements/${id}/result/chunks/${index}`, headers }, resultDataSchema);
  const untilDone = (first: { body: StatementResponse; bytesRead: number }) =>
    waitForStatement(
      first,
      (answer) => RUNNING_STATES.has(answer.body.status.state),
      () => status(first.body.statement_id),
      waitMs,
    );
  const run = (view: string, window: DateWindow, after: RowPosition | null) => execute(...windowQuery(view, window, after)).then(untilDone);

  async function fetchRows(request: FetchPageRequest): Promise<Page> {
    const view = performanceViewName(config.accountId, 'Databricks');
    const cursor = request.cursor === null ? null : parseStatementCursor(request.cursor, request.window, 'Databricks');
    const after = cursor?.after ?? null;

    let answer: { body: StatementResponse; bytesRead: number } | null = null;
    if (cursor && cursor.part > 0) {
      const read = await chunk(cursor.statement, cursor.part).catch(statementGone);
      if (read) return page(cursor.statement, cursor.part, cursor.parts!, read.body, after, read.bytesRead);
    } else if (cursor) {
      answer = await status(cursor.statement).then(untilDone).catch(statementGone);
      // A closed statement's result is gone too.
      if (answer?.body.status.state === 'CLOSED') answer = null;
    }
    // A first page, or a statement Databricks no longer has: the query runs (again) for the rows after the last written.
    answer ??= await run(view, request.window, after);
    const statement = answer.body;
    if (RUNNING_STATES.has(statement.status.state)) {
      // Still running (a warehouse starting, say): the next page call resumes the wait on the same statement.
      return {
        records: [],
        nextCursor: formatStatementCursor({ statement: statement.statement_id, part: 0, parts: null, after }),
        bytesRead: answer.bytesRead,
      };
    }
    const manifest = succeeded(statement);
    return page(statement.statement_id, 0, manifest.total_chunk_count, statement.result ?? {}, after, answer.bytesRead);
  }

  return {
    platform: 'databricks',
    source: 'live',
    listStreams: () => ['warehouse_rows'],

    async testConnection() {
      // Compiling the contract's select over the view proves the token, the warehouse, the grants and the columns.
      const view = performanceViewName(config.accountId, 'Databricks');
      const started = performance.now();
      const answer = await execute(`SELECT ${PERFORMANCE_SELECT_LIST} FROM ${view} LIMIT 0`, []).then(untilDone);
      const latencyMs = Math.round(performance.now() - started);
      if (RUNNING_STATES.has(answer.body.status.state)) {
        return {
          ok: false,
          accountName: null,
          latencyMs,
          message: `The SQL warehouse has not finished the test query on ${view} yet (it may be starting); try again shortly`,
        };
      }
      succeeded(answer.body);
      return { ok: true, accountName: null, latencyMs, message: `Databricks view ${view} is readable` };
    },

    async fetchPage(request: FetchPageRequest): Promise<Page> {
      if (request.stream === 'warehouse_rows') return fetchRows(request);
      throw new ConnectorError('malformed', `Databricks has no ${request.stream} stream`);
    },
  };
}

/** The manifest of a statement that succeeded with the contract's columns; any other outcome as a ConnectorError. */
function succeeded(statement: StatementResponse): NonNullable<StatementResponse['manifest']> {
  const { state, error } = statement.status;
  if (state === 'FAILED') {
    const code = error?.error_code;
    const kind: ConnectorErrorKind = code && TRANSIENT_STATEMENT_ERRORS.has(code) ? 'transient' : code === 'RESOURCE_EXHAUSTED' ? 'rate_limited' : 'malformed';
    throw new ConnectorError(kind, `Databricks statement failed${error?.message ? `: ${error.message}` : ''}`, { platformCode: code });
  }
  // Cancelled by someone else or by the warehouse: running it again can succeed.
  if (state === 'CANCELED') throw new ConnectorError('transient', 'Databricks statement was cancelled');
  if (state !== 'SUCCEEDED' || !statement.manifest) throw new ConnectorError('malformed', `Databricks statement ended ${state} without a result manifest`);
  if (statement.manifest.truncated) throw new ConnectorError('malformed', 'Databricks truncated the result; the INLINE disposition holds at most 25 MiB');
  checkPerformanceColumns(statement.manifest.schema.columns?.map((column) => column.name) ?? [], 'Databricks');
  return statement.manifest;
}

function page(statement: string, part: number, parts: number, result: ResultData, after: RowPosition | null, bytesRead: number): Page {
  const records = (result.data_array ?? []).map(databricksRecord);
  const last = records.at(-1);
  const position = last ? { date: last.date, entityId: last.entityId } : after;
  const nextPart = result.next_chunk_index;
  if (nextPart !== undefined && (nextPart !== part + 1 || nextPart >= parts))
    throw new ConnectorError('malformed', `Databricks announced chunk ${nextPart} after chunk ${part} of ${parts}`);
  const next: StatementCursor | null = nextPart === undefined ? null : { statement, part: nextPart, parts, after: position };
  return { records, nextCursor: next && formatStatementCursor(next), bytesRead };
}

/** The window's rows in key order, dates as typed named parameters; `after` resumes past a row. */
function windowQuery(view: string, window: DateWindow, after: RowPosition | null): [string, Parameter[]] {
  const statement =
    `SELECT ${PERFORMANCE_SELECT_LIST} FROM ${view} WHERE DATE BETWEEN :start_date AND :end_date` +
    (after ? ' AND (DATE > :after_date OR (DATE = :after_date AND ENTITY_ID > :after_entity_id))' : '') +
    ' ORDER BY DATE, ENTITY_ID';
  const parameters: Parameter[] = [
    { name: 'start_date', value: window.startDate, type: 'DATE' },
    { name: 'end_date', value: window.endDate, type: 'DATE' },
    ...(after
      ? [
          { name: 'after_date', value: after.date, type: 'DATE' as const },
          { name: 'after_entity_id', value: after.entityId, type: 'STRING' as const },
        ]
      : []),
  ];
  return [statement, parameters];
}

/** Null when Databricks no longer has the statement (the caller runs the query again); any other failure as it was. */
function statementGone(err: unknown): null {
  const code = err instanceof ConnectorError ? err.details.platformCode : undefined;
  if (err instanceof ConnectorError && (err.details.status === 404 || code === 'NOT_FOUND' || code === 'RESOURCE_DOES_NOT_EXIST')) return null;
  throw err;
}

function databricksRecord(values: (string | null)[]) {
  if (values.length !== PERFORMANCE_COLUMNS.length)
    throw new ConnectorError('malformed', `Databricks served a row of ${values.length} values instead of ${PERFORMANCE_COLUMNS.length}`);
  const row = Object.fromEntries(PERFORMANCE_COLUMNS.map((column, i) => [column, values[i] ?? null])) as PerformanceRow;
  return performanceRecord(row, row, 'Databricks');
}

const errorSchema = z.object({ error_code: z.string().optional(), message: z.string().optional() }).passthrough();

/** Error codes whose kind the HTTP status does not say. */
const KIND_BY_ERROR_CODE: Readonly<Record<string, ConnectorErrorKind>> = {
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  REQUEST_LIMIT_EXCEEDED: 'rate_limited',
  RESOURCE_EXHAUSTED: 'rate_limited',
  TEMPORARILY_UNAVAILABLE: 'transient',
};

/** Databricks' `{error_code, message}`; a 429's delay comes in `Retry-After`, which the client reads. */
export function classifyDatabricksError(failure: { body: unknown }): PlatformErrorDetails {
  const parsed = errorSchema.safeParse(failure.body).data;
  if (!parsed) return {};
  return { kind: parsed.error_code ? KIND_BY_ERROR_CODE[parsed.error_code] : undefined, message: parsed.message, platformCode: parsed.error_code };
}
