import { Hono } from 'hono';
import { runOutcomeWithin } from '../../workflow-clients/run-outcome';
import { z } from 'zod';
import { listOrgConnections } from '../../db/repositories/connections';
import {
  findReportByWorkflowId,
  fullReport,
  latestReport,
  latestReportsOfOrg,
  listConnectionReports,
  orgScoreTrend,
  reportSummary,
} from '../../db/repositories/validation-reports';
import { QUALITY_LEVELS, SEVERITY_WEIGHTS } from '../../domain/data-quality-score';
import { VALIDATION_RULE_IDS, VALIDATION_RULES } from '../../domain/validation-rules';
import { connectionOfDataValidationWorkflowId, connectionValidationWorkflowId, orgValidateAllWorkflowId } from '../../domain/workflow-ids';
import {
  startConnectionValidation,
  startOrgValidateAll,
  validateAllRunResult,
  validationRunReport,
  validationRunStatus,
} from '../../workflow-clients/data-validation';
import type { Connection } from '../../db/schema';
import type { DataSource } from '../../domain/connection';
import { ApiError, notFound } from '../api-error';
import { startOrJoinValidation } from '../validation-runs';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { DataSourceName, limitParam } from '../request-schemas';
import { presentValidationReport, presentValidationSummary } from '../presenters/validation-report';
import { loadOwnConnection } from '../own-connection';
import { routeDocs } from '../openapi/route-docs';
import {
  QualitySummaryResponse,
  ReportHistoryResponse,
  ValidateAllResponse,
  ValidationReportResponse,
  ValidationResultResponse,
  ValidationRulesResponse,
  ValidationRunningResponse,
  ValidationStartedResponse,
} from './data-validation-schemas';

const Flag = z.enum(['true', 'false']);
/** Which rows a validation judges or a report listing covers: live unless the caller asks for mock. */
const SourceQuery = z.object({ source: DataSourceName.default('live') });
/** `refresh=true` runs a validation even when the stored report is fresh (editor role); `wait=false` answers 202 at once. */
const RunQuery = SourceQuery.extend({ refresh: Flag.default('false'), wait: Flag.default('true') });
const ValidateAllQuery = RunQuery.extend({ concurrency: z.coerce.number().int().min(1).max(20).default(4) });
const HistoryQuery = SourceQuery.extend({ limit: limitParam(200, 30) });
const TrendQuery = SourceQuery.extend({ days: z.coerce.number().int().min(1).max(365).default(30) });
const ResultQuery = z.object({ run_id: z.string().min(1).max(100).optional() });

const describeRoute = routeDocs('Data validation');
const NOT_FOUND = { 404: 'No connection of the org has this id' };
const TOO_MANY = 'The org has its limit of validations running (too_many_validations, with them in details)';
const RUNNING = [ValidationRunningResponse, 'wait=false: the validation runs; its result will be at result_url'] as const;
const RUN_ERRORS = {
  403: 'refresh=true needs the editor role (forbidden)',
  429: TOO_MANY,
  502: 'The validation failed (validation_failed)',
  504: 'The validation takes longer than the request waits (validation_still_running, with its result_url)',
};
const docs = {
  rules: describeRoute({
    summary: 'The validation rules: severity, weight, platforms, what each checks; the score levels',
    responses: { 200: ValidationRulesResponse },
  }),
  validateAll: describeRoute({
    summary: "Each connection's score: fresh stored reports as they are, the others validated in one run per org (joined if running)",
    responses: { 200: ValidateAllResponse, 202: [...RUNNING] },
    errors: RUN_ERRORS,
  }),
  validate: describeRoute({
    summary: "The connection's report: the stored one while fresh, else the run going or a new one",
    responses: { 200: ValidationReportResponse, 202: [...RUNNING] },
    errors: { ...NOT_FOUND, ...RUN_ERRORS },
  }),
  validateAsync: describeRoute({
    summary: "Starts (or joins) a validation of the connection's rows; read the result at result_url",
    responses: { 202: ValidationStartedResponse },
    errors: { ...NOT_FOUND, 429: TOO_MANY },
  }),
  reports: describeRoute({ summary: "The connection's stored reports, newest first", responses: { 200: ReportHistoryResponse }, errors: NOT_FOUND }),
  result: describeRoute({
    summary: 'A validation run: running, completed with its report, or failed with the error',
    responses: { 200: ValidationResultResponse },
    errors: { 404: 'No validation of a connection of the org has this id' },
  }),
  qualitySummary: describeRoute({
    summary: "The org's latest scores summarised: average, levels, platforms, failing rules, lowest five, daily trend",
    responses: { 200: QualitySummaryResponse },
  }),
};

const resultUrl = (workflowId: string, runId: string) =>
  `/api/v1/data-validation/validations/${encodeURIComponent(workflowId)}?run_id=${encodeURIComponent(runId)}`;

