import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_validation_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    // One report per workflow run: a retried activity finds the report its first attempt stored.
    .addColumn('run_id', 'text', (c) => c.notNull().unique())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('score', 'numeric(5, 1)', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('rules_applicable', 'integer', (c) => c.notNull())
    .addColumn('rules_passed', 'integer', (c) => c.notNull())
    .addColumn('rules_failed', 'integer', (c) => c.notNull())
    .addColumn('failed_rules', sql`text[]`, (c) => c.notNull())
    .addColumn('critical_failed', 'boolean', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('validated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('data_validation_reports_level_check', sql`level in ('excellent', 'good', 'fair', 'poor', 'critical')`)
    .execute();
  // A connection's history (trends, the quality gate's latest report) and an org's latest reports.
  await db.schema
    .createIndex('data_validation_reports_connection_time_idx')
    .on('data_validation_reports')
    .columns(['connection_id', 'validated_at desc'])
    .execute();
  await db.schema.createIndex('data_validation_reports_org_time_idx').on('data_validation_reports').columns(['org_id', 'validated_at desc']).execute();
  await db.schema.createIndex('data_validation_reports_workflow_idx').on('data_validation_reports').column('workflow_id').execute();
  // The validation rules read one connection's days: its latest day, the last 7 and 28 days, and the
  // org's ad connections' last 28 days, without walking every entity of the primary key.
  await db.schema.createIndex('marketing_metrics_connection_date_idx').on('marketing_metrics').columns(['connection_id', 'date']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('marketing_metrics_connection_date_idx').execute();
  await db.schema.dropTable('data_validation_reports').execute();
}
