import type { DataSource } from './connection';
/** Every workflow id is built here, so ids stay meaningful and collisions are deliberate. */

/** One sync per connection at a time: a second start while one runs is rejected by Temporal. */
export function connectionSyncWorkflowId(connectionId: string): string {
  return `connection-sync:${connectionId}`;
}

/** Key rotation covers every connection of the deployment: one at a time. */
export function keyRotationWorkflowId(): string {
  return 'credential-key-rotation';
}

/** The Schedule that deletes synced rows past their retention every day, and the id prefix of its runs. */
export function dataRetentionScheduleId(): string {
  return 'data-retention-daily';
}

/** The Schedule that purges expired OAuth states, and the id prefix of its runs. */
export function oauthStateCleanupScheduleId(): string {
  return 'oauth-state-cleanup';
}

/** The Schedule that runs a connection's recurring syncs. */
export function connectionSyncScheduleId(connectionId: string): string {
  return `connection-sync-schedule:${connectionId}`;
}

/** The connection a sync Schedule id belongs to, or null when the id is not one. */
export function connectionOfSyncScheduleId(scheduleId: string): string | null {
  const match = /^connection-sync-schedule:([0-9a-f-]{36})$/i.exec(scheduleId);
  return match ? match[1]! : null;
}

/** The Schedule that brings every connection's sync Schedule in line with Postgres, and the id prefix of its runs. */
export function connectionScheduleReconciliationScheduleId(): string {
  return 'connection-schedule-reconciliation';
}

/** One bulk sync request of an org; `runKey` is fresh per request (never a client's request id). */
export function bulkSyncWorkflowId(orgId: string, runKey: string): string {
  return `bulk-sync:${orgId}:${runKey}`;
}

/** One token refresh loop per connection: starting another replaces it (see workflow-clients/token-refresh.ts). */
export function tokenRefreshWorkflowId(connectionId: string): string {
  return `token-refresh:${connectionId}`;
}

/** One validation run of a connection; `key` tells runs apart (a fresh run key, or the parent run's id). */
export function dataValidationWorkflowId(connectionId: string, key: string): string {
  return `data-validation:${connectionId}:${key}`;
}

/**
 * The validation the API runs for a connection's rows of one source: one id per connection and source,
 * so a second request while it runs joins it instead of starting another (a later run reuses the id;
 * run ids tell them apart).
 */
export function connectionValidationWorkflowId(connectionId: string, source: DataSource): string {
  return `data-validation:${connectionId}:${source}`;
}

/** The connection a validation workflow id belongs to, or null when the id is not one. */
export function connectionOfDataValidationWorkflowId(workflowId: string): string | null {
  const match = /^data-validation:([0-9a-f-]{36})(?::[^:]+)?$/i.exec(workflowId);
  return match ? match[1]! : null;
}

/** One validate-all run: of an org (API) or of every org (the daily Schedule). */
export function validateAllWorkflowId(scope: string, key: string): string {
  return `validate-all:${scope}:${key}`;
}

/** An org's validate-all run from the API: one at a time per org and source, joined by further requests. */
export function orgValidateAllWorkflowId(orgId: string, source: DataSource): string {
  return `validate-all:org:${orgId}:${source}`;
}

/** The Schedule that validates every active connection daily. */
export function dataValidationScheduleId(): string {
  return 'data-validation-daily';
}

/** The Schedule that evaluates the alert rules every minute, and the id prefix of its runs. */
export function alertEvaluationScheduleId(): string {
  return 'alert-evaluation';
}

/** One long-lived workflow per rollout; its `rollback` signal is also what a critical alert sends. */
export function rolloutWorkflowId(rolloutId: string): string {
  return `rollout:${rolloutId}`;
}

/** One integration test suite run of a connection; `key` tells runs apart (a fresh run key, or the parent run's id). */
export function integrationTestWorkflowId(connectionId: string, key: string): string {
  return `integration-test:${connectionId}:${key}`;
}

/** One test-all run over an org's connections. */
export function integrationTestAllWorkflowId(orgId: string, key: string): string {
  return `integration-test-all:${orgId}:${key}`;
}
