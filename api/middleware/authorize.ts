import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import { ROLE_RANK, requiredRole } from '../access-policy';
import { ApiError } from '../api-error';
import type { AppEnv } from '../app-env';

/**
 * The one place access is decided: the matched route's entry in ACCESS_POLICY against the caller's
 * role. Fails closed: a route with no entry is refused. Denials are audited.
 */
export const authorize = createMiddleware<AppEnv>(async (c, next) => {
  const route = routePath(c, -1);
  const needed = requiredRole(c.req.method, route);
  if (!needed) {
    // No handler matched (routePath is then this middleware's own pattern): let the 404 answer.
    if (route.endsWith('*')) return next();
    throw new ApiError(403, 'forbidden', 'This endpoint has no access rule');
  }
  const principal = c.get('principal');
  if (ROLE_RANK[principal.role] < ROLE_RANK[needed]) {
    await c.get('audit')({ action: 'permission.denied', targetType: 'endpoint', targetId: `${c.req.method} ${route}`, outcome: 'denied' });
    throw new ApiError(403, 'forbidden', `This action needs the ${needed} role; your token has ${principal.role}`);
  }
  await next();
});
