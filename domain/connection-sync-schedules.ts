import type { ConnectionStatus } from './connection';
import type { PlatformId } from './platforms';

/** The columns of a connection its sync Schedule derives from. */
export interface ScheduledConnection {
  id: string;
  org_id: string;
  platform: PlatformId;
  sync_frequency: string;
  status: ConnectionStatus;
}

/** What bringing a Schedule in line with its connection changed; null when it already was. */
export type ScheduleFix = 'created' | 'removed' | 'paused' | 'resumed' | 'spec_updated';

/**
 * Keeps a connection's Temporal Schedule in step with the connection: one per connection with a
 * recurring `sync_frequency` (overlap skip, jitter), paused unless the connection is active,
 * updated when the frequency changes, deleted with the connection or when it turns manual.
 * Postgres is the truth; the Schedule is derived from it (see activities/schedule-reconciliation-activities.ts).
 * Made by createConnectionSyncSchedules (schedules/connection-sync-schedule.ts); declared here so that
 * activities, services and the API depend on it without importing the Schedules' workflow.
 */
export interface ConnectionSyncSchedules {
  /** Makes the connection's Schedule what it should be, whatever it is now. */
  reconcile(connection: ScheduledConnection): Promise<void>;
  remove(connectionId: string): Promise<void>;
  /** Compares the Schedule with the connection and fixes it when it differs; says what it fixed. */
  converge(connection: ScheduledConnection): Promise<ScheduleFix | null>;
  /** One page of the connections that have a Schedule, as Temporal lists them (eventually consistent). */
  listScheduled(page: { pageToken: string | null; pageSize: number }): Promise<{ connectionIds: string[]; nextPageToken: string | null }>;
  /** Deletes the Schedule of a connection that no longer exists; answers the org it ran for, or null when there was none. */
  removeOrphan(connectionId: string, onlyOrgId?: string): Promise<{ orgId: string } | null>;
}
