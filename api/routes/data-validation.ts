import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { Hono } from 'hono';
import { z } from 'zod';
import { findReportByWorkflowId, fullReport, latestReportsOfOrg, listConnectionReports, orgScoreTrend, reportSummary } from '../../db/repositories/validation-reports';
import { QUALITY_LEVELS, SEVERITY_WEIGHTS } from '../../domain/data-quality-score';
import { OrgIdKey, connectionSearchAttributes } from '../../domain/search-attributes';
import type { ValidationReport } from '../../domain/validation-report';
import { VALIDATION_RULE_IDS, VALIDATION_RULES } from '../../domain/validation-rules';
import { connectionOfDataValidationWorkflowId, dataValidationWorkflowId, validateAllWorkflowId } from '../../domain/workflow-ids';
import { validationWorkflow } from '../../workflows/data-validation';
import { validateAllWorkflow } from '../../workflows/validate-all';
import type { Connection } from '../../db/schema';
import { ApiError, notFound } from '../api-error';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentValidationReport, presentValidationSummary } from '../presenters/validation-report';
import { loadOwnConnection } from './connections';

/** How long a synchronous validation request waits for its workflow before answering 504 with the workflow id. */
const SYNCHRONOUS_DEADLINE_MS = 60_000;

const ValidateAllQuery = z.object({ concurrency: z.coerce.number().int().min(1).max(20).default(4) });
const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(30) });
const TrendQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

