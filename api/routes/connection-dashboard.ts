import { Hono } from 'hono';
import { z } from 'zod';
import { connectionTotals, recentActivity, storedRowsBySource, syncActivitySince } from '../../db/repositories/connection-dashboard';
import { listOrgConnections } from '../../db/repositories/connections';
import type { Connection } from '../../db/schema';
import { mapBounded } from '../../domain/bounded-concurrency';
import { CONNECTION_STATUSES, DATA_MODES, type DataSource } from '../../domain/connection';
import { type ConnectionHealth, HEALTH_STATUSES, type HealthStatus } from '../../domain/connection-health';
import { orgConnectionHealth } from '../../services/connection-health-read';
import { resolveConnectionSource } from '../../services/connection-source-selection';
import type { AppDeps } from '../app-deps';
import type { AppEnv } from '../app-env';
import { validate } from '../middleware/validate';
import { routeDocs } from '../openapi/route-docs';
import { ConnectionDashboardResponse } from './connection-dashboard-schemas';

/** Lines of recent activity: what a dashboard panel shows; the full history is in sync history and GET /audit. */
const RECENT_ACTIVITY = 20;
/** Connections listed as needing attention (unhealthy first); the summary counts them all. */
const HEALTH_ATTENTION = 20;

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
    const [totals, rows, activity, recent, state] = await Promise.all([
      connectionTotals(deps.db, orgId),
      storedRowsBySource(deps.db, orgId),
      syncActivitySince(deps.db, orgId, days),
      recentActivity(deps.db, orgId, RECENT_ACTIVITY),
      connectionsNow(deps, orgId),
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
        serving_now: {
          live: state.filter((x) => x.source === 'live').length,
          mock: state.filter((x) => x.source === 'mock').length,
          not_served: state.filter((x) => x.source === null).length,
        },
      },
      health: {
        ...(Object.fromEntries(HEALTH_STATUSES.map((s) => [s, state.filter((x) => x.health.status === s).length])) as Record<HealthStatus, number>),
        attention: state
          .filter((x) => x.health.status !== 'healthy')
          .sort((a, b) => HEALTH_STATUSES.indexOf(b.health.status) - HEALTH_STATUSES.indexOf(a.health.status) || a.connection.id.localeCompare(b.connection.id))
          .slice(0, HEALTH_ATTENTION)
          .map(({ connection, health }) => ({
            connection_id: connection.id,
            platform: connection.platform,
            display_name: connection.display_name,
            status: health.status,
            reasons: health.reasons,
          })),
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

/** Connection state as it is now: the source that serves each (services/connection-source-selection.ts) and its health. */
interface ConnectionNow {
  connection: Connection;
  /** Null for a disabled connection: nothing serves it. */
  source: DataSource | null;
  health: ConnectionHealth;
}

async function connectionsNow(deps: AppDeps, orgId: string): Promise<ConnectionNow[]> {
  const [connections, healthOf] = await Promise.all([listOrgConnections(deps.db, orgId), orgConnectionHealth(deps.db, orgId, new Date())]);
  return mapBounded(connections, deps.limits.fanOutConcurrency, async (connection) => ({
    connection,
    source: connection.status === 'disabled' ? null : (await resolveConnectionSource(deps, connection)).source,
    health: (await healthOf(connection)).health,
  }));
}
