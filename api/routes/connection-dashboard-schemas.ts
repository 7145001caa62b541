import { z } from 'zod';
import { HEALTH_STATUSES } from '../../domain/connection-health';
import { SYNC_STATUSES } from '../../domain/sync';
import { IsoDate } from '../request-schemas';
import { Count, PlatformName, SourceName, Timestamp } from '../response-schemas';

const SyncOutcomeCounts = z.object({ running: Count, completed: Count, failed: Count, cancelled: Count });

/** A sync of the org's recent activity. */
const SyncActivity = z.object({
  kind: z.literal('sync'),
  at: Timestamp,
  sync_log_id: z.string(),
  connection_id: z.string(),
  platform: PlatformName,
  status: z.enum(SYNC_STATUSES),
  source: SourceName,
  records_written: Count,
  error: z.string().nullable(),
});

/** An audited action of the org's recent activity; its details stay in the admin's GET /audit. */
const AuditActivity = z.object({
  kind: z.literal('audit'),
  at: Timestamp,
  audit_id: z.string(),
  action: z.string(),
  actor_role: z.string(),
  target_type: z.string(),
  target_id: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
});

/** The connections dashboard of the caller's org: every count and series comes from its stored connections, sync logs, rows and audit trail. */
export const ConnectionDashboardResponse = z.object({
  totals: z.object({
    connections: Count,
    active: Count,
    /** Flagged by the failure policy, waiting for re-authorisation, in error, disabled, or whose last sync failed. */
    failing: Count,
  }),
  by_status: z.object({ active: Count, reauth_required: Count, error: Count, disabled: Count }),
  by_platform: z.array(z.object({ platform: PlatformName, connections: Count })),
  data_sources: z.object({
    connections_by_data_mode: z.object({ mock: Count, live: Count, auto: Count, hybrid: Count }),
    stored_rows: z.object({ live: Count, mock: Count }),
    /** Connections by the source that serves them now, as syncs and reads decide it; a disabled connection is not served. */
    serving_now: z.object({ live: Count, mock: Count, not_served: Count }),
  }),
  /** Connections by health (as GET /live-integration/health-status classifies it), and the first of those not healthy, unhealthy first. */
  health: z.object({
    healthy: Count,
    degraded: Count,
    unhealthy: Count,
    attention: z.array(
      z.object({ connection_id: z.string(), platform: PlatformName, display_name: z.string(), status: z.enum(HEALTH_STATUSES), reasons: z.array(z.string()) }),
    ),
  }),
  window: z.object({ days: z.int().min(1).max(90), start_date: IsoDate, end_date: IsoDate }),
  /** Syncs started per UTC day of the window by outcome, oldest first, every day present. */
  sync_series: z.array(z.object({ date: IsoDate, counts: SyncOutcomeCounts })),
  /** Records written by the syncs started in the window. */
  records_synced: Count,
  /** The latest syncs and audited actions, newest first. */
  recent_activity: z.array(z.discriminatedUnion('kind', [SyncActivity, AuditActivity])),
});
