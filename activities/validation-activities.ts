import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { validateConnectionData } from '../db/data-validation/validate-connection-data';
import { findConnectionById } from '../db/repositories/connections';
import { listValidationTargetRows, storeValidationReport } from '../db/repositories/validation-reports';
import type { Database } from '../db/schema';
import { FailureType } from '../domain/errors';
import type { DataSource } from '../domain/connection';
import type { PlatformId } from '../domain/platforms';
import { servingSource } from '../db/repositories/serving-source';
import type { ValidationReport } from '../domain/validation-report';

export interface ValidateConnectionInput {
  connectionId: string;
  /** The validation workflow's id and run id: the report is stored once per run. */
  workflowId: string;
  runId: string;
  /** Which rows to judge; absent (system-initiated work): the source that serves the connection (db/repositories/serving-source.ts). */
  source?: DataSource;
}

export interface ValidationTarget {
  connectionId: string;
  orgId: string;
  platform: PlatformId;
}

export function createValidationActivities(deps: { db: Kysely<Database>; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    /** Runs the ten rules over the connection's rows of one source and stores the report, which records that source (idempotent per run). */
    async validateConnection(input: ValidateConnectionInput): Promise<ValidationReport> {
      const connection = await findConnectionById(deps.db, input.connectionId);
      if (!connection)
        throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Connection ${input.connectionId} not found`, nonRetryable: true });
      const at = now();
      const source = input.source ?? (await servingSource(deps.db, connection));
      const findings = await validateConnectionData(deps.db, { connection, source, asOf: at.toISOString().slice(0, 10), now: at });
      return storeValidationReport(deps.db, { ...findings, workflowId: input.workflowId }, input.runId);
    },

    /** The connections validate-all covers: the org's (or every org's) connections that are not disabled. */
    async listValidationTargets(input: { orgId?: string; connectionIds?: string[] }): Promise<ValidationTarget[]> {
      const rows = await listValidationTargetRows(deps.db, input);
      return rows.map((r) => ({ connectionId: r.id, orgId: r.org_id, platform: r.platform }));
    },
  };
}

export type ValidationActivities = ReturnType<typeof createValidationActivities>;
