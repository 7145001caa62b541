import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { credentialColumns, insertConnection } from '../../db/repositories/connections';
import type { Connection, Database, NewConnection } from '../../db/schema';
import type { AlertSeverity, AlertStatus, AlertType } from '../../domain/alert-rules';
import type { DataMode } from '../../domain/connection';
import type { PlatformId } from '../../domain/platforms';
import type { RolloutConfig } from '../../domain/rollout';
import { connectionSearchAttributes } from '../../domain/search-attributes';
import type { DateWindow } from '../../domain/sync';
import { connectionSyncWorkflowId } from '../../domain/workflow-ids';
import { connectionSyncWorkflow } from '../../workflows/connection-sync';
import type { TestHarness } from './test-harness';

/** A connection written straight to Postgres, credentials sealed as the API would. */
/**
 * A connection row with placeholder sealed credentials, for tests of what never opens them (repositories,
 * dashboards, quarantine): active, mock, manual, never synced unless `overrides` say otherwise.
 */
export function connectionRow(orgId: string, overrides: Partial<NewConnection> & { platform: PlatformId }): NewConnection {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    org_id: orgId,
    user_id: 'u1',
    account_id: `acct-${id}`,
    display_name: 'Test',
    status: 'active',
    data_mode: 'mock',
    sync_frequency: 'manual',
    credentials_ciphertext: Buffer.from([1]),
    credentials_wrapped_key: Buffer.from([2]),
    credentials_key_version: 'v1',
    last_sync_at: null,
    last_sync_status: null,
    ...overrides,
  };
}

export async function createTestConnection(
  harness: TestHarness,
  options: { platform: PlatformId; dataMode: DataMode; accountId?: string; credentials?: Record<string, string>; orgId?: string },
): Promise<Connection> {
  const id = randomUUID();
  return insertConnection(harness.database.db, {
    id,
    org_id: options.orgId ?? `org-${randomUUID().slice(0, 8)}`,
    user_id: 'test-user',
    platform: options.platform,
    account_id: options.accountId ?? `acct-${id.slice(0, 8)}`,
    display_name: `Test ${options.platform}`,
    status: 'active',
    data_mode: options.dataMode,
    sync_frequency: 'manual',
    ...credentialColumns(harness.vault.seal(id, options.credentials ?? {})),
    last_sync_at: null,
    last_sync_status: null,
  });
}

/** Starts a sync the way the API does: derived workflow id and the three search attributes. */
export function startSyncWorkflow(client: Client, connection: Connection, taskQueue: string, window?: DateWindow) {
  return client.workflow.start(connectionSyncWorkflow, {
    taskQueue,
    workflowId: connectionSyncWorkflowId(connection.id),
    args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform, window }],
    typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
  });
}

/**
 * A feature-flag rollout: everyone in scope exposed in one step. Tests state only what they measure
 * (step length, analysis interval, rollback sample size); the rest are ordinary criteria.
 */
export function featureFlagRollout(overrides: {
  minDurationSeconds: number;
  analysisIntervalSeconds: number;
  rollbackMinSampleSize?: number;
  maxInconclusiveSeconds?: number;
}): RolloutConfig {
  return {
    ...ORDINARY_CRITERIA,
    strategy: 'feature_flag',
    steps: [{ enabled: true, minDurationSeconds: overrides.minDurationSeconds }],
    rollback: { ...ORDINARY_CRITERIA.rollback, minSampleSize: overrides.rollbackMinSampleSize ?? 2 },
    analysisIntervalSeconds: overrides.analysisIntervalSeconds,
    maxInconclusiveSeconds: overrides.maxInconclusiveSeconds ?? 600,
  };
}

/** Succeeds at 90 % success and 10 % errors over two syncs, rolls back above 50 % errors; advances on its own. */
const ORDINARY_CRITERIA = {
  success: { minSuccessRate: 0.9, maxErrorRate: 0.1, minSampleSize: 2 },
  rollback: { maxErrorRate: 0.5, minSampleSize: 2 },
  advance: 'automatic',
} as const satisfies Partial<RolloutConfig>;

/** A percentage rollout of the given steps (percentage, minimum seconds), ordinary criteria, analysed every second. */
export function percentageRollout(
  steps: [percentage: number, minDurationSeconds: number][],
  overrides: Partial<Omit<RolloutConfig, 'strategy' | 'steps'>> = {},
): RolloutConfig {
  return {
    ...ORDINARY_CRITERIA,
    strategy: 'percentage',
    steps: steps.map(([percentage, minDurationSeconds]) => ({ percentage, minDurationSeconds })),
    analysisIntervalSeconds: 1,
    maxInconclusiveSeconds: 30,
    ...overrides,
  };
}

/** The API body of a one-step percentage rollout of Google Ads to live (a step long past each test). */
export function percentageRolloutRequest(name: string) {
  return {
    name,
    strategy: 'percentage',
    platforms: ['google_ads'],
    steps: [{ percentage: 100, min_duration_seconds: 600 }],
    success_criteria: { min_success_rate: 0.95, max_error_rate: 0.05, min_sample_size: 10 },
    rollback_criteria: { max_error_rate: 0.2, min_sample_size: 5 },
    analysis_interval_seconds: 1,
  };
}

/** An alert row as the evaluation writes one (firing since `at`, once evaluated), for tests of what reads or resolves alerts. */
export async function insertAlert(
  db: Kysely<Database>,
  alert: {
    orgId: string | null;
    type: AlertType;
    severity: AlertSeverity;
    status?: AlertStatus;
    labels?: Record<string, string>;
    summary?: string;
    at?: Date | string;
  },
): Promise<string> {
  const at = alert.at ?? new Date();
  const row = await db
    .insertInto('alerts')
    .values({
      rule_id: `test_${randomUUID().slice(0, 8)}`,
      fingerprint: randomUUID(),
      org_id: alert.orgId,
      type: alert.type,
      severity: alert.severity,
      initial_severity: alert.severity,
      status: alert.status ?? 'firing',
      labels: JSON.stringify(alert.labels ?? {}),
      summary: alert.summary ?? 'test alert',
      value: 2,
      threshold: 1,
      started_at: at,
      last_evaluated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
