import type { WorkflowHandle } from '@temporalio/client';
import { Hono } from 'hono';
import { runOutcomeWithin } from '../../workflow-clients/run-outcome';
import { z } from 'zod';
import { ConnectorError } from '../../connectors/connector-error';
import { resolveConnectionSource } from '../../services/connection-source-selection';
import { readInMode } from '../../services/connection-mode-read';
import { orgConnectionHealth } from '../../services/connection-health-read';
import { listConnections, listOrgConnections } from '../../db/repositories/connections';
import { fullIntegrationTestReport, latestIntegrationTestReportsOfOrg } from '../../db/repositories/integration-test-reports';
import type { Connection } from '../../db/schema';
import { mapBounded } from '../../domain/bounded-concurrency';
import { DATA_MODES } from '../../domain/connection';
import { HEALTH_STATUSES } from '../../domain/connection-health';
import { INTEGRATION_COMPONENTS, type IntegrationComponent, type IntegrationThresholds } from '../../domain/integration-test-report';
import { STREAM_KINDS } from '../../domain/platforms';
import { startIntegrationTestAll, startIntegrationTestSuite } from '../../workflow-clients/integration-test';
import { ApiError } from '../api-error';
import { presentMetricRecord } from '../presenters/metric-record';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentHealth, presentIntegrationTestReport } from '../presenters/integration-test-report';
import { ConnectionRef, DateRangeFields, OptionalDateRangeFields, pageQuery, withDateRange } from '../request-schemas';
import { DataRecordsLimit } from './connection-data-schemas';
import { loadOwnConnection } from '../own-connection';
import { CONNECTION_READ_REFUSALS, QUOTA_EXHAUSTED, routeDocs } from '../openapi/route-docs';
import { WorkflowStarted } from '../response-schemas';
import {
  DataModesResponse,
  HealthStatusResponse,
  HybridDataResponse,
  IntegrationStatusResponse,
  IntegrationTestReportView,
  TestAllResponse,
} from './live-integration-schemas';

/** What test-connection runs: the connection's own checks, without the hybrid data tests. */
const CONNECTION_TEST_COMPONENTS: IntegrationComponent[] = ['connection', 'quality', 'health'];

const Thresholds = z
  .object({
    max_response_ms: z.number().int().min(1).max(600_000),
    min_records_per_second: z.number().min(0),
    min_availability: z.number().min(0).max(1),
    max_error_rate: z.number().min(0).max(1),
    min_quality_score: z.number().min(0).max(100),
    stale_sync_hours: z
      .number()
      .min(1)
      .max(24 * 365),
  })
  .partial()
  .strict();
const TestConnectionBody = withDateRange(z.object({ thresholds: Thresholds.optional(), ...OptionalDateRangeFields }).strict());
const TestSuiteBody = withDateRange(
  z
    .object({
      connection_id: ConnectionRef,
      components: z.array(z.enum(INTEGRATION_COMPONENTS)).min(1).max(INTEGRATION_COMPONENTS.length).optional(),
      thresholds: Thresholds.optional(),
      ...OptionalDateRangeFields,
    })
    .strict(),
);
const TestAllBody = z
  .object({
    concurrency: z.number().int().min(1).max(20).default(4),
    components: z.array(z.enum(INTEGRATION_COMPONENTS)).min(1).max(INTEGRATION_COMPONENTS.length).optional(),
    thresholds: Thresholds.optional(),
  })
  .strict();
const HybridDataBody = withDateRange(
  z
    .object({
      connection_id: ConnectionRef,
      stream: z.enum(STREAM_KINDS).optional(),
      ...DateRangeFields,
      limit: DataRecordsLimit,
    })
    .strict(),
);
const WaitQuery = z.object({ wait: z.enum(['true', 'false']).default('true') });
/** Most connections one health-status or data-modes answer covers; more come with `offset`. */
const MAX_CONNECTIONS_PAGE = 200;
const ConnectionsPageQuery = pageQuery(MAX_CONNECTIONS_PAGE, 100);

