import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Credentials } from '../connector';
import type { EmulatedFailure, EmulatorContext, PlatformEmulator, PlatformEmulatorDefinition } from '../platform-emulator';
import { emulatedViewRows, isServedView } from '../warehouse/emulated-view';
import { DEFAULT_PERFORMANCE_VIEW, PERFORMANCE_COLUMNS, type PerformanceColumn, type PerformanceRow } from '../warehouse/performance-view';

/**
 * Snowflake SQL API v2 serving the customer's performance view (warehouse/emulated-view.ts): key-pair JWTs checked
 * with real RS256 against the user's public key and its fingerprint, the two statements LiftOS runs (the window's
 * rows with TEXT bindings, and the LIMIT 0 probe) and nothing else, results in jsonv2 partitions (DATE as days since
 * the epoch, numbers as text), submissions answered 202 + QueryStatus when `async=true` or while a statement keeps
 * running (`runningPolls` status polls), and
 * Snowflake's error bodies `{code, message, sqlState, statementHandle}`.
 */

/** Rows per result partition unless the emulator's page size says otherwise. */
const DEFAULT_PARTITION_ROWS = 1_000;
const MAX_JWT_LIFETIME_SECONDS = 3_600;
const CLOCK_SKEW_SECONDS = 60;

let defaultCredentials: Credentials | undefined;

export const snowflakeEmulator: PlatformEmulatorDefinition = {
  defaultAccountId: DEFAULT_PERFORMANCE_VIEW,
  /** A key pair made on first use: no private key lives in the repository. */
  get defaultCredentials(): Credentials {
    defaultCredentials ??= { account: 'liftos-emulator', user: 'LIFTOS_SYNC', private_key: generateSnowflakeKeyPair().privateKey };
    return defaultCredentials;
  },
  create: createSnowflakeEmulator,
};

/** An RSA key pair as Snowflake users register them: PKCS#8 private key, SPKI public key, both PEM. */
export function generateSnowflakeKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

const DATE_ARG = "TO_DATE\\(\\?, 'YYYY-MM-DD'\\)";
const SELECT_LIST = PERFORMANCE_COLUMNS.join(',\\s*');
const PROBE = new RegExp(`^SELECT ${SELECT_LIST} FROM ([A-Za-z0-9_.]+) LIMIT 0$`, 'i');
const WINDOW_QUERY = new RegExp(
  `^SELECT ${SELECT_LIST} FROM ([A-Za-z0-9_.]+) WHERE DATE BETWEEN ${DATE_ARG} AND ${DATE_ARG}` +
    `( AND \\(DATE > ${DATE_ARG} OR \\(DATE = ${DATE_ARG} AND ENTITY_ID > \\?\\)\\))? ORDER BY DATE, ENTITY_ID$`,
  'i',
);

const ROW_TYPE: readonly Record<string, unknown>[] = PERFORMANCE_COLUMNS.map((name) => ({
  name,
  ...columnType(name),
  nullable: name !== 'DATE' && name !== 'ENTITY_ID',
}));

interface Statement {
  handle: string;
  rows: (string | null)[][];
  /** Status polls still to answer "running". */
  pollsLeft: number;
}

