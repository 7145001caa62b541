import type { Kysely, Transaction } from 'kysely';
import type { IntegrationTestReport } from '../../domain/integration-test-report';
import type { Database, IntegrationTestReportRow } from '../schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Stores a suite's report once per workflow run: a retried activity gets back the report its first attempt stored. */
export async function storeIntegrationTestReport(db: Db, report: IntegrationTestReport, runId: string, testedAt: Date): Promise<IntegrationTestReport> {
  const stamped: IntegrationTestReport = { ...report, reportId: null, testedAt: testedAt.toISOString() };
  const inserted = await db
    .insertInto('integration_test_reports')
    .values({
      connection_id: report.connectionId,
      org_id: report.orgId,
      platform: report.platform,
      workflow_id: report.workflowId,
      run_id: runId,
      status: report.status,
      target_source: report.target.source,
      checks_passed: report.checksPassed,
      checks_failed: report.checksFailed,
      checks_skipped: report.checksSkipped,
      failed_checks: report.failedChecks,
      health_status: report.health?.status ?? null,
      quality_score: report.health?.qualityScore ?? null,
      duration_ms: report.durationMs,
      report: JSON.stringify(stamped),
      tested_at: testedAt,
    })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { ...stamped, reportId: inserted.id };
  return fullIntegrationTestReport(await db.selectFrom('integration_test_reports').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow());
}

export function fullIntegrationTestReport(row: IntegrationTestReportRow): IntegrationTestReport {
  return { ...(row.report as IntegrationTestReport), reportId: row.id };
}

/** The latest report of each of an org's connections. */
export async function latestIntegrationTestReportsOfOrg(db: Db, orgId: string): Promise<IntegrationTestReportRow[]> {
  return db
    .selectFrom('integration_test_reports')
    .selectAll()
    .distinctOn('connection_id')
    .where('org_id', '=', orgId)
    .orderBy('connection_id')
    .orderBy('tested_at', 'desc')
    .execute();
}

export async function latestIntegrationTestReport(db: Db, connectionId: string): Promise<IntegrationTestReportRow | undefined> {
  return db
    .selectFrom('integration_test_reports')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .orderBy('tested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