const describeRoute = routeDocs('Live integration');
const SUITE_RUNNING = [WorkflowStarted, 'wait=false: the suite runs; integration-status shows its report once stored'] as const;
const SUITE_ERRORS = {
  502: 'The suite could not run (integration_test_failed)',
  504: 'The suite takes longer than the request waits (integration_test_still_running); its report is stored either way',
};
const docs = {
  testConnection: describeRoute({
    summary: "Runs the connection's integration suite (connection, quality, health) and answers its report",
    responses: { 200: IntegrationTestReportView, 202: [...SUITE_RUNNING] },
    errors: { 404: 'No connection of the org has this id', ...SUITE_ERRORS },
  }),
  testAll: describeRoute({
    summary: 'Runs a suite per connection of the org (child workflows, at most concurrency at once)',
    responses: { 200: TestAllResponse, 202: [...SUITE_RUNNING] },
    errors: SUITE_ERRORS,
  }),
  healthStatus: describeRoute({ summary: "A page of the org's connections, each with its health and why", responses: { 200: HealthStatusResponse } }),
  hybridData: describeRoute({
    summary: "A connection's records read in hybrid mode: live, or mock with the reason when live fails",
    responses: { 200: HybridDataResponse },
    errors: {
      ...CONNECTION_READ_REFUSALS,
      404: 'No connection of the org has this id',
      422: 'The mock source cannot serve the stream or range (hybrid_read_failed, stream_unavailable)',
      429: QUOTA_EXHAUSTED,
    },
  }),
  testSuite: describeRoute({
    summary: 'Runs the full suite (or the components listed) for a connection and answers its report',
    responses: { 200: IntegrationTestReportView, 202: [...SUITE_RUNNING] },
    errors: { 404: 'No connection of the org has this id', ...SUITE_ERRORS },
  }),
  integrationStatus: describeRoute({
    summary: "Each connection's latest suite report, and how many passed, failed or were never tested",
    responses: { 200: IntegrationStatusResponse },
  }),
  dataModes: describeRoute({
    summary: "The data modes, and a page of the org's connections with the source that serves each now",
    responses: { 200: DataModesResponse },
  }),
};

