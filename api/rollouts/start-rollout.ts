import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { RolloutActor } from '../../domain/rollout';
import type { RolloutRow } from '../../db/schema';
import { orgSearchAttributes } from '../../domain/search-attributes';
import { rolloutWorkflowId } from '../../domain/workflow-ids';
import { rolloutWorkflow } from '../../workflows/rollout';

/** Starts a stored rollout's workflow (id rollout:{id}, OrgId and Scope=org search attributes); Temporal refuses a second start. */
export function startRolloutWorkflow(
  client: Client,
  taskQueue: string,
  rollout: Pick<RolloutRow, 'id' | 'org_id' | 'config'>,
  startedBy: RolloutActor,
  options: { loopsPerRun?: number } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof rolloutWorkflow>> {
  return client.workflow.start(rolloutWorkflow, {
    taskQueue,
    workflowId: rolloutWorkflowId(rollout.id),
    args: [{ rolloutId: rollout.id, orgId: rollout.org_id, config: rollout.config, startedBy, loopsPerRun: options.loopsPerRun }],
    typedSearchAttributes: orgSearchAttributes(rollout.org_id),
  });
}
