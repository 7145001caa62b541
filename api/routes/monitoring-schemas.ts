import { z } from 'zod';
import { ALERT_SEVERITIES } from '../../domain/alert-rules';
import { CONNECTION_STATUSES } from '../../domain/connection';
import { AlertView, Count, PlatformName, Timestamp } from '../response-schemas';

/** Postgres, Temporal, the workers polling the task queue and the metric samplers' last rows: 200 when all is well, 503 otherwise. */
export const MonitoringHealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({ postgres: z.string(), temporal: z.string(), workers: z.string() }),
  task_queue: z.string(),
  workers: z.array(z.object({ identity: z.string().nullable(), last_poll_at: Timestamp.nullable(), live: z.boolean() })),
  metric_sampling: z.record(z.string(), z.object({ last_sample_at: Timestamp })),
});

/** The org's operations at a glance over the last `window_hours`. */
export const DashboardResponse = z.object({
  window_hours: z.int().positive(),
  alerts: z.object({
    /** Open alerts (the org's and the deployment's) per severity, and their total. */
    open: z.record(z.enum([...ALERT_SEVERITIES, 'total']), Count),
    fired_in_window: Count,
    recent: z.array(AlertView),
  }),
  syncs: z.array(
    z.object({
      platform: PlatformName,
      completed: Count,
      failed: Count,
      cancelled: Count,
      running: Count,
      success_rate: z.number().min(0).max(1).nullable(),
      avg_duration_seconds: z.number().nullable(),
    }),
  ),
  connections: z.partialRecord(z.enum(CONNECTION_STATUSES), Count),
});
