import { Context } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/repositories/audit-log';
import { countByKeyVersion, lockRowsNeedingRewrap, storeRewrappedKey } from '../db/repositories/credential-keys';
import { connectionCredentials } from '../db/repositories/connections';
import type { Database } from '../db/schema';
import type { SyncRequester } from '../domain/sync';
import type { CredentialVault } from '../security/credential-vault';

export interface KeyRotationActivityDeps {
  db: Kysely<Database>;
  vault: CredentialVault;
}

export interface RotateKeyBatchInput {
  /** Rows are visited in id order; the batch starts after this id (null: from the start). */
  afterId: string | null;
  batchSize: number;
}

export interface RotateKeyBatchResult {
  targetVersion: string;
  rewrapped: number;
  /** Rows whose data key could not be unwrapped (their master key is missing from the keyring). */
  failedIds: string[];
  lastId: string | null;
  done: boolean;
}

export interface RecordKeyRotationInput {
  requestedBy: SyncRequester & { orgId: string | null };
  phase: 'start' | 'end';
  details: Record<string, unknown>;
}

export function createKeyRotationActivities(deps: KeyRotationActivityDeps) {
  return {
    /**
     * Re-wraps one batch of data keys under the current master key, in one transaction: a batch is
     * all done or not at all, and a row already under the current key is never selected again, so
     * a retried or resumed rotation skips nothing and processes nothing twice.
     */
    async rotateKeyBatch(input: RotateKeyBatchInput): Promise<RotateKeyBatchResult> {
      const targetVersion = deps.vault.currentKeyVersion;
      return deps.db.transaction().execute(async (trx) => {
        const rows = await lockRowsNeedingRewrap(trx, targetVersion, input.afterId, input.batchSize);
        let rewrapped = 0;
        const failedIds: string[] = [];
        for (const row of rows) {
          let sealed;
          try {
            sealed = deps.vault.rewrap(row.id, connectionCredentials(row));
          } catch {
            failedIds.push(row.id);
            continue;
          }
          if (await storeRewrappedKey(trx, row.id, row.credentials_key_version, sealed)) rewrapped++;
        }
        Context.current().heartbeat({ lastId: rows.at(-1)?.id ?? input.afterId, rewrapped });
        return { targetVersion, rewrapped, failedIds, lastId: rows.at(-1)?.id ?? input.afterId, done: rows.length < input.batchSize };
      });
    },

    /** Audits the rotation's start and end; the end also records what each key version still wraps. */
    async recordKeyRotation(input: RecordKeyRotationInput): Promise<Record<string, number>> {
      const byVersion = await countByKeyVersion(deps.db);
      await appendAudit(deps.db, {
        org_id: input.requestedBy.orgId,
        actor_id: input.requestedBy.actorId,
        actor_role: input.requestedBy.actorRole,
        action: `key_rotation.${input.phase}`,
        target_type: 'credential_keys',
        target_id: deps.vault.currentKeyVersion,
        outcome: input.phase === 'end' && (input.details.failed as number) > 0 ? 'failure' : 'success',
        request_id: input.requestedBy.requestId,
        details: { ...input.details, connections_by_key_version: byVersion },
      });
      return byVersion;
    },
  };
}

export type KeyRotationActivities = ReturnType<typeof createKeyRotationActivities>;
