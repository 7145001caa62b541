import { forgetValidationRuns, listOrgValidationRuns, lockOrgValidationRuns, recordValidationRun } from '../db/repositories/validation-runs';
import { mapBounded } from '../domain/bounded-concurrency';
import { validationRunStatus } from '../workflow-clients/data-validation';
import { ApiError } from './api-error';
import type { AppDeps } from './app-deps';

/** Describes of an org's recorded runs in flight at once (there are at most the per-org limit of them). */
const DESCRIBE_CONCURRENCY = 8;

/**
 * Joins the run of `workflowId` when one is running, or starts it with `start` if the org has fewer
 * than `limits.validationsRunningPerOrg` validations running (429 otherwise). One org's starts are
 * serialised by an advisory lock; the runs are recorded in validation_runs (Postgres knows a start at
 * once, where Temporal's visibility lags) and each is asked of Temporal (describe, strongly
 * consistent) whether it still runs. `start` uses the id's conflict policy USE_EXISTING, so a run
 * started around this ledger is joined too.
 */
export async function startOrJoinValidation(
  deps: Pick<AppDeps, 'db' | 'temporal' | 'limits'>,
  orgId: string,
  workflowId: string,
  start: () => Promise<{ runId: string }>,
): Promise<{ workflowId: string; runId: string; joined: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    await lockOrgValidationRuns(trx, orgId);
    const recorded = await listOrgValidationRuns(trx, orgId);
    const states = await mapBounded(recorded, DESCRIBE_CONCURRENCY, async (run) => ({
      ...run,
      running: (await validationRunStatus(deps.temporal, run.workflow_id, run.run_id)) === 'RUNNING',
    }));
    await forgetValidationRuns(
      trx,
      states.filter((s) => !s.running).map((s) => s.run_id),
    );
    const running = states.filter((s) => s.running);
    const same = running.find((s) => s.workflow_id === workflowId);
    if (same) return { workflowId, runId: same.run_id, joined: true };
    if (running.length >= deps.limits.validationsRunningPerOrg) {
      throw new ApiError(
        429,
        'too_many_validations',
        `This organisation has ${running.length} validations running, its limit; try again when one has finished`,
        {
          running: running.length,
          limit: deps.limits.validationsRunningPerOrg,
          workflow_ids: running.map((s) => s.workflow_id),
        },
      );
    }
    const { runId } = await start();
    await recordValidationRun(trx, { runId, workflowId, orgId });
    return { workflowId, runId, joined: false };
  });
}
