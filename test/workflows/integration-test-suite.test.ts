import { type RunningEmulator, startEmulator } from '../../connectors/emulator';
import { latestIntegrationTestReport } from '../../db/repositories/integration-test-reports';
import type { Connection } from '../../db/schema';
import type { DataMode } from '../../domain/connection';
import type { IntegrationCheckId, IntegrationTestReport, IntegrationThresholds } from '../../domain/integration-test-report';
import { OrgIdKey, connectionSearchAttributes } from '../../domain/search-attributes';
import { dataValidationWorkflowId, integrationTestAllWorkflowId, integrationTestWorkflowId } from '../../domain/workflow-ids';
import { validationWorkflow } from '../../workflows/data-validation';
import { integrationTestAllWorkflow } from '../../workflows/integration-test-all';
import { integrationTestSuiteWorkflow } from '../../workflows/integration-test-suite';
import { createTestConnection } from '../setup/fixtures';
import { openTestHarness, startTestSyncWorker, type TestHarness, uniqueName } from '../setup/test-harness';

const WINDOW = { startDate: '2026-02-01', endDate: '2026-02-10' };
/** Low enough that the slow-responses fault stays quick, far above a loopback answer. */
const THRESHOLDS: Partial<IntegrationThresholds> = { maxResponseMs: 1_000 };

