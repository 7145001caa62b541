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
  const claims = ClaimsSchema.parse(await verify(token, secret, ALGORITHM));
  return { userId: claims.sub, orgId: claims.org_id, role: claims.role };
}
