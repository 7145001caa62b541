import { createMiddleware } from 'hono/factory';
import { createAccessTokenVerifier, type Principal } from '../../security/access-token';
import { ApiError } from '../api-error';
import type { AppEnv } from '../app-env';

/**
 * Requires a valid bearer token and puts its principal on the context. `pathTokenParam` also
 * accepts the token as a path parameter, for callers that cannot set headers (the Web UI's codec calls).
 */
export function authenticate(jwtSecret: string, options: { pathTokenParam?: string } = {}) {
  const verifyAccessToken = createAccessTokenVerifier(jwtSecret);
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const token = header ?? (options.pathTokenParam ? c.req.param(options.pathTokenParam) : undefined);
    if (!token) throw new ApiError(401, 'unauthorized', 'A bearer token is required (Authorization: Bearer <token>)');
    let principal: Principal;
    try {
      principal = await verifyAccessToken(token);
    } catch {
      throw new ApiError(401, 'invalid_token', 'The bearer token is invalid or expired');
    }
    c.set('principal', principal);
    await next();
  });
}
