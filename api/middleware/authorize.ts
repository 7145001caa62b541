import { createMiddleware } from 'hono/factory';
import { routePath } from 'hono/route';
import { elevatedAccess, permits, refusal, requiredAccess } from '../access-policy';
import { ApiError } from '../api-error';
import type { AppEnv } from '../app-env';

/**
 * The one place access is decided: the matched route's entry in ACCESS_POLICY against the caller
 * (org role, operator or codec credential), then its ELEVATED_ACCESS when the query asks for it. Fails closed: a
 * route with no entry is refused. Denials are audited.
 */
export const authorize = createMiddleware<AppEnv>(async (c, next) => {
  const route = routePath(c, -1);
  const needed = requiredAccess(c.req.method, route);
  if (!needed) {
    // No handler matched (routePath is then this middleware's own pattern): let the 404 answer.
    if (route.endsWith('*')) return next();
    throw new ApiError(403, 'forbidden', 'This endpoint has no access rule');
  }
  const actor = c.get('actor');
  if (!permits(needed, actor)) {
    await c.get('audit')({ action: 'permission.denied', targetType: 'endpoint', targetId: `${c.req.method} ${route}`, outcome: 'denied' });
    throw new ApiError(403, 'forbidden', refusal(needed, actor));
  }
  const elevated = elevatedAccess(c.req.method, route, (name) => c.req.query(name));
  if (elevated && !permits(elevated.rule, actor)) {
    await c.get('audit')({
      action: 'permission.denied',
      targetType: 'endpoint',
      targetId: `${c.req.method} ${route}`,
      outcome: 'denied',
      details: { [elevated.query]: elevated.value },
    });
    throw new ApiError(403, 'forbidden', `${elevated.what} needs the ${elevated.rule} role; your token has ${actor.role}. ${elevated.otherwise}`);
  }
  await next();
});
