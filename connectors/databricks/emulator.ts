import { randomBytes } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { emulatedViewRows, isServedView } from '../warehouse/emulated-view';
import { DEFAULT_PERFORMANCE_VIEW, PERFORMANCE_COLUMNS, type PerformanceColumn, type PerformanceRow } from '../warehouse/performance-view';

/**
 * Databricks SQL Statement Execution API 2.0 on one SQL warehouse, serving the customer's performance view
 * (warehouse/emulated-view.ts): personal access tokens, the two statements LiftOS runs (the window's rows with typed
 * named parameters, and the LIMIT 0 probe) and nothing else, INLINE JSON_ARRAY results in chunks, statements PENDING
 * then RUNNING for `runningPolls` status polls, SQL errors as FAILED statements, HTTP errors as `{error_code, message}`
 * and 429 with Retry-After.
 */

/** Rows per result chunk unless the emulator's page size says otherwise. */
const DEFAULT_CHUNK_ROWS = 1_000;

export const databricksEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: DEFAULT_PERFORMANCE_VIEW,
  // `host` is the emulator's own URL, known once it listens; a connector without one uses its base URL.
  defaultCredentials: { token: 'dapi0123456789abcdef0123456789abcdef', warehouse_id: '1a2b3c4d5e6f7a8b' },
  create: createDatabricksEmulator,
};

const SELECT_LIST = PERFORMANCE_COLUMNS.join(',\\s*');
const PROBE = new RegExp(`^SELECT ${SELECT_LIST} FROM ([A-Za-z0-9_.]+) LIMIT 0$`, 'i');
const WINDOW_QUERY = new RegExp(
  `^SELECT ${SELECT_LIST} FROM ([A-Za-z0-9_.]+) WHERE DATE BETWEEN :start_date AND :end_date` +
    '( AND \\(DATE > :after_date OR \\(DATE = :after_date AND ENTITY_ID > :after_entity_id\\)\\))? ORDER BY DATE, ENTITY_ID$',
  'i',
);

const COLUMNS = PERFORMANCE_COLUMNS.map((name, position) => ({
  name,
  position,
  type_name: typeName(name),
  type_text: typeName(name) === 'DECIMAL' ? 'DECIMAL(38,2)' : typeName(name),
}));

interface Statement {
  id: string;
  rows: PerformanceRow[];
  /** Status polls still to answer PENDING or RUNNING. */
  pollsLeft: number;
}

interface Parameter {
  name: string;
  value: string;
  type: string;
}

