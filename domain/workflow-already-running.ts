/**
 * The workflows whose id admits one run at a time, so a second start is refused while one runs:
 * a connection's sync (sync, backfill, resync), the deployment's key rotation, a rollout.
 */
export type SingleRunWorkflow = 'connection_sync' | 'key_rotation' | 'rollout';

/**
 * A start refused because the workflow's one run is already going (Temporal's
 * WorkflowExecutionAlreadyStartedError, translated by the workflow's starter in workflow-clients/).
 */
export class WorkflowAlreadyRunning extends Error {
  override readonly name = 'WorkflowAlreadyRunning';
  constructor(
    readonly workflow: SingleRunWorkflow,
    readonly workflowId: string,
    message: string,
  ) {
    super(message);
  }
}