describe('integrationTestSuiteWorkflow against the Google Ads emulator with injected faults', () => {
  let harness: TestHarness;
  let emulator: RunningEmulator;
  let worker: Awaited<ReturnType<typeof startTestSyncWorker>>;
  let taskQueue: string;

  beforeAll(async () => {
    harness = await openTestHarness();
    emulator = await startEmulator('google_ads', { pageSize: 50 });
    taskQueue = uniqueName('integration-suite');
    worker = await startTestSyncWorker(harness, { taskQueue, baseUrls: { google_ads: emulator.url }, integrationTests: { pageSize: 50 } });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(async () => {
    await worker.stop();
    await emulator.close();
    await harness.close();
  });

  const connectionIn = (dataMode: DataMode = 'hybrid', orgId?: string) =>
    createTestConnection(harness, { platform: 'google_ads', dataMode, accountId: emulator.shape.accountId, credentials: { ...emulator.credentials }, orgId });
  const runSuite = (connection: Connection): Promise<IntegrationTestReport> =>
    harness.temporal.client.workflow.execute(integrationTestSuiteWorkflow, {
      taskQueue,
      workflowId: integrationTestWorkflowId(connection.id, uniqueName('run')),
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, thresholds: THRESHOLDS, window: WINDOW }],
      typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
    });
  const check = (report: IntegrationTestReport, id: IntegrationCheckId) => report.checks.find((c) => c.id === id)!;
  /** What each check came to, for one readable assertion. */
  const statuses = (report: IntegrationTestReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

  it('a healthy platform passes every check that applies, with timings, throughput and a stored report', async () => {
    const connection = await connectionIn();
    const report = await runSuite(connection);
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(report).toMatchObject({
      status: 'passed',
      target: { source: 'live', reason: null, streams: ['ad_performance'], window: WINDOW },
      components: ['connection', 'quality', 'health', 'hybrid'],
    });
    expect(statuses(report)).toMatchObject({
      api_connectivity: 'passed',
      authentication: 'passed',
      data_retrieval: 'passed',
      response_time: 'passed',
      throughput: 'passed',
      rate_limits: 'passed',
      quality_validation: 'passed',
      availability: 'passed',
      error_rate: 'passed',
      last_successful_sync: 'skipped',
      mode_switching: 'passed',
      live_fallback: 'passed',
      quality_threshold_switching: 'passed',
      cross_mode_consistency: 'passed',
      hybrid_read: 'passed',
    });
    expect(check(report, 'data_retrieval').measurements).toMatchObject({ records: 100, pages: 2 });
    expect(check(report, 'throughput').measurements.records_per_second).toBeGreaterThan(0);
    expect(check(report, 'throughput').measurements.bytes_per_second).toBeGreaterThan(0);
    expect(check(report, 'response_time').measurements.p95_ms).toEqual(expect.any(Number));
    expect(check(report, 'quality_validation').measurements).toMatchObject({ score: 100, records: 100 });
    expect(check(report, 'hybrid_read').measurements).toMatchObject({ source: 'live', fallback_reason: null });
    expect(report.health).toMatchObject({
      status: 'healthy',
      reasons: [],
      qualityScore: 100,
      probe: { requests: 3, availability: 1, authFailed: false, rateLimited: false },
    });
    expect(report.recommendations).toEqual([]);
    const stored = await latestIntegrationTestReport(harness.database.db, connection.id);
    expect(stored).toMatchObject({ id: report.reportId, status: 'passed', health_status: 'healthy', failed_checks: [] });
  });

  it("health judges the connection's stored data validation score, as workers/main.ts wires it", async () => {
    const connection = await connectionIn();
    // Nothing synced yet: the stored report scores far below the suite's own sample of the live pages (100).
    const validation = await harness.temporal.client.workflow.execute(validationWorkflow, {
      taskQueue,
      workflowId: dataValidationWorkflowId(connection.id, uniqueName('validation')),
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform }],
      typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
    });
    expect(validation.score).toBeLessThan(80);
    const report = await runSuite(connection);
    expect(check(report, 'quality_validation').measurements).toMatchObject({ score: 100 });
    expect(report.health).toMatchObject({ status: 'unhealthy', qualityScore: validation.score });
  });

  it.each<[string, Parameters<RunningEmulator['faults']['set']>[0], IntegrationCheckId[], Partial<Record<IntegrationCheckId, string>>]>([
    ['auth failure', { failNext: { status: 401, count: 1_000 } }, ['authentication'], { authentication: 'auth' }],
    [
      '429 storm',
      { failNext: { status: 429, count: 1_000 }, retryAfterSeconds: 1 },
      ['throughput', 'rate_limits'],
      { rate_limits: 'rate_limited', throughput: 'rate_limited' },
    ],
    ['5xx burst', { failNext: { status: 503, count: 1_000 } }, ['availability', 'error_rate'], { availability: 'transient', error_rate: 'transient' }],
    ['slow responses', { latencyMs: 1_300 }, ['response_time'], { response_time: 'slow' }],
    ['empty data', { empty: true }, ['data_retrieval'], { data_retrieval: 'empty' }],
  ])('%s: reports exactly that failure', async (_name, fault, failing, kinds) => {
    const connection = await connectionIn();
    emulator.faults.set(fault);
    const report = await runSuite(connection);
    expect(report.failedChecks.sort()).toEqual([...failing].sort());
    expect(report.status).toBe('failed');
    for (const [id, kind] of Object.entries(kinds)) expect({ id, kind: check(report, id as IntegrationCheckId).failureKind }).toEqual({ id, kind });
    for (const id of failing) expect(check(report, id).recommendation).toEqual(expect.any(String));
    expect(report.recommendations.length).toBeGreaterThan(0);
    // Hybrid keeps serving while live is faulty: mock with the reason, or live when live still answers.
    expect(check(report, 'hybrid_read').status).toBe('passed');
    expect(check(report, 'live_fallback').status).toBe('passed');
  });

  it('hybrid: serves mock while live fails and live again once it recovers', async () => {
    const connection = await connectionIn();
    emulator.faults.set({ failNext: { status: 503, count: 1_000 } });
    const failing = await runSuite(connection);
    expect(check(failing, 'hybrid_read').measurements).toMatchObject({
      source: 'mock',
      fallback_reason: expect.stringMatching(/^live transient failure: .*HTTP 503/),
    });
    expect(failing.health).toMatchObject({ status: 'unhealthy', probe: { availability: 0 } });

    emulator.faults.clear();
    const recovered = await runSuite(connection);
    expect(check(recovered, 'hybrid_read').measurements).toMatchObject({ source: 'live', fallback_reason: null });
    expect(recovered).toMatchObject({ status: 'passed', health: { status: 'healthy' } });
  });

  it('test-all runs every connection of the org as child suites and collects their outcomes', async () => {
    const orgId = uniqueName('org-test-all');
    const live = await connectionIn('hybrid', orgId);
    const mock = await createTestConnection(harness, { platform: 'meta_business', dataMode: 'mock', orgId });
    const result = await harness.temporal.client.workflow.execute(integrationTestAllWorkflow, {
      taskQueue,
      workflowId: integrationTestAllWorkflowId(orgId, uniqueName('all')),
      args: [{ orgId, concurrency: 2, components: ['connection', 'health'], thresholds: THRESHOLDS }],
      typedSearchAttributes: [{ key: OrgIdKey, value: orgId }],
    });
    expect(result).toMatchObject({ total: 2, passed: 2, failed: 0, errored: 0, running: 0 });
    const byId = new Map(result.results.map((r) => [r.connectionId, r]));
    expect(byId.get(live.id)).toMatchObject({ status: 'passed', platform: 'google_ads', healthStatus: 'healthy', reportId: expect.any(String) });
    // A mock connection is tested on its mock source (no live connector credentials to reach Meta here).
    expect(byId.get(mock.id)).toMatchObject({ status: 'passed', platform: 'meta_business' });
    const stored = await latestIntegrationTestReport(harness.database.db, mock.id);
    expect((stored!.report as IntegrationTestReport).target).toMatchObject({ source: 'mock', reason: expect.any(String) });
  });
});