function createSnowflakeEmulator(context: EmulatorContext): PlatformEmulator {
  const user = {
    account: (context.credentials.account ?? '').split('.')[0]!.toUpperCase(),
    name: (context.credentials.user ?? '').toUpperCase(),
    key: publicKeyOf(context.credentials),
  };
  const fingerprint = `SHA256:${createHash('sha256')
    .update(user.key.export({ type: 'spki', format: 'der' }))
    .digest('base64')}`;
  // Handles differ between emulator instances, as between Snowflake accounts.
  const instance = randomBytes(2).toString('hex');
  let statementCount = 0;
  const statements = new Map<string, Statement>();

  const sfError = (
    c: Context,
    status: ContentfulStatusCode,
    body: { code?: string; message: string; sqlState?: string; statementHandle?: string },
    headers: Record<string, string> = {},
  ) => c.json(body, status, headers);

  function failure(c: Context, kind: EmulatedFailure, status: ContentfulStatusCode): Response {
    switch (kind) {
      case 'auth':
        return sfError(c, status, { code: '390144', message: 'JWT token is invalid.' });
      case 'rate_limited':
        return sfError(c, 429, { message: 'Too many requests.' }, { 'retry-after': String(context.retryAfterSeconds()) });
      case 'server_error':
        return status === 503
          ? sfError(c, status, { message: 'Service Unavailable' })
          : sfError(c, status, {
              code: '000603',
              message: 'SQL execution internal error: Processing aborted due to error 300002:1234567890; incident 1234567.',
              sqlState: 'XX000',
            });
    }
  }
  const compilationError = (c: Context, code: string, sqlState: string, message: string) =>
    sfError(c, 422, { code, message: `SQL compilation error:\n${message}`, sqlState });

  /** Why a request's JWT is refused, or null when it is good. */
  function jwtProblem(authorization: string | undefined, tokenType: string | undefined): string | null {
    if (tokenType?.toUpperCase() !== 'KEYPAIR_JWT') return 'token type';
    const [header, payload, signature, ...extra] = (authorization?.replace(/^Bearer /, '') ?? '').split('.');
    if (!header || !payload || !signature || extra.length > 0) return 'token shape';
    const claims = decodeJson(payload);
    if (decodeJson(header)?.alg !== 'RS256' || !claims) return 'token header';
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), user.key, Buffer.from(signature, 'base64url'))) return 'signature';
    const qualified = `${user.account}.${user.name}`;
    if (claims.sub !== qualified || claims.iss !== `${qualified}.${fingerprint}`) return 'issuer';
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp } = claims;
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= now || iat > now + CLOCK_SKEW_SECONDS || exp - iat > MAX_JWT_LIFETIME_SECONDS)
      return 'lifetime';
    return null;
  }

  function resultSet(c: Context, statement: Statement): Response {
    const size = context.pageSize ?? DEFAULT_PARTITION_ROWS;
    const partitions = Array.from({ length: Math.ceil(statement.rows.length / size) }, (_, i) => statement.rows.slice(i * size, (i + 1) * size));
    return c.json({
      resultSetMetaData: {
        numRows: statement.rows.length,
        format: 'jsonv2',
        partitionInfo: partitions.map((rows) => ({ rowCount: rows.length, uncompressedSize: JSON.stringify(rows).length })),
        rowType: ROW_TYPE,
      },
      data: partitions[0] ?? [],
      code: '090001',
      statementStatusUrl: `/api/v2/statements/${statement.handle}`,
      sqlState: '00000',
      statementHandle: statement.handle,
      message: 'Statement executed successfully.',
      createdOn: Date.now(),
    });
  }

  const running = (c: Context, statement: Statement) =>
    c.json(
      {
        code: '333334',
        message: 'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.',
        statementHandle: statement.handle,
        statementStatusUrl: `/api/v2/statements/${statement.handle}`,
      },
      202,
    );

  const app = new Hono();
  app.use('/api/v2/*', async (c, next) => {
    if (jwtProblem(c.req.header('authorization'), c.req.header('x-snowflake-authorization-token-type'))) return failure(c, 'auth', 401);
    await next();
  });

  app.post('/api/v2/statements', async (c) => {
    const body = (await c.req.json().catch(() => null)) as { statement?: unknown; bindings?: unknown } | null;
    if (typeof body?.statement !== 'string') return sfError(c, 400, { code: '390142', message: 'Incoming request does not contain a valid payload.' });
    const sql = body.statement.replace(/\s+/g, ' ').trim();
    const probe = PROBE.exec(sql);
    const query = probe ? null : WINDOW_QUERY.exec(sql);
    if (!probe && !query) return compilationError(c, '001003', '42000', 'syntax error: this emulator runs only the LiftOS performance view queries.');
    const view = (probe ?? query)![1]!;
    if (!isServedView(context.account(), view))
      return compilationError(c, '002003', '42S02', `Object '${view.toUpperCase()}' does not exist or not authorized.`);

    const values = bindingValues(body.bindings, (sql.match(/\?/g) ?? []).length);
    if (typeof values === 'string') return compilationError(c, '002049', '42601', values);
    let rows: PerformanceRow[] = [];
    if (query) {
      const [startDate, endDate, afterDate, afterDateAgain, afterEntity] = values;
      const dates = [startDate, endDate, ...(query[2] ? [afterDate, afterDateAgain] : [])];
      if (!dates.every(isIsoDate) || (query[2] && afterDate !== afterDateAgain))
        return sfError(c, 422, { code: '100040', message: "Date '…' is not recognized", sqlState: '22007' });
      rows = emulatedViewRows(context.account(), { startDate: startDate!, endDate: endDate! }, query[2] ? { date: afterDate!, entityId: afterEntity! } : null);
    }
    const handle = `01b${instance}${(++statementCount).toString(16).padStart(3, '0')}-0000-4a2d-0000-${String(statementCount).padStart(12, '0')}`;
    const statement: Statement = { handle, rows: rows.map(jsonv2Row), pollsLeft: context.statementPolls() };
    statements.set(handle, statement);
    // An asynchronous submission answers with the handle whatever the statement's progress.
    return statement.pollsLeft > 0 || c.req.query('async') === 'true' ? running(c, statement) : resultSet(c, statement);
  });

  app.get('/api/v2/statements/:handle', (c) => {
    const statement = statements.get(c.req.param('handle'));
    if (!statement)
      return sfError(c, 422, {
        code: '000709',
        message: `Statement ${c.req.param('handle')} not found`,
        sqlState: '02000',
        statementHandle: c.req.param('handle'),
      });
    if (statement.pollsLeft > 0) {
      statement.pollsLeft--;
      return running(c, statement);
    }
    const asked = c.req.query('partition');
    const part = asked === undefined ? 0 : Number(asked);
    const size = context.pageSize ?? DEFAULT_PARTITION_ROWS;
    if (!Number.isInteger(part) || part < 0 || (part > 0 && part * size >= statement.rows.length)) {
      return sfError(c, 422, { code: '000711', message: `Invalid partition ${asked}`, sqlState: '22023', statementHandle: statement.handle });
    }
    // Later partitions carry their rows only; the metadata came with the first.
    return part === 0 ? resultSet(c, statement) : c.json({ data: statement.rows.slice(part * size, (part + 1) * size) });
  });

  return { app, failure };
}

