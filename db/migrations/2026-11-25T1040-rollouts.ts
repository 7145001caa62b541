import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollouts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('created'))
    .addColumn('step_index', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('current_percentage', 'integer')
    // The workflow's state as of its latest transition; `revision` orders writes, so a retried
    // activity carrying an older snapshot never overwrites a newer one.
    .addColumn('state', 'jsonb')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rollback_cause', 'text')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('rollouts_strategy_check', sql`strategy in ('percentage', 'user', 'platform', 'feature_flag', 'ab_test')`)
    .addCheckConstraint(
      'rollouts_stage_check',
      sql`stage in ('created', 'validating', 'running', 'awaiting_approval', 'paused', 'completed', 'rolled_back', 'blocked')`,
    )
    .execute();
  // Listing an org's rollouts, and evaluate's read of the org's exposing ones.
  await db.schema.createIndex('rollouts_org_stage_idx').on('rollouts').columns(['org_id', 'stage']).execute();
  await db.schema.createIndex('rollouts_org_created_idx').on('rollouts').columns(['org_id', 'created_at desc']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollouts').execute();
}
