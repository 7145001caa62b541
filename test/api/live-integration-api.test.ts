import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { countMetrics } from '../../db/repositories/marketing-metrics';
import type { DataMode } from '../../domain/connection';
import { createTestApi } from '../setup/api-client';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const API = '/api/v1/live-integration';
const RANGE = { start_date: '2026-02-01', end_date: '2026-02-10' };

/**
 * Counts, on the real database, how many of the given connections have a query in flight at once
 * (from the query being built until its result is back, so queries queued for a pool connection count).
 */
function connectionsInFlight(connectionIds: readonly string[]) {
  const inFlight = new Map<QueryId, string>();
  const perConnection = new Map<string, number>();
  let max = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const text = JSON.stringify(args.node);
      const id = connectionIds.find((c) => text.includes(c));
      if (id) {
        inFlight.set(args.queryId, id);
        perConnection.set(id, (perConnection.get(id) ?? 0) + 1);
        max = Math.max(max, [...perConnection.values()].filter((n) => n > 0).length);
      }
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const id = inFlight.get(args.queryId);
      if (id) {
        inFlight.delete(args.queryId);
        perConnection.set(id, perConnection.get(id)! - 1);
      }
      return args.result;
    },
  };
  return { plugin, max: () => max, touched: () => perConnection.size };
}

