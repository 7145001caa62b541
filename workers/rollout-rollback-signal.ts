import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutRollbacks } from '../activities/alert-evaluation-activities';
import { rolloutWorkflowId } from '../domain/workflow-ids';
import { rollbackRolloutSignal } from '../workflows/rollout';

/** The alert evaluation acts as this actor in the rollout's audit trail. */
const ALERT_ACTOR = { actorId: 'system:alert-evaluation', actorRole: 'system', requestId: null };

/**
 * Rolls a rollout back by signalling its workflow (`rollout:{id}`, the rollout module's `rollback` signal).
 * A rollout whose workflow no longer runs has nothing to roll back: that is not an error.
 */
export function createRolloutRollbackSignal(client: Client): RolloutRollbacks {
  return {
    async requestRollback({ rolloutId, reason }) {
      try {
        await client.workflow.getHandle(rolloutWorkflowId(rolloutId)).signal(rollbackRolloutSignal, { reason, actor: ALERT_ACTOR });
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    },
  };
}
