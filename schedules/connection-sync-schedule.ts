import { type Client, isGrpcServiceError, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { ConnectionSyncSchedules, ScheduledConnection, ScheduleFix } from '../domain/connection-sync-schedules';
import { syncScheduleJitterMs, syncScheduleSpec } from '../domain/sync-frequency';
import { connectionOfSyncScheduleId, connectionSyncScheduleId } from '../domain/workflow-ids';
import { connectionSyncSearchAttributes } from '../workflow-clients/connection-sync';
import { scheduledSyncWorkflow } from '../workflows/scheduled-sync';

/** The action memo that records which frequency a Schedule was made for (the server keeps cron only as calendars). */
interface ScheduleMemo {
  syncFrequency?: string;
}

/** How long the API waits for Temporal when it applies a connection's Schedule inline. */
export const SCHEDULE_CALL_TIMEOUT_MS = 5_000;

export function createConnectionSyncSchedules(client: Client, taskQueue: string, options: { callTimeoutMs?: number } = {}): ConnectionSyncSchedules {
  // The API answers its caller within this bound when Temporal is unreachable (the client would retry for ~20 s).
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => (options.callTimeoutMs ? client.withDeadline(Date.now() + options.callTimeoutMs, fn) : fn());

  async function remove(connectionId: string): Promise<boolean> {
    try {
      await client.schedule.getHandle(connectionSyncScheduleId(connectionId)).delete();
      return true;
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      return false;
    }
  }

  function desired(connection: ScheduledConnection) {
    const spec = syncScheduleSpec(connection.sync_frequency);
    if (!spec) return null;
    const scheduleSpec: ScheduleSpec = {
      ...('intervalMs' in spec ? { intervals: [{ every: spec.intervalMs }] } : { cronExpressions: [spec.cron] }),
      jitter: syncScheduleJitterMs(spec),
    };
    const paused = connection.status !== 'active';
    const action = {
      type: 'startWorkflow' as const,
      workflowType: scheduledSyncWorkflow,
      taskQueue,
      args: [{ connectionId: connection.id, orgId: connection.org_id, platform: connection.platform }] as [Parameters<typeof scheduledSyncWorkflow>[0]],
      memo: { syncFrequency: connection.sync_frequency } satisfies ScheduleMemo,
      // The same attributes as the syncs the API starts: one filter finds a connection's scheduled and requested runs.
      typedSearchAttributes: connectionSyncSearchAttributes(connection),
    };
    return { spec: scheduleSpec, action, paused, note: paused ? `connection is ${connection.status}` : undefined };
  }

  async function apply(connection: ScheduledConnection): Promise<void> {
    const want = desired(connection);
    if (!want) {
      await remove(connection.id);
      return;
    }
    const handle = client.schedule.getHandle(connectionSyncScheduleId(connection.id));
    try {
      await handle.update((previous) => ({
        ...previous,
        spec: want.spec,
        action: want.action,
        state: { ...previous.state, paused: want.paused, note: want.note },
      }));
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create({
        scheduleId: connectionSyncScheduleId(connection.id),
        spec: want.spec,
        action: want.action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
        state: { paused: want.paused, note: want.note },
      });
    }
  }

  async function converge(connection: ScheduledConnection): Promise<ScheduleFix | null> {
    const want = desired(connection);
    if (!want) return (await remove(connection.id)) ? 'removed' : null;
    const description = await client.schedule
      .getHandle(connectionSyncScheduleId(connection.id))
      .describe()
      .catch((err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return null;
        throw err;
      });
    let fix: ScheduleFix | null = null;
    if (!description) fix = 'created';
    else if ((description.action.memo as ScheduleMemo | undefined)?.syncFrequency !== connection.sync_frequency) fix = 'spec_updated';
    else if (description.state.paused !== want.paused) fix = want.paused ? 'paused' : 'resumed';
    if (fix) await apply(connection);
    return fix;
  }

  async function listScheduled(page: { pageToken: string | null; pageSize: number }) {
    const response = await client.workflowService.listSchedules({
      namespace: client.options.namespace,
      maximumPageSize: page.pageSize,
      nextPageToken: page.pageToken ? Buffer.from(page.pageToken, 'base64') : undefined,
    });
    const connectionIds = (response.schedules ?? []).map((s) => connectionOfSyncScheduleId(s.scheduleId ?? '')).filter((id): id is string => id !== null);
    const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64') : null;
    return { connectionIds, nextPageToken: token };
  }

  async function removeOrphan(connectionId: string, onlyOrgId?: string): Promise<{ orgId: string } | null> {
    const handle = client.schedule.getHandle(connectionSyncScheduleId(connectionId));
    try {
      const description = await handle.describe();
      const [input] = description.action.args as [{ orgId?: string } | undefined];
      if (onlyOrgId && input?.orgId !== onlyOrgId) return null;
      await handle.delete();
      return { orgId: input?.orgId ?? 'unknown' };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }

  return {
    listScheduled: (page) => bounded(() => listScheduled(page)),
    removeOrphan: (connectionId, onlyOrgId) => bounded(() => removeOrphan(connectionId, onlyOrgId)),
    remove: (connectionId) => bounded(() => remove(connectionId)).then(() => undefined),
    reconcile: (connection) => bounded(() => apply(connection)),
    converge: (connection) => bounded(() => converge(connection)),
  };
}

/** gRPC codes of a Temporal that cannot be reached now (as opposed to one that refused the request). */
const UNREACHABLE = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** True when the error says Temporal could not be reached: a retry later may succeed. */
export function isTemporalUnreachable(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (isGrpcServiceError(e) && UNREACHABLE.has(e.code)) return true;
  }
  return false;
}
