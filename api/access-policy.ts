import type { Role } from '../security/access-token';

/**
 * Who may call what: the least role each endpoint needs (viewer < editor < admin). Enforced by
 * one middleware (api/middleware/authorize.ts); a route missing here is refused, and a test walks
 * every entry with every role and checks the table matches the app's routes and the README.
 */
export const ACCESS_POLICY = {
  'GET /api/v1/platform-connections/platforms': 'viewer',
  'GET /api/v1/platform-connections/connections': 'viewer',
  'POST /api/v1/platform-connections/connections': 'editor',
  'GET /api/v1/platform-connections/connections/:id': 'viewer',
  'PUT /api/v1/platform-connections/connections/:id': 'editor',
  'DELETE /api/v1/platform-connections/connections/:id': 'admin',
  'POST /api/v1/platform-connections/connections/:id/test': 'editor',
  'POST /api/v1/platform-connections/connections/:id/sync': 'editor',
  'GET /api/v1/platform-connections/connections/:id/sync': 'viewer',
  'DELETE /api/v1/platform-connections/connections/:id/sync': 'editor',
  'GET /api/v1/platform-connections/connections/:id/sync/history': 'viewer',
  'POST /api/v1/platform-connections/connections/:id/resync': 'editor',
  'POST /api/v1/platform-connections/sync/bulk': 'editor',
  'POST /api/v1/platform-connections/oauth/initiate': 'editor',
  'GET /api/v1/platform-connections/oauth/callback': 'editor',
  'POST /api/v1/platform-connections/keys/rotate': 'admin',
  'GET /api/v1/platform-connections/keys/rotate': 'admin',
  'GET /api/v1/audit': 'admin',
  'GET /api/v1/data-validation/validation-rules': 'viewer',
  'GET /api/v1/data-validation/connections/validate-all': 'viewer',
  'GET /api/v1/data-validation/connections/:id/validate': 'viewer',
  'POST /api/v1/data-validation/connections/:id/validate-async': 'editor',
  'GET /api/v1/data-validation/connections/:id/reports': 'viewer',
  'GET /api/v1/data-validation/validations/:workflow_id': 'viewer',
  'GET /api/v1/data-validation/quality-summary': 'viewer',
  'POST /codec/decode': 'admin',
  'POST /codec/encode': 'admin',
  'POST /codec/:token/decode': 'admin',
  'POST /codec/:token/encode': 'admin',
  'POST /api/v1/platform-connections/data': 'viewer',
  'GET /api/v1/platform-connections/preferences': 'viewer',
  'PUT /api/v1/platform-connections/preferences': 'viewer',
  'GET /api/v1/rollout-monitoring/metrics': 'viewer',
  'POST /api/v1/rollout-monitoring/metrics': 'editor',
  'GET /api/v1/rollout-monitoring/alerts': 'viewer',
  'GET /api/v1/rollout-monitoring/alerts/rules': 'viewer',
  'POST /api/v1/rollout-monitoring/alerts/:id/resolve': 'editor',
  'GET /api/v1/rollout-monitoring/health': 'viewer',
  'GET /api/v1/rollout-monitoring/dashboard': 'viewer',
  'POST /api/v1/rollout-monitoring/rollouts': 'admin',
  'GET /api/v1/rollout-monitoring/rollouts': 'viewer',
  'POST /api/v1/rollout-monitoring/rollouts/:id/start': 'admin',
  'POST /api/v1/rollout-monitoring/rollouts/:id/pause': 'editor',
  'POST /api/v1/rollout-monitoring/rollouts/:id/resume': 'editor',
  'POST /api/v1/rollout-monitoring/rollouts/:id/promote': 'admin',
  'POST /api/v1/rollout-monitoring/rollouts/:id/rollback': 'editor',
  'PUT /api/v1/rollout-monitoring/rollouts/:id/thresholds': 'admin',
  'GET /api/v1/rollout-monitoring/rollouts/:id/status': 'viewer',
  'GET /api/v1/rollout-monitoring/evaluate': 'viewer',
  'POST /api/v1/live-integration/test-connection/:connection_id': 'editor',
  'POST /api/v1/live-integration/test-all-connections': 'editor',
  'GET /api/v1/live-integration/health-status': 'viewer',
  'POST /api/v1/live-integration/hybrid-data': 'viewer',
  'POST /api/v1/live-integration/test-suite': 'editor',
  'GET /api/v1/live-integration/integration-status': 'viewer',
  'GET /api/v1/live-integration/data-modes': 'viewer',
} as const satisfies Record<string, Role>;

export type PolicyKey = keyof typeof ACCESS_POLICY;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function requiredRole(method: string, routePath: string): Role | undefined {
  return (ACCESS_POLICY as Record<string, Role>)[`${method} ${routePath}`];
}
