import { type Kysely, sql } from 'kysely';

// Frozen once landed: later schema changes go in new, later-dated migrations.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_platform_connections')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('data_mode', 'text', (c) => c.notNull())
    .addColumn('sync_frequency', 'text', (c) => c.notNull().defaultTo('manual'))
    // Envelope encryption (security/credential-vault.ts): ciphertext under a per-row data key, that
    // key wrapped by the master key of credentials_key_version.
    .addColumn('credentials_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('credentials_wrapped_key', 'bytea', (c) => c.notNull())
    .addColumn('credentials_key_version', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'timestamptz')
    .addColumn('last_sync_status', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('user_platform_connections_org_platform_account_key', ['org_id', 'platform', 'account_id'])
    .addCheckConstraint('user_platform_connections_status_check', sql`status in ('active', 'reauth_required', 'error', 'disabled')`)
    .addCheckConstraint('user_platform_connections_data_mode_check', sql`data_mode in ('mock', 'live', 'auto', 'hybrid')`)
    .execute();
  await db.schema.createIndex('user_platform_connections_org_idx').on('user_platform_connections').columns(['org_id', 'created_at']).execute();
  // Key rotation walks the rows not yet under the current master key.
  await db.schema.createIndex('user_platform_connections_key_version_idx').on('user_platform_connections').columns(['credentials_key_version', 'id']).execute();

  await db.schema
    .createTable('data_sync_logs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('window_start', 'date', (c) => c.notNull())
    .addColumn('window_end', 'date', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('records_written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    // Where the last written page left off, written in the page's transaction: the exact resume point.
    .addColumn('checkpoint', 'jsonb')
    .addCheckConstraint('data_sync_logs_status_check', sql`status in ('running', 'completed', 'failed', 'cancelled')`)
    .addCheckConstraint('data_sync_logs_source_check', sql`source in ('live', 'mock')`)
    .execute();
  await db.schema.createIndex('data_sync_logs_connection_started_idx').on('data_sync_logs').columns(['connection_id', 'started_at desc']).execute();

  await db.schema
    .createTable('marketing_metrics')
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('user_platform_connections.id').onDelete('cascade'))
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('entity_name', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('impressions', 'bigint')
    .addColumn('clicks', 'bigint')
    .addColumn('spend', 'numeric(18, 4)')
    .addColumn('conversions', 'numeric(18, 4)')
    .addColumn('revenue', 'numeric(18, 4)')
    .addColumn('currency', 'text')
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('synced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The natural key: a re-sync of the same day updates the row instead of duplicating it.
    .addPrimaryKeyConstraint('marketing_metrics_pkey', ['connection_id', 'stream', 'entity_id', 'date'])
    .execute();
  await db.schema.createIndex('marketing_metrics_org_platform_date_idx').on('marketing_metrics').columns(['org_id', 'platform', 'date']).execute();

  await db.schema
    .createTable('platform_oauth_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('platform', 'text', (c) => c.notNull())
    .addColumn('code_verifier_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('code_verifier_wrapped_key', 'bytea', (c) => c.notNull())
    .addColumn('code_verifier_key_version', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('consumed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('platform_oauth_states_expires_idx').on('platform_oauth_states').column('expires_at').execute();

  await db.schema
    .createTable('user_data_preferences')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('default_data_mode', 'text', (c) => c.notNull().defaultTo('mock'))
    .addColumn('preferences', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('user_data_preferences_pkey', ['org_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_log_org_time_idx').on('audit_log').columns(['org_id', 'occurred_at']).execute();
  // Append-only: the application role may insert and read, never rewrite history.
  await sql`create function audit_log_reject_change() returns trigger language plpgsql as $$
    begin raise exception 'audit_log is append-only'; end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_reject_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await sql`drop function if exists audit_log_reject_change()`.execute(db);
  await db.schema.dropTable('user_data_preferences').execute();
  await db.schema.dropTable('platform_oauth_states').execute();
  await db.schema.dropTable('marketing_metrics').execute();
  await db.schema.dropTable('data_sync_logs').execute();
  await db.schema.dropTable('user_platform_connections').execute();
}