/** The user's public key: the registered one when the credentials give it, else the private key's. */
function publicKeyOf(credentials: Credentials): KeyObject {
  if (credentials.public_key) return createPublicKey(credentials.public_key);
  return createPublicKey(createPrivateKey({ key: credentials.private_key ?? '', passphrase: credentials.private_key_passphrase }));
}

/** The bindings' values in order "1".."count", all TEXT; a message when they do not fit the statement's markers. */
function bindingValues(bindings: unknown, count: number): string[] | string {
  const given = (bindings ?? {}) as Record<string, { type?: unknown; value?: unknown }>;
  if (typeof given !== 'object' || Object.keys(given).length !== count)
    return `Bind variable count ${Object.keys(given ?? {}).length} does not match the ${count} markers of the statement.`;
  const values: string[] = [];
  for (let i = 1; i <= count; i++) {
    const binding = given[String(i)];
    if (binding?.type !== 'TEXT' || typeof binding.value !== 'string') return `Bind variable ${i} is not set as TEXT.`;
    values.push(binding.value);
  }
  return values;
}

function jsonv2Row(row: PerformanceRow): (string | null)[] {
  return PERFORMANCE_COLUMNS.map((column) => (column === 'DATE' ? String(Date.parse(`${row.DATE}T00:00:00Z`) / 86_400_000) : row[column]));
}

function columnType(name: PerformanceColumn): Record<string, unknown> {
  if (name === 'DATE') return { type: 'date' };
  if (name === 'SPEND' || name === 'REVENUE') return { type: 'fixed', precision: 38, scale: 2 };
  if (name === 'IMPRESSIONS' || name === 'CLICKS' || name === 'CONVERSIONS') return { type: 'fixed', precision: 38, scale: 0 };
  return { type: 'text', length: 16_777_216 };
}

function isIsoDate(value: string | undefined): boolean {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString());
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
