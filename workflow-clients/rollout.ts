import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandleWithFirstExecutionRunId, WorkflowNotFoundError } from '@temporalio/client';
import type { RolloutRollbacks } from '../activities/alert-evaluation-activities';
import type { RolloutRow } from '../db/schema';
import type { RollbackCriteria, RolloutActor, SuccessCriteria } from '../domain/rollout';
import { OrgIdKey, orgSearchAttributes } from '../domain/search-attributes';
import { WorkflowAlreadyRunning } from '../domain/workflow-already-running';
import { rolloutWorkflowId } from '../domain/workflow-ids';
import {
  pauseRolloutSignal,
  promoteRolloutSignal,
  resumeRolloutSignal,
  rollbackRolloutSignal,
  type RolloutStatus,
  rolloutStatusQuery,
  rolloutWorkflow,
  type ThresholdChange,
  updateThresholdsUpdate,
} from '../workflows/rollout';

type RolloutRef = Pick<RolloutRow, 'id'>;

/**
 * Starts a stored rollout's workflow (id rollout:{id}, OrgId and Scope=org search attributes). A second
 * start while it runs throws WorkflowAlreadyRunning.
 */
export async function startRolloutWorkflow(
  client: Client,
  taskQueue: string,
  rollout: Pick<RolloutRow, 'id' | 'org_id' | 'config'>,
  startedBy: RolloutActor,
  options: { loopsPerRun?: number } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof rolloutWorkflow>> {
  const workflowId = rolloutWorkflowId(rollout.id);
  try {
    return await client.workflow.start(rolloutWorkflow, {
      taskQueue,
      workflowId,
      args: [{ rolloutId: rollout.id, orgId: rollout.org_id, config: rollout.config, startedBy, loopsPerRun: options.loopsPerRun }],
      typedSearchAttributes: orgSearchAttributes(rollout.org_id),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new WorkflowAlreadyRunning('rollout', workflowId, 'The rollout has already started');
    throw err;
  }
}

const handleOf = (client: Client, rollout: RolloutRef) => client.workflow.getHandle<typeof rolloutWorkflow>(rolloutWorkflowId(rollout.id));

/** A person's controls of a running rollout (pause, resume, promote): `actor` is recorded and audited. */
export async function pauseRollout(client: Client, rollout: RolloutRef, actor: RolloutActor): Promise<void> {
  await handleOf(client, rollout).signal(pauseRolloutSignal, { actor });
}

export async function resumeRollout(client: Client, rollout: RolloutRef, actor: RolloutActor): Promise<void> {
  await handleOf(client, rollout).signal(resumeRolloutSignal, { actor });
}

/** Skips the remaining steps: everyone in scope is exposed (100 %). */
export async function promoteRollout(client: Client, rollout: RolloutRef, actor: RolloutActor): Promise<void> {
  await handleOf(client, rollout).signal(promoteRolloutSignal, { actor });
}

/** A person's rollback: recorded as manual. The alert-driven one is createRolloutRollbackSignal's. */
export async function rollBackRollout(client: Client, rollout: RolloutRef, actor: RolloutActor, reason: string): Promise<void> {
  await handleOf(client, rollout).signal(rollbackRolloutSignal, { reason, actor, trigger: { kind: 'manual' } });
}

/**
 * Changes a running rollout's criteria; answers the criteria now in force. The workflow validates the
 * change: a rejected one throws WorkflowUpdateFailedError.
 */
export function updateRolloutThresholds(
  client: Client,
  rollout: RolloutRef,
  change: ThresholdChange,
): Promise<{ success: SuccessCriteria; rollback: RollbackCriteria }> {
  return handleOf(client, rollout).executeUpdate(updateThresholdsUpdate, { args: [change] });
}

/** The running workflow's own state, or null when it cannot answer (closed, or no worker). */
export function liveRolloutStatus(client: Client, rollout: RolloutRef): Promise<RolloutStatus | null> {
  return handleOf(client, rollout)
    .query(rolloutStatusQuery)
    .catch(() => null);
}

/** The alert evaluation acts as this actor in the rollout's audit trail. */
const ALERT_ACTOR = { actorId: 'system:alert-evaluation', actorRole: 'system', requestId: null };

/**
 * The alert evaluation's rollbacks: signals the rollout's workflow (its `rollback` signal, with the
 * alert as its trigger). The run must belong to the alert's org (its OrgId search attribute), else
 * nothing is signalled. A rollout whose workflow no longer runs has nothing to roll back: not an error.
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
