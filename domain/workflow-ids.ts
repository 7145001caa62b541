/** Every workflow id is built here, so ids stay meaningful and collisions are deliberate. */

/** One sync per connection at a time: a second start while one runs is rejected by Temporal. */
export function connectionSyncWorkflowId(connectionId: string): string {
  return `connection-sync:${connectionId}`;
}

/** Key rotation covers every connection of the deployment: one at a time. */
export function keyRotationWorkflowId(): string {
  return 'credential-key-rotation';
}

/** The Schedule that purges expired OAuth states, and the id prefix of its runs. */
export function oauthStateCleanupScheduleId(): string {
  return 'oauth-state-cleanup';
}

/** The Schedule that runs a connection's recurring syncs. */
export function connectionSyncScheduleId(connectionId: string): string {
  return `connection-sync-schedule:${connectionId}`;
}

/** One bulk sync request of an org. */
export function bulkSyncWorkflowId(orgId: string, requestId: string): string {
  return `bulk-sync:${orgId}:${requestId}`;
}

/** One token refresh loop per connection: starting another replaces it (see startTokenRefreshWorkflow). */
export function tokenRefreshWorkflowId(connectionId: string): string {
  return `token-refresh:${connectionId}`;
}
