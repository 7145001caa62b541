import { createPublicKey, verify } from 'node:crypto';
import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import type { AccountShape } from '../../../connectors/mock/generator';
import { createSnowflakeConnector } from '../../../connectors/snowflake/connector';
import { generateSnowflakeKeyPair } from '../../../connectors/snowflake/emulator';
import { publicKeyFingerprint, readPrivateKey, signKeyPairJwt } from '../../../connectors/snowflake/key-pair-jwt';
import { addDays, type DateWindow, type MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';
import { expectedWarehouseRecords } from '../../setup/warehouse-rows';

const keys = generateSnowflakeKeyPair();
const credentials = { account: 'myorg-liftos_test', user: 'liftos_sync', private_key: keys.privateKey, warehouse: 'REPORTING_WH' };
const view = 'ANALYTICS.MARKETING.LIFTOS_DAILY_PERFORMANCE';
const window = { startDate: '2026-01-01', endDate: '2026-01-31' };
const PARTITION_ROWS = 100;
const rows: FetchPageRequest = { stream: 'warehouse_rows', cursor: null, window };
let emulator: RunningEmulator;

function connect(overrides: Partial<ConnectorConfig> = {}, statementWaitMs?: number): Connector {
  return createSnowflakeConnector(
    { baseUrl: emulator.url, credentials, accountId: view, timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides },
    { statementWaitMs },
  );
}

const secrets = [keys.privateKey];
const failureOf = (work: Promise<unknown>) => connectorFailure(work, secrets);

/** The rows as Snowflake's jsonv2 renders them: DATE as days since the epoch, numbers as text. */
const expectedRecords = (shape: AccountShape, within: DateWindow): MetricRecord[] =>
  expectedWarehouseRecords(shape, within, (date) => String(Date.parse(`${date}T00:00:00Z`) / 86_400_000));

beforeAll(async () => {
  emulator = await startEmulator('snowflake', {
    shape: { accountId: view },
    credentials: { ...credentials, public_key: keys.publicKey },
    pageSize: PARTITION_ROWS,
  });
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Snowflake key-pair JWT', () => {
  it('signs RS256 with the account, user and public key fingerprint Snowflake expects, for at most an hour', () => {
    const key = readPrivateKey(keys.privateKey, undefined);
    const { token, expiresAt } = signKeyPairJwt({ account: 'xy12345.us-east-2.aws', user: 'jsmith', key }, 1_800_000_000);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(claims).toEqual({ iss: `XY12345.JSMITH.${publicKeyFingerprint(key)}`, sub: 'XY12345.JSMITH', iat: 1_800_000_000, exp: expiresAt });
    expect(expiresAt - 1_800_000_000).toBeLessThanOrEqual(3_600);
    expect(publicKeyFingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), createPublicKey(keys.publicKey), Buffer.from(signature!, 'base64url'))).toBe(true);
  });

  it('refuses an unreadable private key as auth, without echoing it', async () => {
    const broken = '-----BEGIN PRIVATE KEY-----\nnot-a-key-0123456789\n-----END PRIVATE KEY-----';
    const failure = await connectorFailure(connect({ credentials: { ...credentials, private_key: broken } }).fetchPage(rows), [broken, 'not-a-key-0123456789']);
    expect(failure).toMatchObject({ kind: 'auth' });
  });
});

