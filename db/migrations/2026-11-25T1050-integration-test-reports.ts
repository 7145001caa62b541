import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('integration_test_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    // One report per workflow run: a retried activity finds the report its first attempt stored.
    .addColumn('run_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('target_source', 'text', (c) => c.notNull())
    .addColumn('checks_passed', 'integer', (c) => c.notNull())
    .addColumn('checks_failed', 'integer', (c) => c.notNull())
    .addColumn('checks_skipped', 'integer', (c) => c.notNull())
    .addColumn('failed_checks', sql`text[]`, (c) => c.notNull())
    .addColumn('health_status', 'text')
    .addColumn('quality_score', 'numeric(5, 1)')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('tested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('integration_test_reports_status_check', sql`status in ('passed', 'failed')`)
    .addCheckConstraint('integration_test_reports_health_check', sql`health_status is null or health_status in ('healthy', 'degraded', 'unhealthy')`)
    .execute();
  // The latest report per connection (integration-status, health-status) and lookups by workflow.
  await db.schema
    .createIndex('integration_test_reports_connection_time_idx')
    .on('integration_test_reports')
    .columns(['connection_id', 'tested_at desc'])
    .execute();
  await db.schema.createIndex('integration_test_reports_org_time_idx').on('integration_test_reports').columns(['org_id', 'tested_at desc']).execute();
  await db.schema.createIndex('integration_test_reports_workflow_idx').on('integration_test_reports').column('workflow_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('integration_test_reports').execute();
}
