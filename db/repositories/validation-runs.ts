import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../schema';

/** Serialises the starts of one org's validations until the transaction ends (counting, then starting). */
export async function lockOrgValidationRuns(trx: Transaction<Database>, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`validation-runs:${orgId}`}, 0))`.execute(trx);
}

export async function listOrgValidationRuns(trx: Transaction<Database>, orgId: string): Promise<{ run_id: string; workflow_id: string }[]> {
  return trx.selectFrom('validation_runs').select(['run_id', 'workflow_id']).where('org_id', '=', orgId).orderBy('started_at').execute();
}

export async function recordValidationRun(trx: Transaction<Database>, run: { runId: string; workflowId: string; orgId: string }): Promise<void> {
  await trx
    .insertInto('validation_runs')
    .values({ run_id: run.runId, workflow_id: run.workflowId, org_id: run.orgId })
    .onConflict((oc) => oc.column('run_id').doNothing())
    .execute();
}

export async function forgetValidationRuns(trx: Transaction<Database>, runIds: string[]): Promise<void> {
  if (runIds.length > 0) await trx.deleteFrom('validation_runs').where('run_id', 'in', runIds).execute();
}
