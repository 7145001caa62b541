import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import { fallBackSyncLogToMock } from '../db/repositories/sync-fallback';
import type { SyncTotals } from '../db/repositories/sync-logs';
import type { Database } from '../db/schema';
import { FailureType } from '../domain/errors';
import type { StreamKind } from '../domain/platforms';

export interface SourceFallbackActivityDeps {
  db: Kysely<Database>;
}

export interface FallBackToMockInput {
  syncLogId: string;
  stream: StreamKind;
  /** Why live was given up: the failure after its retries, or the quality gate's verdict. No secrets (connector errors are scrubbed). */
  reason: string;
}

export interface FallBackToMockResult {
  totals: SyncTotals;
  /** Live rows of the stream this sync had written and withdrew. */
  withdrawn: number;
}

/** Hybrid mode's fallback from live to mock, one transaction against Postgres. */
export function createSourceFallbackActivities(deps: SourceFallbackActivityDeps) {
  return {
    async fallBackToMock(input: FallBackToMockInput): Promise<FallBackToMockResult> {
      const result = await deps.db.transaction().execute((trx) => fallBackSyncLogToMock(trx, input.syncLogId, { stream: input.stream, reason: input.reason }));
      if (!result)
        throw ApplicationFailure.create({ type: FailureType.ConnectionNotFound, message: `Sync log ${input.syncLogId} no longer exists`, nonRetryable: true });
      return result;
    },
  };
}

export type SourceFallbackActivities = ReturnType<typeof createSourceFallbackActivities>;
