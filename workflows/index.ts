/** Every workflow the worker registers. */
export { connectionSyncWorkflow } from './connection-sync';
export { keyRotationWorkflow } from './key-rotation';
export { oauthStateCleanupWorkflow } from './oauth-state-cleanup';
export { scheduledSyncWorkflow } from './scheduled-sync';
export { bulkSyncWorkflow } from './bulk-sync';
export { tokenRefreshWorkflow } from './token-refresh';
export { validationWorkflow } from './data-validation';
export { validateAllWorkflow } from './validate-all';
export { alertEvaluationWorkflow } from './alert-evaluation';
export { rolloutWorkflow } from './rollout';
export { integrationTestSuiteWorkflow } from './integration-test-suite';
export { integrationTestAllWorkflow } from './integration-test-all';
export { connectionScheduleReconciliationWorkflow } from './connection-schedule-reconciliation';
export { dataRetentionWorkflow } from './data-retention';
