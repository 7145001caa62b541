import type { Connector, ConnectorConfig, FetchPageRequest } from '../../../connectors/connector';
import { EMULATED_PLATFORMS, type RunningEmulator, startEmulator } from '../../../connectors/emulator';
import { LIVE_CONNECTORS } from '../../../connectors/live-connectors';
import { createPlatformNetwork } from '../../../connectors/platform-network';
import { PLATFORMS } from '../../../domain/platforms';
import type { MetricRecord } from '../../../domain/sync';
import { createDatabase, type DatabaseHandle } from '../../../db/database';
import { itClassifiesPlatformFaults, itStoresRecordsWithUnstorableText } from '../../setup/connector-conformance';
import { testEnv } from '../../setup/test-env';
import { connectorFailure, readAllPages, EMULATOR_NETWORK } from '../../setup/connector-test-kit';

/**
 * The one conformance suite every live connector passes against its emulator, whatever its platform's paging,
 * auth and error dialect: connection test, every stream read to the end, resume from a saved cursor, auth failure,
 * rate limit with the platform's delay, transient and malformed failures, an empty account, and records whose
 * text Postgres cannot store as sent (a NUL, an unpaired surrogate), written cleaned. Platform specifics
 * (exact rows, id formats, documented caps) are in each connector's own test file.
 */

const ASOF = '2026-03-31';
// Sixty days hold a few dozen contacts (created over the year before ASOF) and about a thousand ad rows.
const WINDOW = { startDate: '2026-01-31', endDate: ASOF };
const PAGE_SIZE = 10;

/** Analytics answers of ids and numbers only: the names the unstorableText fault taints never reach their records. */
const TEXTLESS_RECORDS: readonly string[] = ['linkedin_ads', 'x_ads'];

const key = (record: MetricRecord) => `${record.stream}|${record.entityId}|${record.date}`;

let database: DatabaseHandle;
beforeAll(() => {
  database = createDatabase(testEnv('databaseUrl'), { max: 2 });
});
afterAll(() => database.close());

describe.each(EMULATED_PLATFORMS)('%s connector conformance', (platform) => {
  let emulator: RunningEmulator;
  const live = LIVE_CONNECTORS[platform];

  function connect(overrides: Partial<ConnectorConfig> = {}): Connector {
    return live.create({
      baseUrl: emulator.url,
      credentials: emulator.connectorCredentials,
      accountId: emulator.shape.accountId,
      timeoutMs: 5_000,
      network: EMULATOR_NETWORK,
      ...overrides,
    });
  }

  const firstStream = PLATFORMS[platform].streams[0]!;
  const request: FetchPageRequest = { stream: firstStream, cursor: null, window: WINDOW, pageSize: PAGE_SIZE };
  const secrets = () => Object.values(emulator.credentials);

  beforeAll(async () => {
    emulator = await startEmulator(platform, { asOf: ASOF, pageSize: PAGE_SIZE });
  });
  afterAll(() => emulator.close());
  afterEach(() => emulator.faults.clear());

  it('offers the streams the registry lists for its platform, and passes a connection test', async () => {
    const connector = connect();
    expect(connector).toMatchObject({ platform, source: 'live' });
    expect([...connector.listStreams()].sort()).toEqual([...PLATFORMS[platform].streams].sort());
    await expect(connector.testConnection()).resolves.toMatchObject({ ok: true });
  });

  it('reaches its emulator on loopback only under the development setting, and sends it nothing otherwise', async () => {
    const requestsBefore = emulator.faults.stats().requests;
    const refused = await connectorFailure(connect({ network: createPlatformNetwork() }).testConnection(), secrets());
    // Refused where the connector is built (a credential naming the host) or where it connects (the base URL).
    expect(refused).toMatchObject({ kind: 'auth', message: expect.stringMatching(/refused|must be an https URL/) });
    expect(emulator.faults.stats().requests).toBe(requestsBefore);
  });

  it.each(PLATFORMS[platform].streams)('reads %s page by page to a null cursor, each record once', async (stream) => {
    const { records, pages } = await readAllPages(connect(), { ...request, stream });
    expect(records.length).toBeGreaterThan(PAGE_SIZE);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(records.map(key)).size).toBe(records.length);
    for (const record of records) {
      expect(record.stream).toBe(stream);
      expect(record.raw).toEqual(expect.any(Object));
    }
  });

  it.each(PLATFORMS[platform].streams)('resumes %s from a saved cursor with no gap and no overlap', async (stream) => {
    const first = await connect().fetchPage({ ...request, stream });
    expect(first.nextCursor).not.toBeNull();
    const rest = await readAllPages(connect(), { ...request, stream, cursor: first.nextCursor });
    const whole = await readAllPages(connect(), { ...request, stream });
    expect([...first.records, ...rest.records].map(key)).toEqual(whole.records.map(key));
  });

  it('classifies rejected credentials as auth, with no secret in the message', async () => {
    emulator.faults.set({ failNext: { status: 401, count: 1 } });
    expect(await connectorFailure(connect().fetchPage(request), secrets())).toMatchObject({ kind: 'auth' });
  });

  // The delay each platform signals (Retry-After, its own headers or body) is checked in the connector's own test.
  it('classifies a rate limit as rate_limited', async () => {
    emulator.faults.set({ failNext: { status: 429, count: 1 }, retryAfterSeconds: 1 });
    expect(await connectorFailure(connect().fetchPage(request), secrets())).toMatchObject({ kind: 'rate_limited' });
  });

  it('serves an empty account as no records on every stream', async () => {
    emulator.faults.set({ empty: true });
    for (const stream of PLATFORMS[platform].streams) {
      await expect(readAllPages(connect(), { ...request, stream })).resolves.toMatchObject({ records: [] });
    }
  });

  itClassifiesPlatformFaults({ platform, emulator: () => emulator, connect, request, secrets });
  itStoresRecordsWithUnstorableText({
    platform,
    emulator: () => emulator,
    connect,
    request,
    database: () => database,
    textless: TEXTLESS_RECORDS.includes(platform),
  });
});