/**
 * Data validation of an org's synced data: run it (synchronously or not), read reports, summaries and
 * the rules. The GETs any viewer may call serve the stored report while it is fresh
 * (limits.validationReportMaxAgeMs); otherwise they join the validation running for the connection
 * (or the org's validate-all) or start one, within the org's limit of running validations.
 * Forcing a run over a fresh report (`refresh=true`, POST validate-async) needs the editor role (ELEVATED_ACCESS).
 */
export function dataValidationRoutes(deps: AppDeps) {
  const isFresh = (validatedAt: Date, now: number) => now - validatedAt.getTime() <= deps.limits.validationReportMaxAgeMs;

  /** Joins the running validation of the connection's rows of `source` or starts one (one per connection and source at a time). */
  function runValidation(connection: Connection, source: DataSource) {
    return startOrJoinValidation(deps, connection.org_id, connectionValidationWorkflowId(connection.id, source), () =>
      startConnectionValidation(deps.temporal, deps.taskQueue, connection, source),
    );
  }

  /** The run's result, a 504 naming where to read it when it takes longer than a request waits, or a 502 when it failed. */
  async function resultWithin<T>(result: () => Promise<T>, workflowId: string, runId: string, url = resultUrl(workflowId, runId)): Promise<T> {
    const outcome = await runOutcomeWithin(deps.temporal, deps.limits.runWaitMs, result);
    if (outcome.status === 'completed') return outcome.result;
    if (outcome.status === 'failed') throw new ApiError(502, 'validation_failed', `The validation failed: ${outcome.message}`, { workflow_id: workflowId });
    throw new ApiError(504, 'validation_still_running', 'The validation is still running; read its result later', {
      workflow_id: workflowId,
      run_id: runId,
      result_url: url,
    });
  }

  const running = (run: { workflowId: string; runId: string; joined: boolean }, url = resultUrl(run.workflowId, run.runId)) => ({
    status: 'running',
    workflow_id: run.workflowId,
    run_id: run.runId,
    joined: run.joined,
    result_url: url,
  });
  // A validate-all run is read by asking again: the GET joins it while it runs and serves its reports once stored.
  const VALIDATE_ALL_URL = '/api/v1/data-validation/connections/validate-all';

  return new Hono<AppEnv>()
    .get('/validation-rules', docs.rules, (c) =>
      c.json({
        rules: VALIDATION_RULE_IDS.map((id) => {
          const rule = VALIDATION_RULES[id];
          return {
            id,
            name: rule.name,
            severity: rule.severity,
            weight: SEVERITY_WEIGHTS[rule.severity],
            platforms: rule.platforms,
            description: rule.description,
          };
        }),
        severity_weights: SEVERITY_WEIGHTS,
        levels: { excellent: [90, 100], good: [75, 89], fair: [60, 74], poor: [40, 59], critical: [0, 39] },
      }),
    )
    .get('/connections/validate-all', docs.validateAll, validate('query', ValidateAllQuery), async (c) => {
      const principal = c.get('principal');
      const query = c.req.valid('query');
      const refresh = query.refresh === 'true';
      const connections = await listOrgConnections(deps.db, principal.orgId, { exceptStatus: 'disabled' });
      if (connections.length === 0)
        return c.json({ workflow_id: null, source: query.source, served: 'stored', total: 0, validated: 0, failed: 0, results: [] });
      const now = Date.now();
      const fresh = new Map(
        (await latestReportsOfOrg(deps.db, principal.orgId, query.source))
          .filter((r) => !refresh && isFresh(r.validated_at, now))
          .map((r) => [r.connection_id, r]),
      );
      const stale = connections.filter((x) => !fresh.has(x.id));
      const storedResults = (ids: string[]) =>
        ids.flatMap((id) => {
          const r = fresh.get(id);
          return r
            ? [
                {
                  connection_id: id,
                  platform: r.platform,
                  workflow_id: r.workflow_id,
                  source: r.source,
                  report_id: r.id,
                  score: Number(r.score),
                  level: r.level,
                  error: null,
                },
              ]
            : [];
        });
      if (stale.length === 0) {
        const results = storedResults(connections.map((x) => x.id));
        return c.json({ workflow_id: null, source: query.source, served: 'stored', total: results.length, validated: results.length, failed: 0, results });
      }
      // Only the connections without a fresh report are validated; the others are served as stored.
      const workflowId = orgValidateAllWorkflowId(principal.orgId, query.source);
      const run = await startOrJoinValidation(deps, principal.orgId, workflowId, () =>
        startOrgValidateAll(deps.temporal, deps.taskQueue, {
          orgId: principal.orgId,
          connectionIds: stale.map((x) => x.id),
          concurrency: query.concurrency,
          source: query.source,
        }),
      );
      if (query.wait === 'false') return c.json(running(run, VALIDATE_ALL_URL), 202);
      const result = await resultWithin(() => validateAllRunResult(deps.temporal, run.workflowId, run.runId), run.workflowId, run.runId, VALIDATE_ALL_URL);
      const covered = new Set(result.results.map((r) => r.connectionId));
      const results = [
        ...result.results.map((r) => ({
          connection_id: r.connectionId,
          platform: r.platform,
          workflow_id: r.workflowId,
          source: r.source,
          report_id: r.reportId,
          score: r.score,
          level: r.level,
          error: r.error,
        })),
        ...storedResults(connections.map((x) => x.id).filter((id) => !covered.has(id))),
      ];
      return c.json({
        workflow_id: workflowId,
        source: query.source,
        served: 'run',
        total: results.length,
        validated: results.filter((r) => r.error === null).length,
        failed: result.failed,
        results,
      });
    })
    .get('/connections/:id/validate', docs.validate, validate('query', RunQuery), async (c) => {
      const principal = c.get('principal');
      const query = c.req.valid('query');
      const connection = await loadOwnConnection(deps, principal.orgId, c.req.param('id'));
      // refresh=true needs an editor (ELEVATED_ACCESS, checked before the route runs).
      if (query.refresh !== 'true') {
        const stored = await latestReport(deps.db, connection.id, query.source);
        if (stored && isFresh(stored.validated_at, Date.now())) return c.json({ ...presentValidationReport(fullReport(stored)), served: 'stored' });
      }
      const run = await runValidation(connection, query.source);
      if (query.wait === 'false') return c.json(running(run), 202);
      const report = await resultWithin(() => validationRunReport(deps.temporal, run.workflowId, run.runId), run.workflowId, run.runId);
      return c.json({ ...presentValidationReport(report), served: 'run' });
    })
    .post('/connections/:id/validate-async', docs.validateAsync, validate('query', SourceQuery), async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const { source } = c.req.valid('query');
      return c.json({ ...running(await runValidation(connection, source)), source }, 202);
    })
    .get('/connections/:id/reports', docs.reports, validate('query', HistoryQuery), async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const { limit, source } = c.req.valid('query');
      const rows = await listConnectionReports(deps.db, connection.id, limit, source);
      return c.json({ connection_id: connection.id, source, reports: rows.map((r) => presentValidationSummary(reportSummary(r))) });
    })
    .get('/validations/:workflow_id', docs.result, validate('query', ResultQuery), async (c) => {
      const { orgId } = c.get('principal');
      const workflowId = c.req.param('workflow_id');
      const runId = c.req.valid('query').run_id;
      const connectionId = connectionOfDataValidationWorkflowId(workflowId);
      if (!connectionId) throw notFound('Validation');
      await loadOwnConnection(deps, orgId, connectionId).catch(() => {
        throw notFound('Validation');
      });
      // A connection's validation id is reused by its later runs: the run asked for, or the latest. Its status
      // is null past Temporal's retention: the stored report, if any, is all there is.
      const status = await validationRunStatus(deps.temporal, workflowId, runId);
      if (status === 'RUNNING') return c.json({ status: 'running', workflow_id: workflowId, report: null });
      const stored = await findReportByWorkflowId(deps.db, orgId, workflowId, runId);
      if (stored) return c.json({ status: 'completed', workflow_id: workflowId, report: presentValidationReport(fullReport(stored)) });
      if (status === null) throw notFound('Validation');
      // The run ended without a stored report: its failure's message, or how it ended (terminated, timed out).
      const outcome = await runOutcomeWithin(deps.temporal, deps.limits.runWaitMs, () => validationRunReport(deps.temporal, workflowId, runId)).catch(
        () => null,
      );
      const error = outcome?.status === 'failed' ? outcome.message : outcome?.status === 'completed' ? null : status.toLowerCase();
      return c.json({ status: 'failed', workflow_id: workflowId, error, report: null });
    })
    .get('/quality-summary', docs.qualitySummary, validate('query', TrendQuery), async (c) => {
      const { orgId } = c.get('principal');
      const { days, source } = c.req.valid('query');
      const [latest, trend] = await Promise.all([latestReportsOfOrg(deps.db, orgId, source), orgScoreTrend(deps.db, orgId, days, source)]);
      const summaries = latest.map(reportSummary);
      const average = (xs: number[]) => (xs.length === 0 ? null : Math.round((10 * xs.reduce((a, b) => a + b, 0)) / xs.length) / 10);
      const platforms = [...new Set(summaries.map((s) => s.platform))].sort();
      const failing = new Map<string, number>();
      for (const s of summaries) for (const rule of s.failedRules) failing.set(rule, (failing.get(rule) ?? 0) + 1);
      return c.json({
        source,
        connections_validated: summaries.length,
        average_score: average(summaries.map((s) => s.score)),
        levels: Object.fromEntries(QUALITY_LEVELS.map((l) => [l, summaries.filter((s) => s.level === l).length])),
        platforms: platforms.map((p) => ({
          platform: p,
          connections: summaries.filter((s) => s.platform === p).length,
          average_score: average(summaries.filter((s) => s.platform === p).map((s) => s.score)),
        })),
        failing_rules: [...failing.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([rule_id, connections]) => ({ rule_id, connections })),
        lowest: [...summaries]
          .sort((a, b) => a.score - b.score)
          .slice(0, 5)
          .map(presentValidationSummary),
        trend: trend.map((t) => ({ date: t.date, average_score: t.averageScore, reports: t.reports })),
      });
    });
}
