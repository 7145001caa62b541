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
  'POST /api/v1/platform-connections/sync/bulk': 'editor',
  'POST /api/v1/platform-connections/oauth/initiate': 'editor',
  'GET /api/v1/platform-connections/oauth/callback': 'editor',
  'POST /api/v1/platform-connections/keys/rotate': 'admin',
  'GET /api/v1/platform-connections/keys/rotate': 'admin',
  'GET /api/v1/audit': 'admin',
  'POST /codec/decode': 'admin',
  'POST /codec/encode': 'admin',
  'POST /codec/:token/decode': 'admin',
  'POST /codec/:token/encode': 'admin',
} as const satisfies Record<string, Role>;

export type PolicyKey = keyof typeof ACCESS_POLICY;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function requiredRole(method: string, routePath: string): Role | undefined {
  return (ACCESS_POLICY as Record<string, Role>)[`${method} ${routePath}`];
}