function createDatabricksEmulator(context: EmulatorContext): PlatformEmulator {
  // Statement ids differ between emulator instances, as between workspaces.
  const instance = randomBytes(2).toString('hex');
  let statementCount = 0;
  const statements = new Map<string, Statement>();

  const apiError = (c: Context, status: ContentfulStatusCode, error_code: string, message: string, headers: Record<string, string> = {}) =>
    c.json({ error_code, message }, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return apiError(c, status, 'UNAUTHENTICATED', 'Invalid access token.');
      case 'rate_limited':
        return apiError(c, 429, 'REQUEST_LIMIT_EXCEEDED', 'The workspace has exceeded the request rate limit.', {
          'retry-after': String(context.retryAfterSeconds()),
        });
      case 'server_error':
        return status === 503
          ? apiError(c, status, 'TEMPORARILY_UNAVAILABLE', 'The service is temporarily unavailable.')
          : apiError(c, status, 'INTERNAL_ERROR', 'Internal error.');
    }
  }

  const size = () => context.pageSize ?? DEFAULT_CHUNK_ROWS;
  const chunkCount = (statement: Statement) => Math.ceil(statement.rows.length / size());
  function chunk(statement: Statement, index: number) {
    const rows = statement.rows.slice(index * size(), (index + 1) * size());
    const more = index + 1 < chunkCount(statement);
    return {
      chunk_index: index,
      row_offset: index * size(),
      row_count: rows.length,
      data_array: rows.map((row) => PERFORMANCE_COLUMNS.map((column) => row[column])),
      ...(more ? { next_chunk_index: index + 1, next_chunk_internal_link: `/api/2.0/sql/statements/${statement.id}/result/chunks/${index + 1}` } : {}),
    };
  }
  /** A statement still running is PENDING when submitted (waiting for the warehouse), RUNNING when polled. */
  function statementResponse(c: Context, statement: Statement, runningState: 'PENDING' | 'RUNNING'): Response {
    if (statement.pollsLeft > 0) return c.json({ statement_id: statement.id, status: { state: runningState } });
    const count = chunkCount(statement);
    return c.json({
      statement_id: statement.id,
      status: { state: 'SUCCEEDED' },
      manifest: {
        format: 'JSON_ARRAY',
        schema: { column_count: COLUMNS.length, columns: COLUMNS },
        total_chunk_count: count,
        total_row_count: statement.rows.length,
        chunks: Array.from({ length: count }, (_, index) => ({
          chunk_index: index,
          row_offset: index * size(),
          row_count: Math.min(size(), statement.rows.length - index * size()),
        })),
        truncated: false,
      },
      result: count > 0 ? chunk(statement, 0) : {},
    });
  }
  const failedStatement = (c: Context, message: string, sqlState: string) =>
    c.json({ statement_id: nextId(), status: { state: 'FAILED', error: { error_code: 'BAD_REQUEST', message }, sql_state: sqlState } });
  const nextId = () => `01ef${instance}-${(++statementCount).toString(16).padStart(4, '0')}-1c2d-8e9f-${String(statementCount).padStart(12, '0')}`;

  const app = new Hono();
  app.use('/api/2.0/*', async (c, next) => {
    if (c.req.header('authorization') !== `Bearer ${context.credentials.token}`) return failure(c, 'auth', 401);
    await next();
  });

  app.post('/api/2.0/sql/statements', async (c) => {
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body.statement !== 'string') return apiError(c, 400, 'INVALID_PARAMETER_VALUE', 'statement is required');
    if (body.warehouse_id !== context.credentials.warehouse_id)
      return apiError(c, 404, 'RESOURCE_DOES_NOT_EXIST', `Warehouse ${String(body.warehouse_id)} does not exist.`);
    if ((body.disposition ?? 'INLINE') !== 'INLINE' || (body.format ?? 'JSON_ARRAY') !== 'JSON_ARRAY')
      return apiError(c, 400, 'INVALID_PARAMETER_VALUE', 'This emulator serves INLINE JSON_ARRAY results only.');
    const wait = /^(\d+)s$/.exec(String(body.wait_timeout ?? '10s'));
    if (!wait || (Number(wait[1]) !== 0 && (Number(wait[1]) < 5 || Number(wait[1]) > 50)))
      return apiError(c, 400, 'INVALID_PARAMETER_VALUE', 'wait_timeout must be 0s or between 5s and 50s.');

    const sql = body.statement.replace(/\s+/g, ' ').trim();
    const probe = PROBE.exec(sql);
    const query = probe ? null : WINDOW_QUERY.exec(sql);
    if (!probe && !query) return failedStatement(c, '[PARSE_SYNTAX_ERROR] This emulator runs only the LiftOS performance view queries.', '42601');
    const view = (probe ?? query)![1]!;
    if (!isServedView(context.account(), view)) return failedStatement(c, `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${view}\` cannot be found.`, '42P01');

    const names = [...new Set(sql.match(/:[a-z_]+/g)?.map((marker) => marker.slice(1)) ?? [])];
    const parameters = parseParameters(body.parameters, names);
    if (typeof parameters === 'string') return failedStatement(c, parameters, '42P02');
    const rows = query
      ? emulatedViewRows(
          context.account(),
          { startDate: parameters.start_date!, endDate: parameters.end_date! },
          query[2] ? { date: parameters.after_date!, entityId: parameters.after_entity_id! } : null,
        )
      : [];
    const statement: Statement = { id: nextId(), rows, pollsLeft: context.statementPolls() };
    statements.set(statement.id, statement);
    return statementResponse(c, statement, 'PENDING');
  });

  app.get('/api/2.0/sql/statements/:id', (c) => {
    const statement = statements.get(c.req.param('id'));
    if (!statement) return apiError(c, 404, 'NOT_FOUND', `The statement ${c.req.param('id')} was not found.`);
    const response = statementResponse(c, statement, 'RUNNING');
    if (statement.pollsLeft > 0) statement.pollsLeft--;
    return response;
  });

  app.get('/api/2.0/sql/statements/:id/result/chunks/:index', (c) => {
    const statement = statements.get(c.req.param('id'));
    if (!statement) return apiError(c, 404, 'NOT_FOUND', `The statement ${c.req.param('id')} was not found.`);
    if (statement.pollsLeft > 0) return apiError(c, 400, 'INVALID_PARAMETER_VALUE', 'The statement has not succeeded yet.');
    const index = Number(c.req.param('index'));
    if (!Number.isInteger(index) || index < 0 || index >= chunkCount(statement))
      return apiError(c, 400, 'INVALID_PARAMETER_VALUE', `Chunk index ${c.req.param('index')} is out of range.`);
    return c.json(chunk(statement, index));
  });

  return { app, failure };
}

/**
 * The named parameters by name: exactly the statement's markers, each once, dates typed DATE and the entity id
 * STRING. A message (Databricks' error class) when they do not fit.
 */
function parseParameters(given: unknown, names: readonly string[]): Record<string, string> | string {
  const list = (Array.isArray(given) ? given : []) as Partial<Parameter>[];
  const byName: Record<string, string> = {};
  for (const parameter of list) {
    if (typeof parameter?.name !== 'string' || typeof parameter.value !== 'string' || !names.includes(parameter.name))
      return `[UNBOUND_SQL_PARAMETER] Parameter ${String(parameter?.name)} is not a marker of the statement.`;
    const expected = parameter.name === 'after_entity_id' ? 'STRING' : 'DATE';
    if (parameter.type !== expected) return `[INVALID_PARAMETER_MARKER_VALUE] Parameter ${parameter.name} must be typed ${expected}.`;
    if (expected === 'DATE' && !isIsoDate(parameter.value))
      return `[CAST_INVALID_INPUT] The value '${parameter.value}' of parameter ${parameter.name} cannot be cast to DATE.`;
    byName[parameter.name] = parameter.value;
  }
  const missing = names.find((name) => byName[name] === undefined);
  return missing ? `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${missing}.` : byName;
}

function typeName(column: PerformanceColumn): string {
  if (column === 'DATE') return 'DATE';
  if (column === 'SPEND' || column === 'REVENUE') return 'DECIMAL';
  if (column === 'IMPRESSIONS' || column === 'CLICKS' || column === 'CONVERSIONS') return 'LONG';
  return 'STRING';
}

function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}