/** Data validation of an org's synced data: run it (synchronously or not), read reports, summaries and the rules. */
export function dataValidationRoutes(deps: AppDeps) {
  function startValidation(connection: Connection, runKey: string) {
    return deps.temporal.workflow.start(validationWorkflow, {
      taskQueue: deps.taskQueue,
      workflowId: dataValidationWorkflowId(connection.id, runKey),
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform }],
      typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
    });
  }

  /** The workflow's result, or a 504 naming the workflow when it takes longer than the request may wait. */
  async function resultWithin<T>(handle: WorkflowHandle, result: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ApiError(504, 'validation_still_running', 'The validation is still running; read its result later', { workflow_id: handle.workflowId })),
        SYNCHRONOUS_DEADLINE_MS,
      );
    });
    try {
      return await Promise.race([result, deadline]);
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw new ApiError(502, 'validation_failed', `The validation failed: ${err.cause?.message ?? err.message}`, { workflow_id: handle.workflowId });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  return new Hono<AppEnv>()
    .get('/validation-rules', (c) =>
      c.json({
        rules: VALIDATION_RULE_IDS.map((id) => {
          const rule = VALIDATION_RULES[id];
          return { id, name: rule.name, severity: rule.severity, weight: SEVERITY_WEIGHTS[rule.severity], platforms: rule.platforms, description: rule.description };
        }),
        severity_weights: SEVERITY_WEIGHTS,
        levels: { excellent: [90, 100], good: [75, 89], fair: [60, 74], poor: [40, 59], critical: [0, 39] },
      }),
    )
    .get('/connections/validate-all', validate('query', ValidateAllQuery), async (c) => {
      const principal = c.get('principal');
      const connections = await deps.db.selectFrom('user_platform_connections').select('id').where('org_id', '=', principal.orgId).where('status', '<>', 'disabled').execute();
      if (connections.length === 0) return c.json({ workflow_id: null, total: 0, validated: 0, failed: 0, results: [] });
      const workflowId = validateAllWorkflowId(principal.orgId, randomUUID());
      const handle = await deps.temporal.workflow.start(validateAllWorkflow, {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [{ orgId: principal.orgId, connectionIds: connections.map((x) => x.id), concurrency: c.req.valid('query').concurrency }],
        typedSearchAttributes: [{ key: OrgIdKey, value: principal.orgId }],
      });
      const result = await resultWithin(handle, handle.result());
      return c.json({
        workflow_id: workflowId,
        total: result.total,
        validated: result.validated,
        failed: result.failed,
        results: result.results.map((r) => ({ connection_id: r.connectionId, platform: r.platform, workflow_id: r.workflowId, report_id: r.reportId, score: r.score, level: r.level, error: r.error })),
      });
    })
    .get('/connections/:id/validate', async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const handle = await startValidation(connection, randomUUID());
      const report: ValidationReport = await resultWithin(handle, handle.result());
      return c.json(presentValidationReport(report));
    })
    .post('/connections/:id/validate-async', async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const handle = await startValidation(connection, randomUUID());
      return c.json({ status: 'running', workflow_id: handle.workflowId, run_id: handle.firstExecutionRunId, result_url: `/api/v1/data-validation/validations/${handle.workflowId}` }, 202);
    })
    .get('/connections/:id/reports', validate('query', HistoryQuery), async (c) => {
      const connection = await loadOwnConnection(deps, c.get('principal').orgId, c.req.param('id'));
      const rows = await listConnectionReports(deps.db, connection.id, c.req.valid('query').limit);
      return c.json({ connection_id: connection.id, reports: rows.map((r) => presentValidationSummary(reportSummary(r))) });
    })
    .get('/validations/:workflow_id', async (c) => {
      const { orgId } = c.get('principal');
      const workflowId = c.req.param('workflow_id');
      const stored = await findReportByWorkflowId(deps.db, orgId, workflowId);
      if (stored) return c.json({ status: 'completed', workflow_id: workflowId, report: presentValidationReport(fullReport(stored)) });
      const connectionId = connectionOfDataValidationWorkflowId(workflowId);
      if (!connectionId) throw notFound('Validation');
      await loadOwnConnection(deps, orgId, connectionId).catch(() => {
        throw notFound('Validation');
      });
      const handle = deps.temporal.workflow.getHandle(workflowId);
      let status: string;
      try {
        status = (await handle.describe()).status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw notFound('Validation');
        throw err;
      }
      if (status === 'RUNNING') return c.json({ status: 'running', workflow_id: workflowId, report: null });
      // Closed since the read above: its report is stored now, unless it failed.
      const late = await findReportByWorkflowId(deps.db, orgId, workflowId);
      if (late) return c.json({ status: 'completed', workflow_id: workflowId, report: presentValidationReport(fullReport(late)) });
      const error = await handle.result().then(
        () => null,
        (err: unknown) => (err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : status.toLowerCase()),
      );
      return c.json({ status: 'failed', workflow_id: workflowId, error, report: null });
    })
    .get('/quality-summary', validate('query', TrendQuery), async (c) => {
      const { orgId } = c.get('principal');
      const [latest, trend] = await Promise.all([latestReportsOfOrg(deps.db, orgId), orgScoreTrend(deps.db, orgId, c.req.valid('query').days)]);
      const summaries = latest.map(reportSummary);
      const average = (xs: number[]) => (xs.length === 0 ? null : Math.round((10 * xs.reduce((a, b) => a + b, 0)) / xs.length) / 10);
      const platforms = [...new Set(summaries.map((s) => s.platform))].sort();
      const failing = new Map<string, number>();
      for (const s of summaries) for (const rule of s.failedRules) failing.set(rule, (failing.get(rule) ?? 0) + 1);
      return c.json({
        connections_validated: summaries.length,
        average_score: average(summaries.map((s) => s.score)),
        levels: Object.fromEntries(QUALITY_LEVELS.map((l) => [l, summaries.filter((s) => s.level === l).length])),
        platforms: platforms.map((p) => ({ platform: p, connections: summaries.filter((s) => s.platform === p).length, average_score: average(summaries.filter((s) => s.platform === p).map((s) => s.score)) })),
        failing_rules: [...failing.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([rule_id, connections]) => ({ rule_id, connections })),
        lowest: [...summaries].sort((a, b) => a.score - b.score).slice(0, 5).map(presentValidationSummary),
        trend: trend.map((t) => ({ date: t.date, average_score: t.averageScore, reports: t.reports })),
      });
    });
}
