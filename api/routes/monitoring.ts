import { temporal } from '@temporalio/proto';
import { Hono } from 'hono';
import { z } from 'zod';
import { countAlertsFiredSince, countOpenAlertsBySeverity, listAlerts } from '../../db/repositories/alerts';
import { countConnectionsByStatus } from '../../db/repositories/connections';
import { latestServiceSampleTimes } from '../../db/repositories/metric-samples';
import { syncCountsByPlatformSince } from '../../db/repositories/sync-logs';
import { probePostgres, probeTemporal, withinHealthDeadline } from '../../observability/health-probes';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { presentAlert } from '../presenters/alert';
import { routeDocs } from '../openapi/route-docs';
import { DashboardResponse, MonitoringHealthResponse } from './monitoring-schemas';

/** A worker that has not polled its task queue for this long is reported as gone. */
const POLLER_STALE_MS = 2 * 60_000;

const DashboardQuery = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(24),
});

const describeRoute = routeDocs('Monitoring');
const docs = {
  health: describeRoute({
    summary: "Postgres, Temporal, the workers polling the task queue and the metric samplers' last rows",
    responses: { 200: MonitoringHealthResponse, 503: [MonitoringHealthResponse, 'A check failed, or no worker polls the task queue'] },
  }),
  dashboard: describeRoute({
    summary: 'Open alerts by severity, recent alerts, sync success rates and durations per platform, connections by status',
    responses: { 200: DashboardResponse },
  }),
};

/** GET …/health (Postgres, Temporal, the workers polling the task queue, metric sampling) and GET …/dashboard. */
export function monitoringRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .get('/health', docs.health, async (c) => {
      const [postgres, temporalCheck] = (await Promise.all([probePostgres(deps.db), probeTemporal(deps.temporal)])).map((r) => (r === 'ok' ? r : r.error));
      // Workers: the pollers of the task queue, by the time each last polled (Temporal's view of their heartbeat).
      const workers = await withinHealthDeadline(deps.temporal, () =>
        deps.temporal.workflowService.describeTaskQueue({
          namespace: deps.temporal.options.namespace,
          taskQueue: { name: deps.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      ).then(
        (described) =>
          (described.pollers ?? []).map((p) => {
            const seconds = Number(p.lastAccessTime?.seconds ?? 0);
            const lastPollAt = seconds > 0 ? new Date(seconds * 1000) : null;
            return {
              identity: p.identity ?? null,
              last_poll_at: lastPollAt?.toISOString() ?? null,
              live: lastPollAt !== null && Date.now() - lastPollAt.getTime() < POLLER_STALE_MS,
            };
          }),
        () => [],
      );
      // The sampled processes' last rows: a process whose sampler stopped writing shows an old time.
      const sampling = postgres === 'ok' ? await latestServiceSampleTimes(deps.db, new Date(Date.now() - 86_400_000)) : [];
      const ok = postgres === 'ok' && temporalCheck === 'ok' && workers.some((w) => w.live);
      return c.json(
        {
          status: ok ? 'ok' : 'degraded',
          checks: { postgres, temporal: temporalCheck, workers: workers.some((w) => w.live) ? 'ok' : 'no worker is polling the task queue' },
          task_queue: deps.taskQueue,
          workers,
          metric_sampling: Object.fromEntries(sampling.map((s) => [s.source, { last_sample_at: s.lastAt.toISOString() }])),
        },
        ok ? 200 : 503,
      );
    })
    .get('/dashboard', docs.dashboard, validate('query', DashboardQuery), async (c) => {
      const orgId = c.get('principal').orgId;
      const { hours } = c.req.valid('query');
      const since = new Date(Date.now() - hours * 3_600_000);
      const [open, recent, firedInWindow, syncs, connections] = await Promise.all([
        countOpenAlertsBySeverity(deps.db, orgId),
        listAlerts(deps.db, { orgId, limit: 10 }),
        countAlertsFiredSince(deps.db, orgId, since),
        syncCountsByPlatformSince(deps.db, orgId, since),
        countConnectionsByStatus(deps.db, orgId),
      ]);
      return c.json({
        window_hours: hours,
        alerts: { open: { ...open, total: Object.values(open).reduce((a, b) => a + b, 0) }, fired_in_window: firedInWindow, recent: recent.map(presentAlert) },
        syncs: syncs.map((s) => {
          const finished = s.completed + s.failed;
          return {
            platform: s.platform,
            completed: s.completed,
            failed: s.failed,
            cancelled: s.cancelled,
            running: s.running,
            // Success among syncs that finished either way; cancelled ones say nothing of the platform.
            success_rate: finished > 0 ? s.completed / finished : null,
            avg_duration_seconds: s.avgCompletedSeconds,
          };
        }),
        connections,
      });
    });
}