function thresholdsOf(body: z.infer<typeof Thresholds> | undefined): Partial<IntegrationThresholds> | undefined {
  if (!body) return undefined;
  const t: Partial<IntegrationThresholds> = {
    maxResponseMs: body.max_response_ms,
    minRecordsPerSecond: body.min_records_per_second,
    minAvailability: body.min_availability,
    maxErrorRate: body.max_error_rate,
    minQualityScore: body.min_quality_score,
    staleSyncHours: body.stale_sync_hours,
  };
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

/**
 * Live integration testing: run a connection's test suite (or the org's), read its health and its
 * latest results, read data in hybrid mode, list the data modes. Suites are workflows; the POSTs
 * wait for the report unless `?wait=false` (then 202 with the workflow id; integration-status shows
 * the report once stored).
 */
export function liveIntegrationRoutes(deps: AppDeps) {
  /** The run's result, a 504 when it takes longer than a request waits (integration-status shows it later), or a 502 when it could not run. */
  async function awaitResult<T>(handle: WorkflowHandle, result: () => Promise<T>): Promise<T> {
    const outcome = await runOutcomeWithin(deps.temporal, deps.limits.runWaitMs, result);
    if (outcome.status === 'completed') return outcome.result;
    if (outcome.status === 'failed')
      throw new ApiError(502, 'integration_test_failed', `The test could not run: ${outcome.message}`, { workflow_id: handle.workflowId });
    throw new ApiError(504, 'integration_test_still_running', 'The test is still running; read its report at integration-status later', {
      workflow_id: handle.workflowId,
    });
  }

  /**
   * Starts a suite over the connection, audits the start, and answers the report (or, not waiting,
   * where to find the running suite). test-connection and test-suite differ only in the components.
   */
  async function runSuite(
    audit: AppEnv['Variables']['audit'],
    connection: Connection,
    options: { components: IntegrationComponent[]; thresholds?: Partial<IntegrationThresholds>; start_date?: string; end_date?: string },
    wait: boolean,
  ) {
    const handle = await startIntegrationTestSuite(deps.temporal, deps.taskQueue, connection, {
      components: options.components,
      thresholds: options.thresholds,
      window: options.start_date && options.end_date ? { startDate: options.start_date, endDate: options.end_date } : undefined,
    });
    await audit({
      action: 'connection.integration_test',
      targetType: 'connection',
      targetId: connection.id,
      outcome: 'success',
      details: { workflow_id: handle.workflowId, components: options.components },
    });
    if (!wait) return { body: { status: 'running', workflow_id: handle.workflowId, run_id: handle.firstExecutionRunId }, status: 202 as const };
    return { body: presentIntegrationTestReport(await awaitResult(handle, () => handle.result())), status: 200 as const };
  }

  async function orgConnections(orgId: string): Promise<Connection[]> {
    return listOrgConnections(deps.db, orgId, { order: 'created' });
  }

  /**
   * One page of the org's connections, each worked on by `work` with at most `fanOutConcurrency`
   * at once: what one request may set off is bounded by the page, and the pool is not drained.
   */
  async function forConnectionsPage<R>(orgId: string, page: z.infer<typeof ConnectionsPageQuery>, work: (connection: Connection) => Promise<R>) {
    const { items: connections, total } = await listConnections(deps.db, orgId, page);
    const rows = await mapBounded(connections, deps.limits.fanOutConcurrency, work);
    const nextOffset = page.offset + connections.length < total && connections.length > 0 ? page.offset + connections.length : null;
    return { rows, page: { limit: page.limit, offset: page.offset, total, next_offset: nextOffset } };
  }

  return new Hono<AppEnv>()
    .post('/test-connection/:connection_id', docs.testConnection, validate('query', WaitQuery), validate('json', TestConnectionBody.optional()), async (c) => {
      const body = c.req.valid('json') ?? {};
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('connection_id'));
      const answer = await runSuite(
        c.get('audit'),
        connection,
        { ...body, components: CONNECTION_TEST_COMPONENTS, thresholds: thresholdsOf(body.thresholds) },
        c.req.valid('query').wait === 'true',
      );
      return c.json(answer.body, answer.status);
    })
    .post('/test-suite', docs.testSuite, validate('query', WaitQuery), validate('json', TestSuiteBody), async (c) => {
      const body = c.req.valid('json');
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, body.connection_id);
      const answer = await runSuite(
        c.get('audit'),
        connection,
        { ...body, components: body.components ?? [...INTEGRATION_COMPONENTS], thresholds: thresholdsOf(body.thresholds) },
        c.req.valid('query').wait === 'true',
      );
      return c.json(answer.body, answer.status);
    })
    .post('/test-all-connections', docs.testAll, validate('query', WaitQuery), validate('json', TestAllBody.optional()), async (c) => {
      const body = c.req.valid('json') ?? { concurrency: 4 };
      const { orgId } = c.get('principal');
      const connections = await listOrgConnections(deps.db, orgId, { exceptStatus: 'disabled', order: 'created' });
      if (connections.length === 0) return c.json({ workflow_id: null, status: 'completed', total: 0, passed: 0, failed: 0, errored: 0, results: [] });
      const handle = await startIntegrationTestAll(deps.temporal, deps.taskQueue, {
        orgId,
        connectionIds: connections.map((x) => x.id),
        concurrency: body.concurrency,
        components: body.components,
        thresholds: thresholdsOf(body.thresholds),
      });
      const { workflowId } = handle;
      if (c.req.valid('query').wait === 'false') return c.json({ status: 'running', workflow_id: workflowId, run_id: handle.firstExecutionRunId }, 202);
      const result = await awaitResult(handle, () => handle.result());
      return c.json({
        workflow_id: workflowId,
        status: 'completed',
        total: result.total,
        passed: result.passed,
        failed: result.failed,
        errored: result.errored,
        results: result.results.map((r) => ({
          connection_id: r.connectionId,
          platform: r.platform,
          workflow_id: r.workflowId,
          report_id: r.reportId,
          status: r.status,
          failed_checks: r.failedChecks,
          health_status: r.healthStatus,
          duration_ms: r.durationMs,
          error: r.error,
        })),
      });
    })
    .get('/health-status', docs.healthStatus, validate('query', ConnectionsPageQuery), async (c) => {
      const { orgId } = c.get('principal');
      const healthOf = await orgConnectionHealth(deps.db, orgId, new Date());
      const { rows, page } = await forConnectionsPage(orgId, c.req.valid('query'), async (connection) => {
        const { health, lastTestedAt } = await healthOf(connection);
        return {
          connection_id: connection.id,
          platform: connection.platform,
          display_name: connection.display_name,
          data_mode: connection.data_mode,
          last_tested_at: lastTestedAt,
          ...presentHealth(health),
        };
      });
      return c.json({
        summary: { connections: rows.length, ...Object.fromEntries(HEALTH_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length])) },
        connections: rows,
        page,
      });
    })
    .post('/hybrid-data', docs.hybridData, validate('json', HybridDataBody), async (c) => {
      const body = c.req.valid('json');
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, body.connection_id);
      const window = { startDate: body.start_date, endDate: body.end_date };
      let read;
      try {
        read = await readInMode(deps, connection, { mode: 'hybrid', stream: body.stream, window, limit: body.limit });
      } catch (err) {
        // Only the mock side failing can reach here (a live failure falls back): the caller's stream or range is at fault.
        if (err instanceof ConnectorError) throw new ApiError(422, 'hybrid_read_failed', err.message, { kind: err.kind });
        throw err;
      }
      if (body.stream && read.stream !== body.stream)
        throw new ApiError(422, 'stream_unavailable', `The ${read.source} source of this connection does not serve ${body.stream}`, { field: 'stream' });
      await c.get('audit')({
        action: 'connection.data_read',
        targetType: 'connection',
        targetId: connection.id,
        outcome: 'success',
        details: {
          mode: 'hybrid',
          source: read.source,
          stream: read.stream,
          start_date: body.start_date,
          end_date: body.end_date,
          records: read.records.length,
          fallback_reason: read.fallbackReason,
        },
      });
      return c.json({
        connection_id: connection.id,
        platform: connection.platform,
        stream: read.stream,
        mode: 'hybrid',
        source: read.source,
        fallback_reason: read.fallbackReason,
        window: { start_date: body.start_date, end_date: body.end_date },
        records: read.records.map(presentMetricRecord),
        more: read.more,
      });
    })
    .get('/integration-status', docs.integrationStatus, async (c) => {
      const { orgId } = c.get('principal');
      const [connections, reports] = await Promise.all([orgConnections(orgId), latestIntegrationTestReportsOfOrg(deps.db, orgId)]);
      const latest = new Map(reports.map((r) => [r.connection_id, r]));
      const rows = connections.map((connection) => {
        const row = latest.get(connection.id);
        return {
          connection_id: connection.id,
          platform: connection.platform,
          display_name: connection.display_name,
          latest_report: row ? presentIntegrationTestReport(fullIntegrationTestReport(row)) : null,
        };
      });
      return c.json({
        summary: {
          connections: rows.length,
          tested: reports.length,
          passed: reports.filter((r) => r.status === 'passed').length,
          failed: reports.filter((r) => r.status === 'failed').length,
          never_tested: rows.filter((r) => r.latest_report === null).length,
        },
        connections: rows,
      });
    })
    .get('/data-modes', docs.dataModes, validate('query', ConnectionsPageQuery), async (c) => {
      const { rows, page } = await forConnectionsPage(c.get('principal').orgId, c.req.valid('query'), async (connection) => {
        const selection = await resolveConnectionSource(deps, connection);
        return {
          connection_id: connection.id,
          platform: connection.platform,
          display_name: connection.display_name,
          data_mode: connection.data_mode,
          effective_source: selection.source,
          reason: selection.reason,
        };
      });
      return c.json({ modes: DATA_MODES.map((mode) => ({ mode, description: MODE_DESCRIPTIONS[mode] })), connections: rows, page });
    });
}

const MODE_DESCRIPTIONS: Record<(typeof DATA_MODES)[number], string> = {
  mock: 'The seeded generator, always.',
  live: 'The platform, always; a failing platform fails the sync or read.',
  auto: 'Live when the platform has a live connector, the credentials are filled in, the connection is not awaiting re-authorisation and its recent live syncs are not a run of failures; mock otherwise.',
  hybrid: 'Live first; falls back to mock when live fails or its data fails the quality gate, with the reason.',
};