describe('Snowflake connector against its emulator', () => {
  it('tests the connection by compiling the contract select over the view', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null, message: expect.stringContaining(view) });
  });

  it('reads the window partition by partition to exactly the generator rows', async () => {
    const expected = expectedRecords(emulator.shape, window);
    expect(expected).toHaveLength(31 * 18);
    const before = emulator.faults.stats().requests;
    const { records, pages } = await readAllPages(connect(), rows);
    expect(pages).toBe(Math.ceil(expected.length / PARTITION_ROWS));
    expect(records).toEqual(expected);
    // Submitted asynchronously (202), polled once for partition 0, then one request per further partition.
    expect(emulator.faults.stats().requests - before).toBe(1 + pages);
  });

  it('runs only the bound query shape: the emulator refuses dates written into the SQL', async () => {
    const connector = connect();
    await connector.testConnection();
    // The connector's own request passed above; the same select with literal dates is refused.
    const { token } = signKeyPairJwt(
      { account: credentials.account, user: credentials.user, key: readPrivateKey(keys.privateKey, undefined) },
      Math.floor(Date.now() / 1000),
    );
    const inlined = await fetch(`${emulator.url}/api/v2/statements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-snowflake-authorization-token-type': 'KEYPAIR_JWT', 'content-type': 'application/json' },
      body: JSON.stringify({
        statement: `SELECT DATE, ENTITY_ID, ENTITY_NAME, PARENT_ID, IMPRESSIONS, CLICKS, SPEND, CONVERSIONS, REVENUE, CURRENCY FROM ${view} WHERE DATE BETWEEN '2026-01-01' AND '2026-01-31' ORDER BY DATE, ENTITY_ID`,
      }),
    });
    expect(inlined.status).toBe(422);
    expect(await inlined.json()).toMatchObject({ code: '001003', sqlState: '42000' });
  });

  it('polls a statement that runs long (202 + statementStatusUrl) to its result', async () => {
    emulator.faults.set({ runningPolls: 2 });
    const before = emulator.faults.stats().requests;
    const { records, pages } = await readAllPages(connect(), rows);
    expect(records).toEqual(expectedRecords(emulator.shape, window));
    expect(pages).toBe(Math.ceil(records.length / PARTITION_ROWS));
    // The submission, two polls answered 202, the poll that got partition 0, then the other partitions.
    expect(emulator.faults.stats().requests - before).toBe(1 + 2 + 1 + (pages - 1));
  });

  it('hands back a cursor on the running statement when the wait is spent, and resumes the wait from it', async () => {
    emulator.faults.set({ runningPolls: 2 });
    const first = await connect({}, 0).fetchPage(rows);
    expect(first.records).toEqual([]);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({ part: 0, parts: null, after: null });
    const rest = await readAllPages(connect({}, 0), { ...rows, cursor: first.nextCursor });
    expect(rest.records).toEqual(expectedRecords(emulator.shape, window));
    // Two empty pages while the polls still answer 202, then one per partition.
    expect(rest.pages).toBe(2 + Math.ceil(rest.records.length / PARTITION_ROWS));
  });

  it('resumes from a saved cursor with the remainder: no overlap, no gap', async () => {
    const first = await connect().fetchPage(rows);
    const second = await connect().fetchPage({ ...rows, cursor: first.nextCursor });
    expect(JSON.parse(second.nextCursor!)).toMatchObject({
      part: 2,
      parts: 6,
      after: { date: second.records.at(-1)!.date, entityId: second.records.at(-1)!.entityId },
    });
    const rest = await readAllPages(connect(), { ...rows, cursor: second.nextCursor });
    expect([...first.records, ...second.records, ...rest.records]).toEqual(expectedRecords(emulator.shape, window));
  });

  it('runs the query again after the last row written when Snowflake no longer knows the statement', async () => {
    const first = await connect().fetchPage(rows);
    const second = await connect().fetchPage({ ...rows, cursor: first.nextCursor });
    // Another instance with the same view: the handle in the cursor is unknown there (000709).
    const other = await startEmulator('snowflake', { shape: { accountId: view }, credentials: emulator.credentials, pageSize: PARTITION_ROWS });
    try {
      const rest = await readAllPages(connect({ baseUrl: other.url }), { ...rows, cursor: second.nextCursor });
      expect([...first.records, ...second.records, ...rest.records]).toEqual(expectedRecords(emulator.shape, window));
      expect(rest.pages).toBe(Math.ceil((31 * 18 - 2 * PARTITION_ROWS) / PARTITION_ROWS));
    } finally {
      await other.close();
    }
  });

  it('classifies a JWT signed with another key as auth (401), without the key in the message', async () => {
    const stranger = generateSnowflakeKeyPair();
    const failure = await connectorFailure(connect({ credentials: { ...credentials, private_key: stranger.privateKey } }).fetchPage(rows), [
      stranger.privateKey,
      keys.privateKey,
    ]);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: '390144' } });
    expect(failure.message).toContain('JWT token is invalid');
  });

  it('classifies a JWT for another user as auth', async () => {
    expect(await failureOf(connect({ credentials: { ...credentials, user: 'someone_else' } }).testConnection())).toMatchObject({
      kind: 'auth',
      details: { status: 401 },
    });
  });

  it('classifies 429 as rate_limited after the delay in Retry-After', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 7 });
    expect(await failureOf(connect().fetchPage(rows))).toMatchObject({ kind: 'rate_limited', details: { status: 429, retryAfterMs: 7_000 } });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(rows)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', 'MTAw'],
    ['a later part without the part count', JSON.stringify({ statement: '01b0-0000', part: 3, parts: null, after: null })],
    [
      'a position outside the window',
      JSON.stringify({ statement: '01b0-0000', part: 1, parts: 4, after: { date: addDays(window.endDate, 1), entityId: '1' } }),
    ],
  ])('rejects a cursor that is %s as malformed', async (_, cursor) => {
    expect(await failureOf(connect().fetchPage({ ...rows, cursor }))).toMatchObject({ kind: 'malformed' });
  });

  it('refuses an account id that is not a view name before sending anything', async () => {
    const before = emulator.faults.stats().requests;
    for (const accountId of ['LIFTOS_DAILY_PERFORMANCE; DROP TABLE X', '"quoted"."view"', 'a.b.c.d', "x' OR '1'='1"]) {
      expect(await failureOf(connect({ accountId }).fetchPage(rows))).toMatchObject({ kind: 'malformed', message: expect.stringContaining('account_id') });
    }
    await expect(connect({ accountId: 'bad name' }).testConnection()).rejects.toMatchObject({ kind: 'malformed' });
    expect(emulator.faults.stats().requests).toBe(before);
  });

  it('classifies a view that does not exist as malformed, with Snowflake’s message', async () => {
    const failure = await failureOf(connect({ accountId: 'ANALYTICS.MARKETING.OTHER_VIEW' }).fetchPage(rows));
    expect(failure).toMatchObject({ kind: 'malformed', details: { status: 422, platformCode: '002003' } });
    expect(failure.message).toContain("Object 'ANALYTICS.MARKETING.OTHER_VIEW' does not exist");
  });

  it('refuses an account identifier that cannot be a host as auth', async () => {
    expect(await failureOf(connect({ credentials: { ...credentials, account: 'evil.com/x?' } }).fetchPage(rows))).toMatchObject({ kind: 'auth' });
  });
});
