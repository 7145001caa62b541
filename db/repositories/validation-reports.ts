import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { ValidationReport, ValidationReportSummary } from '../../domain/validation-report';
import type { DataSource } from '../../domain/connection';
import type { DataValidationReportRow, Database } from '../schema';
import { servingSource } from './serving-source';

type Db = Kysely<Database> | Transaction<Database>;

/** Stores a report once per workflow run: a retried activity gets back the report its first attempt stored. */
export async function storeValidationReport(db: Db, report: Omit<ValidationReport, 'reportId'>, runId: string): Promise<ValidationReport> {
  const failedRules = report.rules.filter((r) => r.applicable && !r.passed);
  const inserted = await db
    .insertInto('data_validation_reports')
    .values({
      connection_id: report.connectionId,
      org_id: report.orgId,
      platform: report.platform,
      workflow_id: report.workflowId,
      run_id: runId,
      source: report.source ?? null,
      as_of: report.asOf,
      score: report.score,
      level: report.level,
      rules_applicable: report.rulesApplicable,
      rules_passed: report.rulesPassed,
      rules_failed: report.rulesFailed,
      failed_rules: failedRules.map((r) => r.ruleId),
      critical_failed: failedRules.some((r) => r.severity === 'critical'),
      row_count: report.rowCount,
      duration_ms: report.durationMs,
      report: JSON.stringify(report),
      validated_at: report.validatedAt,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { ...report, reportId: inserted.id };
  const existing = await db.selectFrom('data_validation_reports').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow();
  return fullReport(existing);
}

export function fullReport(row: DataValidationReportRow): ValidationReport {
  return { ...(row.report as Omit<ValidationReport, 'reportId'>), reportId: row.id };
}

export function reportSummary(row: DataValidationReportRow): ValidationReportSummary {
  return {
    reportId: row.id,
    connectionId: row.connection_id,
    platform: row.platform,
    workflowId: row.workflow_id,
    ...(row.source ? { source: row.source } : {}),
    asOf: row.as_of,
    validatedAt: row.validated_at.toISOString(),
    score: Number(row.score),
    level: row.level,
    rulesApplicable: row.rules_applicable,
    rulesPassed: row.rules_passed,
    rulesFailed: row.rules_failed,
    rowCount: Number(row.row_count),
    failedRules: row.failed_rules,
    criticalFailed: row.critical_failed,
  };
}

/** The report of a validation workflow: of its run `runId`, or its latest (an id is reused by later runs). */
export async function findReportByWorkflowId(db: Db, orgId: string, workflowId: string, runId?: string): Promise<DataValidationReportRow | undefined> {
  let query = db.selectFrom('data_validation_reports').selectAll().where('org_id', '=', orgId).where('workflow_id', '=', workflowId);
  if (runId) query = query.where('run_id', '=', runId);
  return query.orderBy('validated_at', 'desc').limit(1).executeTakeFirst();
}

/** A connection's latest report, of the given source's rows when asked (reports from before sources were recorded count for either). */
export async function latestReport(db: Db, connectionId: string, source?: DataSource): Promise<DataValidationReportRow | undefined> {
  let query = db.selectFrom('data_validation_reports').selectAll().where('connection_id', '=', connectionId);
  if (source) query = query.where(sql<boolean>`${ofSource(source)}`);
  return query.orderBy('validated_at', 'desc').limit(1).executeTakeFirst();
}

/** The score (0-100) of the latest report on the rows that serve the connection; null before its first validation. */
export async function latestValidationScore(db: Db, connectionId: string): Promise<number | null> {
  const connection = await db.selectFrom('user_platform_connections').select(['id', 'data_mode']).where('id', '=', connectionId).executeTakeFirst();
  const row = connection && (await latestReport(db, connectionId, await servingSource(db, connection)));
  return row ? Number(row.score) : null;
}

/** Reports on the rows of `source`; those from before reports recorded their source count for either. */
function ofSource(source: DataSource) {
  return sql`(source = ${source} or source is null)`;
}

/** A connection's reports on one source's rows, newest first: its score trend. */
export async function listConnectionReports(db: Db, connectionId: string, limit: number, source: DataSource = 'live'): Promise<DataValidationReportRow[]> {
  return db
    .selectFrom('data_validation_reports')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where(sql<boolean>`${ofSource(source)}`)
    .orderBy('validated_at', 'desc')
    .limit(limit)
    .execute();
}

/** The latest report on one source's rows of each of an org's connections. */
export async function latestReportsOfOrg(db: Db, orgId: string, source: DataSource = 'live'): Promise<DataValidationReportRow[]> {
  return db
    .selectFrom('data_validation_reports')
    .selectAll()
    .distinctOn('connection_id')
    .where('org_id', '=', orgId)
    .where(sql<boolean>`${ofSource(source)}`)
    .orderBy('connection_id')
    .orderBy('validated_at', 'desc')
    .execute();
}

/** The org's average score per day over the last `days` days: the trend of its data quality. */
export async function orgScoreTrend(
  db: Db,
  orgId: string,
  days: number,
  source: DataSource = 'live',
): Promise<{ date: string; averageScore: number; reports: number }[]> {
  const rows = await sql<{ date: string; average_score: number; reports: number }>`
    select (validated_at at time zone 'UTC')::date::text as date, round(avg(score), 1)::float8 as average_score, count(*)::int as reports
    from data_validation_reports
    where org_id = ${orgId} and ${ofSource(source)} and validated_at >= now() - make_interval(days => ${days})
    group by 1 order by 1`.execute(db);
  return rows.rows.map((r) => ({ date: r.date, averageScore: r.average_score, reports: r.reports }));
}

/**
 * The connections a validate-all run covers (disabled ones excepted): never-validated first (newest
 * first), then the longest unvalidated, so a run cut short leaves the freshest reports behind.
 */
export async function listValidationTargetRows(db: Db, filter: { orgId?: string; connectionIds?: string[] }) {
  const lastValidated = db
    .selectFrom('data_validation_reports')
    .select(['connection_id', (eb) => eb.fn.max('validated_at').as('validated_at')])
    .groupBy('connection_id')
    .as('r');
  let query = db
    .selectFrom('user_platform_connections as c')
    .leftJoin(lastValidated, 'r.connection_id', 'c.id')
    .select(['c.id', 'c.org_id', 'c.platform'])
    .where('c.status', '<>', 'disabled');
  if (filter.orgId) query = query.where('c.org_id', '=', filter.orgId);
  if (filter.connectionIds)
    query = query.where('c.id', 'in', filter.connectionIds.length > 0 ? filter.connectionIds : ['00000000-0000-0000-0000-000000000000']);
  return query
    .orderBy(sql`r.validated_at asc nulls first`)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id')
    .execute();
}
