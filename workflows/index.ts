/** Every workflow the worker registers. */
export { connectionSyncWorkflow } from './connection-sync';
export { keyRotationWorkflow } from './key-rotation';
export { oauthStateCleanupWorkflow } from './oauth-state-cleanup';
export { scheduledSyncWorkflow } from './scheduled-sync';
export { bulkSyncWorkflow } from './bulk-sync';
export { tokenRefreshWorkflow } from './token-refresh';
