import { Hono } from 'hono';
import { z } from 'zod';
import { connectionTotals, recentActivity, storedRowsBySource, syncActivitySince } from '../../db/repositories/connection-dashboard';
import { CONNECTION_STATUSES, DATA_MODES } from '../../domain/connection';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { ConnectionDashboardResponse } from './connection-dashboard-schemas';

/** Lines of recent activity: what a dashboard panel shows; the full history is in sync history and GET /audit. */
const RECENT_ACTIVITY = 20;

const DashboardQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(14) });

const doc = routeDocs('Connections')({
  summary: "The connections dashboard of the caller's org: totals, breakdowns, data sources, syncs per day, recent activity",
  responses: { 200: ConnectionDashboardResponse },
});

/** GET /api/v1/platform-connections/dashboard: what the console's dashboard tab shows, for the caller's org only. */
export function connectionDashboardRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', doc, validate('query', DashboardQuery), async (c) => {
    const { days } = c.req.valid('query');
    const orgId = c.get('principal').orgId;
    const [totals, rows, activity, recent] = await Promise.all([
      connectionTotals(deps.db, orgId),
      storedRowsBySource(deps.db, orgId),
      syncActivitySince(deps.db, orgId, days),
      recentActivity(deps.db, orgId, RECENT_ACTIVITY),
    ]);
    const body: z.infer<typeof ConnectionDashboardResponse> = {
      totals: { connections: totals.total, active: totals.byStatus.active ?? 0, failing: totals.failing },
      by_status: Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, totals.byStatus[s] ?? 0])) as Record<(typeof CONNECTION_STATUSES)[number], number>,
      by_platform: Object.entries(totals.byPlatform)
        .map(([platform, connections]) => ({ platform: platform as keyof typeof totals.byPlatform, connections: connections ?? 0 }))
        .sort((a, b) => b.connections - a.connections || a.platform.localeCompare(b.platform)),
      data_sources: {
        connections_by_data_mode: Object.fromEntries(DATA_MODES.map((m) => [m, totals.byDataMode[m] ?? 0])) as Record<(typeof DATA_MODES)[number], number>,
        stored_rows: rows,
      },
      window: { days, start_date: activity.series[0]!.date, end_date: activity.series.at(-1)!.date },
      sync_series: activity.series,
      records_synced: activity.recordsWritten,
      recent_activity: recent.map((item) =>
        item.kind === 'sync'
          ? {
              kind: 'sync' as const,
              at: item.at.toISOString(),
              sync_log_id: item.syncLogId,
              connection_id: item.connectionId,
              platform: item.platform,
              status: item.status,
              source: item.source,
              records_written: item.recordsWritten,
              error: item.error,
            }
          : {
              kind: 'audit' as const,
              at: item.at.toISOString(),
              audit_id: item.auditId,
              action: item.action,
              actor_role: item.actorRole,
              target_type: item.targetType,
              target_id: item.targetId,
              outcome: item.outcome,
            },
      ),
    };
    return c.json(body);
  });
}
