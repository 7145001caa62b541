import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { CODEC_DECODE_ROLE, createAccessTokenVerifier, isOrgMember, type TokenActor } from '../../security/access-token';
import { ApiError } from '../api-error';
import type { AppEnv } from '../app-env';

/** Requires a valid bearer token and puts its actor (and, for an org member, its principal) on the context. */
export function authenticate(jwtSecret: string) {
  const verifyAccessToken = createAccessTokenVerifier(jwtSecret);
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = c.req.header('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new ApiError(401, 'unauthorized', 'A bearer token is required (Authorization: Bearer <token>)');
    let actor: TokenActor;
    try {
      actor = await verifyAccessToken(token);
    } catch {
      throw new ApiError(401, 'invalid_token', 'The bearer token is invalid or expired');
    }
    c.set('actor', actor);
    if (isOrgMember(actor)) c.set('principal', actor);
    await next();
  });
}

/**
 * The Web UI's codec credential, for a UI that cannot send headers (it goes in the codec endpoint's
 * path): an opaque secret, not an API token, that makes the caller the `codec:decode` actor and
 * nothing more. Refused everywhere when the deployment has none configured.
 */
export function authenticateCodecCredential(expected: string | undefined, param: string) {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expectedDigest = expected ? digest(expected) : undefined;
  return createMiddleware<AppEnv>(async (c, next) => {
    const given = c.req.param(param);
    // Compared as digests: constant time whatever the lengths.
    if (!expectedDigest || !given || !timingSafeEqual(digest(given), expectedDigest))
      throw new ApiError(401, 'invalid_token', 'The codec credential is invalid');
    c.set('actor', { userId: 'temporal-web-ui', role: CODEC_DECODE_ROLE });
    await next();
  });
}
