import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Time series: one row per (metric, label set) per sampling interval or per recorded value.
  await db.schema
    .createTable('metric_samples')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('value', 'double precision', (c) => c.notNull())
    // null: a service metric of the deployment; else the org that recorded it through the API.
    .addColumn('org_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('metric_samples_kind_check', sql`kind in ('counter', 'gauge', 'histogram', 'timer')`)
    .execute();
  await db.schema.createIndex('metric_samples_name_time_idx').on('metric_samples').columns(['name', 'recorded_at']).execute();
  // Retention deletes by age alone.
  await db.schema.createIndex('metric_samples_time_idx').on('metric_samples').column('recorded_at').execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    // rule + org + labels: at most one open alert per fingerprint (the partial unique index below).
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('initial_severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('labels', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_evaluated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('rollback_requested_at', 'timestamptz')
    .addCheckConstraint('alerts_status_check', sql`status in ('firing', 'escalated', 'resolved')`)
    .addCheckConstraint(
      'alerts_severity_check',
      sql`severity in ('low', 'medium', 'high', 'critical') and initial_severity in ('low', 'medium', 'high', 'critical')`,
    )
    .execute();
  await sql`create unique index alerts_open_fingerprint_idx on alerts (fingerprint) where status <> 'resolved'`.execute(db);
  await db.schema.createIndex('alerts_org_time_idx').on('alerts').columns(['org_id', 'started_at desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('metric_samples').execute();
}
