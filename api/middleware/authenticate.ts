import { createMiddleware } from 'hono/factory';
import { createAccessTokenVerifier, type Principal } from '../../security/access-token';
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
