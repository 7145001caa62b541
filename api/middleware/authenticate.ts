import { createMiddleware } from 'hono/factory';
import { createAccessTokenVerifier, type Principal, type Role } from '../../security/access-token';
import { ApiError } from '../api-error';
import type { AppEnv } from '../app-env';

/** Requires a valid bearer token and puts its principal on the context. */
export function authenticate(jwtSecret: string) {
  const verifyAccessToken = createAccessTokenVerifier(jwtSecret);
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new ApiError(401, 'unauthorized', 'A bearer token is required (Authorization: Bearer <token>)');
    let principal: Principal;
    try {
      principal = await verifyAccessToken(match[1]!);
    } catch {
      throw new ApiError(401, 'invalid_token', 'The bearer token is invalid or expired');
    }
    c.set('principal', principal);
    await next();
  });
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** Allows the request when the caller's role is at least `minimum` (viewer < editor < admin). */
export function requireRole(minimum: Role) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const principal = c.get('principal');
    if (RANK[principal.role] < RANK[minimum]) {
      await c.get('audit')({ action: 'permission.denied', targetType: 'endpoint', targetId: `${c.req.method} ${c.req.path}`, outcome: 'denied' });
      throw new ApiError(403, 'forbidden', `This action needs the ${minimum} role; your token has ${principal.role}`);
    }
    await next();
  });
}
