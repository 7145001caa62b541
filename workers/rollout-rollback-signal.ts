import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutRollbacks } from '../activities/alert-evaluation-activities';
import { OrgIdKey } from '../domain/search-attributes';
import { rolloutWorkflowId } from '../domain/workflow-ids';
import { rollbackRolloutSignal } from '../workflows/rollout';

/** The alert evaluation acts as this actor in the rollout's audit trail. */
const ALERT_ACTOR = { actorId: 'system:alert-evaluation', actorRole: 'system', requestId: null };

/**
 * Rolls a rollout back by signalling its workflow (`rollout:{id}`, the rollout module's `rollback` signal,
 * with the alert as its trigger). The run must belong to the alert's org (its OrgId search attribute),
 * else nothing is signalled. A rollout whose workflow no longer runs has nothing to roll back: not an error.
 */
export function createRolloutRollbackSignal(client: Client): RolloutRollbacks {
  return {
    async requestRollback({ rolloutId, orgId, trigger, reason }) {
      try {
        const handle = client.workflow.getHandle(rolloutWorkflowId(rolloutId));
        const description = await handle.describe();
        if (description.status.name !== 'RUNNING' || description.typedSearchAttributes.get(OrgIdKey) !== orgId) return { signalled: false };
        await handle.signal(rollbackRolloutSignal, { reason, actor: ALERT_ACTOR, trigger });
        return { signalled: true };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        return { signalled: false };
      }
    },
  };
}
