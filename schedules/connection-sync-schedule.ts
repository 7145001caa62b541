import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { Connection } from '../db/schema';
import { connectionSearchAttributes } from '../domain/search-attributes';
import { syncScheduleJitterMs, syncScheduleSpec } from '../domain/sync-frequency';
import { connectionSyncScheduleId } from '../domain/workflow-ids';
import { scheduledSyncWorkflow } from '../workflows/scheduled-sync';

type ScheduledConnection = Pick<Connection, 'id' | 'org_id' | 'platform' | 'sync_frequency' | 'status'>;

/**
 * Keeps a connection's Temporal Schedule in step with the connection: one per connection with a
 * recurring `sync_frequency` (overlap skip, jitter), paused unless the connection is active,
 * updated when the frequency changes, deleted with the connection or when it turns manual.
 */
export interface ConnectionSyncSchedules {
  reconcile(connection: ScheduledConnection): Promise<void>;
  remove(connectionId: string): Promise<void>;
}

export function createConnectionSyncSchedules(client: Client, taskQueue: string): ConnectionSyncSchedules {
  async function remove(connectionId: string): Promise<void> {
    await client.schedule
      .getHandle(connectionSyncScheduleId(connectionId))
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
  }

  return {
    remove,
    async reconcile(connection) {
      const spec = syncScheduleSpec(connection.sync_frequency);
      if (!spec) return remove(connection.id);
      const scheduleSpec: ScheduleSpec = {
        ...('intervalMs' in spec ? { intervals: [{ every: spec.intervalMs }] } : { cronExpressions: [spec.cron] }),
        jitter: syncScheduleJitterMs(spec),
      };
      const paused = connection.status !== 'active';
      const note = paused ? `connection is ${connection.status}` : undefined;
      const handle = client.schedule.getHandle(connectionSyncScheduleId(connection.id));
      try {
        await handle.update((previous) => ({ ...previous, spec: scheduleSpec, state: { ...previous.state, paused, note } }));
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        await client.schedule.create({
          scheduleId: connectionSyncScheduleId(connection.id),
          spec: scheduleSpec,
          action: {
            type: 'startWorkflow',
            workflowType: scheduledSyncWorkflow,
            taskQueue,
            args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform }],
            typedSearchAttributes: connectionSearchAttributes({ orgId: connection.org_id, platform: connection.platform, connectionId: connection.id }),
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
          state: { paused, note },
        });
      }
    },
  };
}
