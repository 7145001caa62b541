import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: every API query is scoped to `orgId`. */
export interface Principal {
  userId: string;
  orgId: string;
  role: Role;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  org_id: z.string().min(1),
  role: z.enum(ROLES),
  exp: z.number(),
});

const ALGORITHM = 'HS256';

export async function signAccessToken(principal: Principal, secret: string, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return sign({ sub: principal.userId, org_id: principal.orgId, role: principal.role, iat: nowSeconds, exp: nowSeconds + ttlSeconds }, secret, ALGORITHM);
}

/** Throws when the token is forged, expired or lacks the claims we need. */
export async function verifyAccessToken(token: string, secret: string): Promise<Principal> {
  return (await verifyClaims(token, secret)).principal;
}

async function verifyClaims(token: string, secret: string): Promise<{ principal: Principal; exp: number }> {
  const claims = ClaimsSchema.parse(await verify(token, secret, ALGORITHM));
  return { principal: { userId: claims.sub, orgId: claims.org_id, role: claims.role }, exp: claims.exp };
}

/**
 * Verifies tokens, remembering the ones already verified: a client sends the same bearer token
 * with every request, and the HMAC check is the API's largest per-request cost. A remembered token
 * is still refused once its `exp` has passed; the cache is bounded (oldest entries evicted).
 */
export function createAccessTokenVerifier(secret: string, options: { maxEntries?: number; nowSeconds?: () => number } = {}) {
  const maxEntries = options.maxEntries ?? 10_000;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const verified = new Map<string, { principal: Principal; exp: number }>();
  return async (token: string): Promise<Principal> => {
    const known = verified.get(token);
    if (known && known.exp > nowSeconds()) return known.principal;
    verified.delete(token);
    const fresh = await verifyClaims(token, secret);
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(token, fresh);
    return fresh.principal;
  };
}
