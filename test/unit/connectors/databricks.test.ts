import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { createDatabricksConnector } from '../../../connectors/databricks/connector';
import { type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import type { AccountShape } from '../../../connectors/mock/generator';
import { addDays, type DateWindow, type MetricRecord } from '../../../domain/sync';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';
import { expectedWarehouseRecords } from '../../setup/warehouse-rows';

const token = 'dapi9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const view = 'main.marketing.liftos_daily_performance';
const window = { startDate: '2026-02-01', endDate: '2026-02-28' };
const CHUNK_ROWS = 120;
const rows: FetchPageRequest = { stream: 'warehouse_rows', cursor: null, window };
let emulator: RunningEmulator;
let credentials: Record<string, string>;

function connect(overrides: Partial<ConnectorConfig> = {}, statementWaitMs?: number): Connector {
  return createDatabricksConnector(
    { baseUrl: 'https://accounts.cloud.databricks.com', credentials, accountId: view, timeoutMs: 5_000, network: EMULATOR_NETWORK, ...overrides },
    { statementWaitMs },
  );
}

const failureOf = (work: Promise<unknown>) => connectorFailure(work, [token]);

/** The rows as JSON_ARRAY renders them: every value as text. */
const expectedRecords = (shape: AccountShape, within: DateWindow): MetricRecord[] => expectedWarehouseRecords(shape, within, (date) => date);

beforeAll(async () => {
  emulator = await startEmulator('databricks', { shape: { accountId: view }, credentials: { token, warehouse_id: 'abc123def4567890' }, pageSize: CHUNK_ROWS });
  // The workspace URL is the connection's host credential, as a workspace's is.
  credentials = { host: emulator.url, token, warehouse_id: 'abc123def4567890' };
});
afterAll(() => emulator.close());
afterEach(() => emulator.faults.clear());

describe('Databricks connector against its emulator', () => {
  it('tests the connection by running the contract select over the view on the warehouse', async () => {
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true, accountName: null, message: expect.stringContaining(view) });
  });

  it('reads the window chunk by chunk to exactly the generator rows', async () => {
    const expected = expectedRecords(emulator.shape, window);
    expect(expected).toHaveLength(28 * 18);
    const { records, pages } = await readAllPages(connect(), rows);
    expect(pages).toBe(Math.ceil(expected.length / CHUNK_ROWS));
    expect(records).toEqual(expected);
  });

  it('runs only the parameterised query shape: the emulator fails a statement with the dates written in', async () => {
    const response = await fetch(`${emulator.url}/api/2.0/sql/statements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        warehouse_id: credentials.warehouse_id,
        statement: `SELECT DATE, ENTITY_ID, ENTITY_NAME, PARENT_ID, IMPRESSIONS, CLICKS, SPEND, CONVERSIONS, REVENUE, CURRENCY FROM ${view} WHERE DATE BETWEEN '2026-02-01' AND '2026-02-28' ORDER BY DATE, ENTITY_ID`,
      }),
    });
    expect(await response.json()).toMatchObject({ status: { state: 'FAILED', error: { error_code: 'BAD_REQUEST' } } });
  });

  it('polls a PENDING then RUNNING statement to its result', async () => {
    emulator.faults.set({ runningPolls: 2 });
    const before = emulator.faults.stats().requests;
    const { records, pages } = await readAllPages(connect(), rows);
    expect(records).toEqual(expectedRecords(emulator.shape, window));
    // The submission (PENDING), two polls answered RUNNING, the poll that got chunk 0, then the other chunks.
    expect(emulator.faults.stats().requests - before).toBe(1 + 2 + 1 + (pages - 1));
  });

  it('hands back a cursor on the running statement when the wait is spent, and resumes the wait from it', async () => {
    emulator.faults.set({ runningPolls: 1 });
    const first = await connect({}, 0).fetchPage(rows);
    expect(first.records).toEqual([]);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({ part: 0, parts: null, after: null });
    const rest = await readAllPages(connect({}, 0), { ...rows, cursor: first.nextCursor });
    expect(rest.records).toEqual(expectedRecords(emulator.shape, window));
    expect(rest.pages).toBe(1 + Math.ceil(rest.records.length / CHUNK_ROWS));
  });

  it('resumes from a saved cursor with the remainder: no overlap, no gap', async () => {
    const first = await connect().fetchPage(rows);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({
      part: 1,
      parts: 5,
      after: { date: first.records.at(-1)!.date, entityId: first.records.at(-1)!.entityId },
    });
    const rest = await readAllPages(connect(), { ...rows, cursor: first.nextCursor });
    expect([...first.records, ...rest.records]).toEqual(expectedRecords(emulator.shape, window));
  });

  it('runs the query again after the last row written when the statement is gone (404)', async () => {
    const first = await connect().fetchPage(rows);
    const second = await connect().fetchPage({ ...rows, cursor: first.nextCursor });
    const other = await startEmulator('databricks', {
      shape: { accountId: view },
      credentials: { token, warehouse_id: credentials.warehouse_id! },
      pageSize: CHUNK_ROWS,
    });
    try {
      const rest = await readAllPages(connect({ credentials: { ...credentials, host: other.url } }), { ...rows, cursor: second.nextCursor });
      expect([...first.records, ...second.records, ...rest.records]).toEqual(expectedRecords(emulator.shape, window));
      expect(rest.pages).toBe(Math.ceil((28 * 18 - 2 * CHUNK_ROWS) / CHUNK_ROWS));
    } finally {
      await other.close();
    }
  });

  it('classifies a wrong token as auth (401), without the token in the message', async () => {
    const wrong = 'dapi00000000000000000000000000000bad';
    const failure = await connectorFailure(connect({ credentials: { ...credentials, token: wrong } }).fetchPage(rows), [wrong, token]);
    expect(failure).toMatchObject({ kind: 'auth', details: { status: 401, platformCode: 'UNAUTHENTICATED' } });
  });

  it('classifies 429 as rate_limited after the delay in Retry-After', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 9 });
    expect(await failureOf(connect().fetchPage(rows))).toMatchObject({
      kind: 'rate_limited',
      details: { status: 429, platformCode: 'REQUEST_LIMIT_EXCEEDED', retryAfterMs: 9_000 },
    });
  });

  it('serves an empty account as zero records and a null cursor', async () => {
    emulator.faults.set({ empty: true });
    await expect(connect().fetchPage(rows)).resolves.toMatchObject({ records: [], nextCursor: null });
    await expect(connect().testConnection()).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', 'MTAw'],
    ['a later part without the part count', JSON.stringify({ statement: '01ef-0001', part: 2, parts: null, after: null })],
    [
      'a position outside the window',
      JSON.stringify({ statement: '01ef-0001', part: 1, parts: 3, after: { date: addDays(window.startDate, -1), entityId: '1' } }),
    ],
  ])('rejects a cursor that is %s as malformed', async (_, cursor) => {
    expect(await failureOf(connect().fetchPage({ ...rows, cursor }))).toMatchObject({ kind: 'malformed' });
  });

  it('refuses an account id that is not a view name before sending anything', async () => {
    const before = emulator.faults.stats().requests;
    for (const accountId of ['main.marketing.perf; DROP TABLE x', '`main`.`perf`', 'a.b.c.d', "x' OR '1'='1"]) {
      expect(await failureOf(connect({ accountId }).fetchPage(rows))).toMatchObject({ kind: 'malformed', message: expect.stringContaining('account_id') });
    }
    expect(emulator.faults.stats().requests).toBe(before);
  });

  it('fails a view that does not exist as malformed, with Databricks’ error class', async () => {
    const failure = await failureOf(connect({ accountId: 'main.marketing.other_view' }).fetchPage(rows));
    expect(failure).toMatchObject({ kind: 'malformed', details: { platformCode: 'BAD_REQUEST' } });
    expect(failure.message).toContain('TABLE_OR_VIEW_NOT_FOUND');
  });

  it('fails a warehouse the workspace does not have as malformed', async () => {
    expect(await failureOf(connect({ credentials: { ...credentials, warehouse_id: 'ffff0000ffff0000' } }).fetchPage(rows))).toMatchObject({
      kind: 'malformed',
      details: { status: 404, platformCode: 'RESOURCE_DOES_NOT_EXIST' },
    });
  });

  it('refuses a host that is neither https nor this machine as auth, sending the token nowhere', async () => {
    expect(await failureOf(connect({ credentials: { ...credentials, host: 'http://workspace.example.com' } }).fetchPage(rows))).toMatchObject({ kind: 'auth' });
  });
});
