import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ConnectionStatus, DataMode, DataSource } from '../domain/connection';
import type { PlatformId, StreamKind } from '../domain/platforms';
import type { SyncStatus } from '../domain/sync';

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
  org_id: string;
  actor_id: string;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  request_id: string | null;
  details: Generated<unknown>;
}

export interface Database {
  user_platform_connections: UserPlatformConnectionsTable;
  data_sync_logs: DataSyncLogsTable;
  marketing_metrics: MarketingMetricsTable;
  platform_oauth_states: PlatformOauthStatesTable;
  user_data_preferences: UserDataPreferencesTable;
  audit_log: AuditLogTable;
}

export type Connection = Selectable<UserPlatformConnectionsTable>;
export type NewConnection = Insertable<UserPlatformConnectionsTable>;
export type ConnectionUpdate = Updateable<UserPlatformConnectionsTable>;
export type SyncLog = Selectable<DataSyncLogsTable>;
export type NewSyncLog = Insertable<DataSyncLogsTable>;
export type MetricRow = Selectable<MarketingMetricsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
