import type { Transaction } from 'kysely';
import { appendAudit } from './repositories/audit-log';
import { countSyncOutcome, setConnectionStatus, setSyncWarning } from './repositories/connections';
import { insertNotification } from './repositories/notifications';
import type { Connection, Database } from './schema';
import { type SyncFailureThresholds, failureEscalation } from '../domain/sync-failure-policy';

export interface SyncOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  syncLogId: string;
  error: string | null;
  failureType: string | null;
  at: Date;
}

/** What the policy did, for the caller to finish outside the transaction (schedule, webhook). */
export interface SyncOutcomeEffects {
  consecutiveFailures: number;
  disabled: boolean;
  /** The notification to deliver, when the policy wrote one. */
  notificationId: string | null;
}

/**
 * The failure policy, run in the transaction that closes a sync: failures are counted per
 * connection; the run reaching `warnAfter` flags the connection (sync_warning_at) and audits
 * `connection.sync_warning`; reaching `disableAfter` disables it, audits `connection.auto_disabled`
 * with the cause and writes a notification. A success resets the run. A cancelled sync counts neither way.
 */
export async function applySyncFailurePolicy(
  trx: Transaction<Database>,
  connection: Connection,
  outcome: SyncOutcome,
  thresholds: SyncFailureThresholds,
): Promise<SyncOutcomeEffects> {
  const none: SyncOutcomeEffects = { consecutiveFailures: connection.consecutive_sync_failures, disabled: false, notificationId: null };
  if (outcome.status === 'cancelled') return none;
  const failures = await countSyncOutcome(trx, connection.id, outcome.status);
  if (failures === undefined || outcome.status === 'completed') return { ...none, consecutiveFailures: failures ?? 0 };

  const cause = { consecutive_failures: failures, sync_log_id: outcome.syncLogId, error: outcome.error, failure_type: outcome.failureType };
  const audit = (action: string) =>
    appendAudit(trx, {
      org_id: connection.org_id,
      actor_id: 'system:sync-policy',
      actor_role: 'system',
      action,
      target_type: 'connection',
      target_id: connection.id,
      outcome: 'success',
      request_id: null,
      details: cause,
    });
  const escalation = failureEscalation(failures, thresholds);
  if (escalation === 'warn') {
    await setSyncWarning(trx, connection.id, outcome.at);
    await audit('connection.sync_warning');
    return { ...none, consecutiveFailures: failures };
  }
  if (escalation === 'disable' && connection.status !== 'disabled') {
    await setConnectionStatus(trx, connection.id, 'disabled');
    await audit('connection.auto_disabled');
    const notificationId = await insertNotification(trx, {
      org_id: connection.org_id,
      connection_id: connection.id,
      kind: 'connection.auto_disabled',
      payload: {
        connection_id: connection.id,
        platform: connection.platform,
        display_name: connection.display_name,
        disabled_at: outcome.at.toISOString(),
        ...cause,
      },
    });
    return { consecutiveFailures: failures, disabled: true, notificationId };
  }
  return { ...none, consecutiveFailures: failures };
}
