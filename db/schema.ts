import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ConnectionStatus, DataMode, DataSource } from '../domain/connection';
import type { PlatformId, StreamKind } from '../domain/platforms';
import type { SyncStatus } from '../domain/sync';
import type { QualityLevel } from '../domain/data-quality-score';
import type { AlertSeverity, AlertStatus, AlertType } from '../domain/alert-rules';
import type { MetricKind } from '../domain/metric-sample';
import type { SyncKind } from '../domain/sync-window';
import type { RecordIssueAction } from '../domain/record-quarantine';
import type { RolloutConfig, RolloutStage, RolloutState, RolloutStrategy } from '../domain/rollout';
import type { HealthStatus } from '../domain/connection-health';
import type { DataSource as IntegrationTargetSource } from '../domain/connection';

/** Timestamps are written as Date (or left to the column default) and read as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** Postgres `date` columns are read as 'YYYY-MM-DD' strings (see the type parser in db/database.ts). */
type IsoDate = ColumnType<string, string, string>;
/** bigint and numeric arrive as strings from pg; we parse them where they are read. */
type Numeric = ColumnType<string, number | string, number | string>;

export interface UserPlatformConnectionsTable {
  id: string;
  org_id: string;
  user_id: string;
  platform: PlatformId;
  account_id: string;
  display_name: string;
  status: ConnectionStatus;
  data_mode: DataMode;
  sync_frequency: string;
  /** Envelope-encrypted credentials (see SealedSecret); never leave the server. */
  credentials_ciphertext: Buffer;
  credentials_wrapped_key: Buffer;
  credentials_key_version: string;
  last_sync_at: Timestamp | null;
  last_sync_status: SyncStatus | null;
  created_at: Timestamp;
  /** Failed syncs since the last successful one (see the failure policy in db/sync-failure-policy.ts). */
  consecutive_sync_failures: Generated<number>;
  /** When a run of failures reached the warning threshold; null once a sync succeeds. */
  sync_warning_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface DataSyncLogsTable {
  id: Generated<string>;
  connection_id: string;
  org_id: string;
  platform: PlatformId;
  workflow_id: string;
  run_id: string;
  status: SyncStatus;
  source: DataSource;
  window_start: IsoDate;
  window_end: IsoDate;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  pages: Generated<number>;
  records_fetched: Generated<number>;
  records_written: Generated<number>;
  bytes_read: ColumnType<string, number | string | undefined, number | string>;
  error: string | null;
  checkpoint: SyncCheckpoint | null;
  /** The connection's data mode when the sync started (null on logs from before modes were recorded). */
  data_mode: ColumnType<DataMode | null, DataMode | null | undefined, DataMode | null>;
  /** Why a hybrid sync fell back from live to mock; null when it did not. */
  fallback_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** When it fell back: rows written before came from live, rows after from mock. */
  fallback_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  kind: ColumnType<SyncKind, SyncKind | undefined, SyncKind>;
  bytes_written: ColumnType<string, number | string | undefined, number | string>;
  /** Records left out because no column could hold one of their values (see data_sync_log_quarantine). */
  records_quarantined: Generated<number>;
  /** Records stored with their text cleaned (NUL stripped, unpaired surrogates replaced). */
  records_cleaned: Generated<number>;
}

/** The resume point of a running sync: the stream and the cursor after its last written page. */
export interface SyncCheckpoint {
  stream: StreamKind;
  cursor: string | null;
  done: boolean;
}

export interface MarketingMetricsTable {
  connection_id: string;
  stream: StreamKind;
  entity_id: string;
  date: IsoDate;
  org_id: string;
  platform: PlatformId;
  entity_name: string | null;
  parent_id: string | null;
  impressions: Numeric | null;
  clicks: Numeric | null;
  spend: Numeric | null;
  conversions: Numeric | null;
  revenue: Numeric | null;
  currency: string | null;
  raw: unknown;
  synced_at: Timestamp;
  /** When the row was first written; later upserts keep it. */
  first_synced_at: Timestamp;
  /** Which source wrote the row; part of the key (a live and a mock row of one day are two rows). */
  source: DataSource;
}

/** Mock rows that left marketing_metrics when live took over their stream. */
export interface MarketingMetricsMockArchiveTable extends MarketingMetricsTable {
  archived_at: Timestamp;
  /** The sync whose first live page retired them. */
  archived_by_sync_log_id: string | null;
}

export interface PlatformOauthStatesTable {
  state: string;
  org_id: string;
  user_id: string;
  platform: PlatformId;
  code_verifier_ciphertext: Buffer;
  code_verifier_wrapped_key: Buffer;
  code_verifier_key_version: string;
  redirect_uri: string;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface UserDataPreferencesTable {
  org_id: string;
  user_id: string;
  default_data_mode: DataMode;
  preferences: Generated<unknown>;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  /** Null for a deployment operator's actions, which belong to no org. */
  org_id: string | null;
  actor_id: string;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  request_id: string | null;
  details: Generated<unknown>;
}

export interface DataValidationReportsTable {
  id: Generated<string>;
  connection_id: string;
  org_id: string;
  platform: PlatformId;
  workflow_id: string;
  run_id: string;
  as_of: IsoDate;
  score: Numeric;
  level: QualityLevel;
  rules_applicable: number;
  rules_passed: number;
  rules_failed: number;
  failed_rules: string[];
  critical_failed: boolean;
  row_count: Numeric;
  duration_ms: number;
  /** The rows it judged: live or mock (null: a report from before rows recorded their source). */
  source: ColumnType<DataSource | null, DataSource | null | undefined, DataSource | null>;
  /** The whole ValidationReport as the workflow returned it. */
  report: unknown;
  validated_at: Timestamp;
}

export interface MetricSamplesTable {
  id: Generated<string>;
  name: string;
  kind: MetricKind;
  labels: ColumnType<Record<string, string>, string | undefined, string>;
  value: number;
  /** null: a service metric of the deployment; else the org that recorded it through the API. */
  org_id: string | null;
  /** Who recorded it: the sampled process (`api`, `worker`) or `api_custom`. */
  source: string;
  recorded_at: Timestamp;
}

export interface AlertsTable {
  id: Generated<string>;
  rule_id: string;
  fingerprint: string;
  org_id: string | null;
  type: AlertType;
  severity: AlertSeverity;
  initial_severity: AlertSeverity;
  status: AlertStatus;
  labels: ColumnType<Record<string, string>, string | undefined, string>;
  summary: string;
  value: number;
  threshold: number;
  started_at: Timestamp;
  last_evaluated_at: Timestamp;
  escalated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  resolved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** `auto` when the condition cleared, else the user who resolved it. */
  resolved_by: ColumnType<string | null, string | null | undefined, string | null>;
  rollback_requested_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** One stream of a sync: its window and what it read and wrote. */
export interface DataSyncLogStreamsTable {
  sync_log_id: string;
  stream: StreamKind;
  window_start: IsoDate;
  window_end: IsoDate;
  pages: Generated<number>;
  records_fetched: Generated<number>;
  records_written: Generated<number>;
  bytes_read: ColumnType<string, number | string | undefined, number | string>;
  bytes_written: ColumnType<string, number | string | undefined, number | string>;
  completed_at: Timestamp | null;
  /** Live platform requests of the stream (failed ones included) and their seconds: a rollout's analysis sums them. */
  platform_requests: Generated<number>;
  platform_request_errors: Generated<number>;
  platform_request_seconds: Generated<number>;
}

/** A sample of the records a sync cleaned or quarantined: which record, which field, why; never values. */
export interface DataSyncLogQuarantineTable {
  id: Generated<string>;
  sync_log_id: string;
  action: RecordIssueAction;
  stream: string;
  entity_id: string | null;
  record_date: string | null;
  field: string;
  reason: string;
  created_at: Generated<Timestamp>;
}

/** How far a stream of a connection is synced: the next incremental sync starts from here. */
export interface SyncStreamCursorsTable {
  connection_id: string;
  stream: StreamKind;
  synced_through: IsoDate;
  sync_log_id: string | null;
  updated_at: Timestamp;
}

export interface NotificationsTable {
  id: Generated<string>;
  org_id: string;
  connection_id: string | null;
  kind: string;
  payload: unknown;
  created_at: Timestamp;
  delivery_attempts: Generated<number>;
  delivered_at: Timestamp | null;
  last_error: string | null;
}

/** One shared token bucket of a platform quota (domain/platform-quotas.ts). */
export interface PlatformRateBucketsTable {
  platform: PlatformId;
  scope: 'app' | 'account';
  scope_key: string;
  quota: string;
  tokens: number;
  updated_at: Timestamp;
}

export interface RolloutsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  strategy: RolloutStrategy;
  config: ColumnType<RolloutConfig, string, string>;
  stage: ColumnType<RolloutStage, RolloutStage | undefined, RolloutStage>;
  step_index: ColumnType<number, number | undefined, number>;
  current_percentage: number | null;
  /** The workflow's state as of its latest transition (null before it started). */
  state: ColumnType<RolloutState | null, string | null | undefined, string | null>;
  revision: ColumnType<number, number | undefined, number>;
  rollback_cause: string | null;
  workflow_id: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IntegrationTestReportsTable {
  id: Generated<string>;
  connection_id: string;
  org_id: string;
  platform: PlatformId;
  workflow_id: string;
  run_id: string;
  status: 'passed' | 'failed';
  target_source: IntegrationTargetSource;
  checks_passed: number;
  checks_failed: number;
  checks_skipped: number;
  failed_checks: string[];
  health_status: HealthStatus | null;
  quality_score: Numeric | null;
  duration_ms: number;
  /** The whole IntegrationTestReport as the suite returned it. */
  report: unknown;
  tested_at: Timestamp;
}

/** A validation run the API started, while it may still run (the per-org limit's count). */
export interface ValidationRunsTable {
  run_id: string;
  workflow_id: string;
  org_id: string;
  started_at: Generated<Date>;
}

/** An org's retention default; `default_days` null keeps synced data forever. */
export interface OrgRetentionPoliciesTable {
  org_id: string;
  default_days: number | null;
  updated_at: Timestamp;
  updated_by: string;
}

/** A connection's own retention, over its org's default; `retention_days` null keeps its data forever. */
export interface ConnectionRetentionOverridesTable {
  connection_id: string;
  org_id: string;
  retention_days: number | null;
  updated_at: Timestamp;
  updated_by: string;
}

export interface Database {
  user_platform_connections: UserPlatformConnectionsTable;
  data_sync_logs: DataSyncLogsTable;
  marketing_metrics: MarketingMetricsTable;
  marketing_metrics_mock_archive: MarketingMetricsMockArchiveTable;
  /** View: marketing_metrics' live rows, without the source column. */
  live_marketing_metrics: Omit<MarketingMetricsTable, 'source'>;
  platform_oauth_states: PlatformOauthStatesTable;
  user_data_preferences: UserDataPreferencesTable;
  audit_log: AuditLogTable;
  data_validation_reports: DataValidationReportsTable;
  metric_samples: MetricSamplesTable;
  alerts: AlertsTable;
  data_sync_log_streams: DataSyncLogStreamsTable;
  data_sync_log_quarantine: DataSyncLogQuarantineTable;
  sync_stream_cursors: SyncStreamCursorsTable;
  notifications: NotificationsTable;
  platform_rate_buckets: PlatformRateBucketsTable;
  rollouts: RolloutsTable;
  integration_test_reports: IntegrationTestReportsTable;
  validation_runs: ValidationRunsTable;
  org_retention_policies: OrgRetentionPoliciesTable;
  connection_retention_overrides: ConnectionRetentionOverridesTable;
}

export type Connection = Selectable<UserPlatformConnectionsTable>;
export type NewConnection = Insertable<UserPlatformConnectionsTable>;
export type ConnectionUpdate = Updateable<UserPlatformConnectionsTable>;
export type SyncLog = Selectable<DataSyncLogsTable>;
export type NewSyncLog = Insertable<DataSyncLogsTable>;
export type MetricRow = Selectable<MarketingMetricsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
export type DataValidationReportRow = Selectable<DataValidationReportsTable>;
export type NewDataValidationReport = Insertable<DataValidationReportsTable>;
export type MetricSampleRow = Selectable<MetricSamplesTable>;
export type NewMetricSample = Insertable<MetricSamplesTable>;
export type AlertRow = Selectable<AlertsTable>;
export type NewAlert = Insertable<AlertsTable>;
export type SyncLogStream = Selectable<DataSyncLogStreamsTable>;
export type SyncLogQuarantineSample = Selectable<DataSyncLogQuarantineTable>;
export type SyncStreamCursor = Selectable<SyncStreamCursorsTable>;
export type Notification = Selectable<NotificationsTable>;
export type PlatformRateBucket = Selectable<PlatformRateBucketsTable>;
export type RolloutRow = Selectable<RolloutsTable>;
export type IntegrationTestReportRow = Selectable<IntegrationTestReportsTable>;