describe('live integration API', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let api: ReturnType<typeof createTestApi>;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 50 });
    const taskQueue = uniqueName('api-live-integration');
    api = createTestApi(harness, { taskQueue, baseUrls: { google_ads: emulator.url } });
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url }, integrationTests: { pageSize: 50 } });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  /** A Google Ads connection on the emulator, in an org of its own; answers it with its org's editor and viewer tokens. */
  async function connectionIn(dataMode: DataMode = 'hybrid', orgId = uniqueName('org-li')) {
    const connection = await createTestConnection(harness, {
      platform: 'google_ads',
      dataMode,
      accountId: emulator.shape.accountId,
      credentials: { ...emulator.credentials },
      orgId,
    });
    return { connection, editor: await api.token(orgId, 'editor'), viewer: await api.token(orgId, 'viewer') };
  }

  it('test-connection answers the report; integration-status and health-status show it', async () => {
    const { connection, editor, viewer } = await connectionIn();
    const res = await api.call('POST', `${API}/test-connection/${connection.id}`, {
      token: editor,
      json: { ...RANGE, thresholds: { max_response_ms: 1_000 } },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      connection_id: connection.id,
      platform: 'google_ads',
      status: 'passed',
      components: ['connection', 'quality', 'health'],
      failed_checks: [],
      target: { source: 'live', window: RANGE },
    });
    expect(res.json.checks.map((c: { id: string }) => c.id)).toEqual([
      'api_connectivity',
      'authentication',
      'data_retrieval',
      'response_time',
      'throughput',
      'rate_limits',
      'quality_validation',
      'availability',
      'error_rate',
      'last_successful_sync',
    ]);
    expect(res.json.checks[0]).toMatchObject({
      component: 'connection',
      status: 'passed',
      failure_kind: null,
      duration_ms: expect.any(Number),
      recommendation: null,
    });
    expect(res.json.health).toMatchObject({ status: 'healthy', quality_score: 100, probe: { requests: 3, availability: 1 } });
    expect(res.text).not.toContain(emulator.credentials.access_token!);

    const status = await api.call('GET', `${API}/integration-status`, { token: viewer });
    expect(status.status).toBe(200);
    expect(status.json.summary).toEqual({ connections: 1, tested: 1, passed: 1, failed: 0, never_tested: 0 });
    expect(status.json.connections[0]).toMatchObject({ connection_id: connection.id, latest_report: { report_id: res.json.report_id, status: 'passed' } });

    const health = await api.call('GET', `${API}/health-status`, { token: viewer });
    expect(health.json).toMatchObject({
      summary: { connections: 1, healthy: 1, degraded: 0, unhealthy: 0 },
      connections: [{ connection_id: connection.id, status: 'healthy', last_tested_at: expect.any(String) }],
    });
  });

  it('test-suite with rejected credentials reports the authentication failure; health turns unhealthy', async () => {
    const { connection, editor, viewer } = await connectionIn();
    emulator.faults.set({ failNext: { status: 401, count: 1_000 } });
    const res = await api.call('POST', `${API}/test-suite`, { token: editor, json: { connection_id: connection.id, ...RANGE } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'failed', failed_checks: ['authentication'], components: ['connection', 'quality', 'health', 'hybrid'] });
    const auth = res.json.checks.find((c: { id: string }) => c.id === 'authentication');
    expect(auth).toMatchObject({ status: 'failed', failure_kind: 'auth', recommendation: expect.stringContaining('re-authorise') });
    expect(res.json.recommendations).toEqual([auth.recommendation]);
    expect(res.json.health).toMatchObject({ status: 'unhealthy', reasons: ['the platform rejects the credentials'] });

    const health = await api.call('GET', `${API}/health-status`, { token: viewer });
    expect(health.json.connections[0]).toMatchObject({ status: 'unhealthy', probe: { auth_failed: true } });
  });

  it('hybrid-data serves mock while live fails, with the reason, and live again once it recovers', async () => {
    const { connection, viewer } = await connectionIn('live');
    emulator.faults.set({ failNext: { status: 500, count: 1_000 } });
    const failing = await api.call('POST', `${API}/hybrid-data`, { token: viewer, json: { connection_id: connection.id, ...RANGE, limit: 20 } });
    expect(failing.status).toBe(200);
    expect(failing.json).toMatchObject({
      mode: 'hybrid',
      source: 'mock',
      stream: 'ad_performance',
      fallback_reason: expect.stringMatching(/^live transient failure: .*HTTP 500/),
      more: true,
    });
    expect(failing.json.records).toHaveLength(20);

    emulator.faults.clear();
    const recovered = await api.call('POST', `${API}/hybrid-data`, { token: viewer, json: { connection_id: connection.id, ...RANGE, limit: 20 } });
    expect(recovered.json).toMatchObject({ source: 'live', fallback_reason: null });
    expect(recovered.json.records).toHaveLength(20);
    // Read through the connector, not Postgres.
    expect(await countMetrics(harness.database.db, connection.id)).toBe(0);
  });

  it("data-modes lists the modes and each connection's mode and effective source", async () => {
    const orgId = uniqueName('org-modes');
    const { connection, viewer } = await connectionIn('auto', orgId);
    const mock = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'hybrid', orgId });
    const res = await api.call('GET', `${API}/data-modes`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.json.modes.map((m: { mode: string }) => m.mode)).toEqual(['mock', 'live', 'auto', 'hybrid']);
    const byId = new Map(res.json.connections.map((c: { connection_id: string }) => [c.connection_id, c]));
    expect(byId.get(connection.id)).toMatchObject({ data_mode: 'auto', effective_source: 'live', reason: null });
    expect(byId.get(mock.id)).toMatchObject({ data_mode: 'hybrid', effective_source: 'mock', reason: 'no credentials for the live platform' });
  });

  it('health-status and data-modes work on at most fanOutConcurrency connections at once, a page of them per request', async () => {
    const orgId = uniqueName('org-fanout');
    const connections = [];
    for (let i = 0; i < 24; i++) connections.push(await createTestConnection(harness, { platform: 'google_ads', dataMode: 'auto', orgId }));
    const ids = connections.map((c) => c.id);
    for (const path of ['health-status', 'data-modes']) {
      const probe = connectionsInFlight(ids);
      const bounded = createTestApi(harness, {
        taskQueue: uniqueName('api-fanout'),
        db: harness.database.db.withPlugin(probe.plugin),
        limits: { fanOutConcurrency: 3 },
      });
      const viewer = await bounded.token(orgId, 'viewer');
      const res = await bounded.call('GET', `${API}/${path}`, { token: viewer });
      expect(res.status).toBe(200);
      expect(res.json.connections.map((c: { connection_id: string }) => c.connection_id).sort()).toEqual([...ids].sort());
      expect(res.json.page).toEqual({ limit: 100, offset: 0, total: 24, next_offset: null });
      expect({ path, touched: probe.touched() }).toEqual({ path, touched: 24 });
      expect({ path, max: probe.max() }).toEqual({ path, max: 3 });

      // A page: at most `limit` connections (≤ 200) a request; `next_offset` continues.
      const first = await bounded.call('GET', `${API}/${path}?limit=10`, { token: viewer });
      expect(first.json.connections).toHaveLength(10);
      expect(first.json.page).toEqual({ limit: 10, offset: 0, total: 24, next_offset: 10 });
      const last = await bounded.call('GET', `${API}/${path}?limit=10&offset=20`, { token: viewer });
      expect(last.json.connections).toHaveLength(4);
      expect(last.json.page.next_offset).toBeNull();
      expect(new Set([...first.json.connections, ...last.json.connections].map((c: { connection_id: string }) => c.connection_id)).size).toBe(14);
      for (const query of ['limit=201', 'limit=0', 'offset=-1', 'limit=abc']) {
        const bad = await bounded.call('GET', `${API}/${path}?${query}`, { token: viewer });
        expect({ query, status: bad.status, code: bad.json.error.code }).toEqual({ query, status: 400, code: 'validation_error' });
      }
    }
  });

  it('test-all-connections runs every connection of the org and answers each outcome', async () => {
    const orgId = uniqueName('org-all');
    const { connection, editor } = await connectionIn('hybrid', orgId);
    const mock = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId });
    const res = await api.call('POST', `${API}/test-all-connections`, { token: editor, json: { concurrency: 2, components: ['connection'] } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'completed', total: 2, passed: 2, failed: 0, errored: 0 });
    expect(res.json.workflow_id).toMatch(new RegExp(`^integration-test-all:${orgId}:`));
    expect(res.json.results.map((r: { connection_id: string }) => r.connection_id).sort()).toEqual([connection.id, mock.id].sort());
  });

  it("?wait=false answers 202 with the workflow id; bad input is a 4xx and another org's connection a 404", async () => {
    const { connection, editor } = await connectionIn();
    const started = await api.call('POST', `${API}/test-suite?wait=false`, {
      token: editor,
      json: { connection_id: connection.id, components: ['connection'], ...RANGE },
    });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ status: 'running', workflow_id: expect.stringMatching(new RegExp(`^integration-test:${connection.id}:`)) });
    await harness.temporal.client.workflow.getHandle(started.json.workflow_id).result();

    const invalid = await api.call('POST', `${API}/test-suite`, {
      token: editor,
      json: { connection_id: connection.id, components: ['nope'], thresholds: { max_response_ms: -1 } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['components.0', 'thresholds.max_response_ms']);
    const halfWindow = await api.call('POST', `${API}/test-connection/${connection.id}`, { token: editor, json: { start_date: '2026-02-01' } });
    expect(halfWindow.status).toBe(400);

    const other = await api.token(uniqueName('org-other'), 'editor');
    expect((await api.call('POST', `${API}/test-connection/${connection.id}`, { token: other })).status).toBe(404);
    expect((await api.call('POST', `${API}/hybrid-data`, { token: other, json: { connection_id: connection.id, ...RANGE } })).status).toBe(404);
  });
});
