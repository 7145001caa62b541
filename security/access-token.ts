import { sign, verify } from 'hono/jwt';
import { z } from 'zod';

/** The roles inside an org (viewer < editor < admin). */
export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The deployment's own role, outside every org: codec, key rotation, deployment-wide alerts. */
export const OPERATOR_ROLE = 'operator';

/** An org member: every query of an org endpoint is scoped to `orgId`. */
export interface Principal {
  userId: string;
  orgId: string;
  role: Role;
}

/** A deployment operator: belongs to no org, and so reaches no org's endpoints. */
export interface OperatorPrincipal {
  userId: string;
  role: typeof OPERATOR_ROLE;
}

/** The Temporal Web UI's codec credential: it may decode payloads and do nothing else. */
export const CODEC_DECODE_ROLE = 'codec:decode';
export interface CodecDecoder {
  userId: string;
  role: typeof CODEC_DECODE_ROLE;
}

/** Who is calling: an org member or operator (an API token), or the Web UI (its codec credential). */
export type Actor = Principal | OperatorPrincipal | CodecDecoder;
export type TokenActor = Principal | OperatorPrincipal;

export const isOrgMember = (actor: Actor): actor is Principal => (ROLES as readonly string[]).includes(actor.role);

export const isOperator = (actor: Actor): actor is OperatorPrincipal => actor.role === OPERATOR_ROLE;

// A token for another use (an `aud` claim) is never an API token.
const OrgClaims = z.object({ sub: z.string().min(1), org_id: z.string().min(1), role: z.enum(ROLES), exp: z.number(), aud: z.undefined().optional() });
const OperatorClaims = z.object({
  sub: z.string().min(1),
  org_id: z.undefined().optional(),
  role: z.literal(OPERATOR_ROLE),
  exp: z.number(),
  aud: z.undefined().optional(),
});
const ClaimsSchema = z.union([OrgClaims, OperatorClaims]);

const ALGORITHM = 'HS256';

export async function signAccessToken(actor: TokenActor, secret: string, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const times = { iat: nowSeconds, exp: nowSeconds + ttlSeconds };
  if (isOperator(actor)) return sign({ sub: actor.userId, role: OPERATOR_ROLE, ...times }, secret, ALGORITHM);
  return sign({ sub: actor.userId, org_id: actor.orgId, role: actor.role, ...times }, secret, ALGORITHM);
}

/** Throws when the token is forged, expired or lacks the claims we need. */
export async function verifyAccessToken(token: string, secret: string): Promise<TokenActor> {
  return (await verifyClaims(token, secret)).actor;
}

async function verifyClaims(token: string, secret: string): Promise<{ actor: TokenActor; exp: number }> {
  const claims = ClaimsSchema.parse(await verify(token, secret, ALGORITHM));
  const actor: TokenActor =
    claims.role === OPERATOR_ROLE ? { userId: claims.sub, role: OPERATOR_ROLE } : { userId: claims.sub, orgId: claims.org_id, role: claims.role };
  return { actor, exp: claims.exp };
}

/**
 * Verifies tokens, remembering the ones already verified: a client sends the same bearer token
 * with every request, and the HMAC check is the API's largest per-request cost. A remembered token
 * is still refused once its `exp` has passed; the cache is bounded (oldest entries evicted).
 */
export function createAccessTokenVerifier(secret: string, options: { maxEntries?: number; nowSeconds?: () => number } = {}) {
  const maxEntries = options.maxEntries ?? 10_000;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const verified = new Map<string, { actor: TokenActor; exp: number }>();
  const verifyToken = async (token: string): Promise<TokenActor> => {
    const known = verified.get(token);
    if (known && known.exp > nowSeconds()) return known.actor;
    verified.delete(token);
    const fresh = await verifyClaims(token, secret);
    // The verifier's own clock decides expiry too, so a cached and a fresh answer agree.
    if (fresh.exp <= nowSeconds()) throw new Error('The token has expired');
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(token, fresh);
    return fresh.actor;
  };
  /** How many verified tokens are remembered (never more than maxEntries). */
  return Object.assign(verifyToken, { remembered: () => verified.size });
}
