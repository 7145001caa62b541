import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptionsStartWorkflowAction,
  ScheduleOverlapPolicy,
  type ScheduleSpec,
  type Workflow,
} from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { deploymentSearchAttributes, ScopeKey } from '../domain/search-attributes';

/**
 * Makes sure a deployment-wide Schedule exists, its runs marked `Scope = deployment` for the Web UI
 * (a run still going skips the next). Idempotent: every worker calls it at start. A Schedule that
 * exists keeps its state; it gains the search attributes when an older worker made it without them,
 * and takes the given spec when `updateSpec` says so. Bringing an existing Schedule up to date
 * decodes its action; when that fails (its arguments were encoded under a payload key this worker
 * no longer has), the Schedule is left as it is and the reason answered, for the worker to log: a
 * worker never fails to start over it.
 */
export async function ensureDeploymentSchedule<W extends Workflow>(
  client: Client,
  options: { scheduleId: string; spec: ScheduleSpec; workflowType: W; taskQueue: string; args: Parameters<W>; updateSpec?: boolean },
): Promise<string | null> {
  const typedSearchAttributes = deploymentSearchAttributes();
  try {
    await client.schedule.create({
      scheduleId: options.scheduleId,
      spec: options.spec,
      action: {
        type: 'startWorkflow',
        workflowType: options.workflowType,
        taskQueue: options.taskQueue,
        args: options.args,
        typedSearchAttributes,
      } as ScheduleOptionsStartWorkflowAction<W>,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    return null;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(options.scheduleId);
  try {
    const attributes = (await handle.describe()).action.typedSearchAttributes;
    const marked = (attributes instanceof TypedSearchAttributes ? attributes : new TypedSearchAttributes(attributes)).get(ScopeKey) === 'deployment';
    if (marked && !options.updateSpec) return null;
    await handle.update((previous) => ({
      ...previous,
      spec: options.updateSpec ? options.spec : previous.spec,
      action: { ...previous.action, typedSearchAttributes },
    }));
    return null;
  } catch (err) {
    return `Schedule ${options.scheduleId} left as it is: ${err instanceof Error ? err.message : String(err)}`;
  }
}
