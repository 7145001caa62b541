import { z } from 'zod';
import { addDays } from '../../domain/sync';
import type { ConnectorErrorKind } from '../connector-error';
import type { PlatformErrorDetails } from '../http-client';

/**
 * TikTok API for Business return codes (https://business-api.tiktok.com/portal/docs?id=1737172488964097).
 * TikTok answers nearly every failure with HTTP 200 and a non-zero `code`: the code, not the status, says what happened.
 */

/** Empty, expired, revoked or foreign tokens, and advertisers the token may not read: only a new authorization helps. */
const AUTH_CODES: ReadonlySet<number> = new Set([40001, 40102, 40104, 40105, 40106, 40119]);
/** "Requests made too frequently": developer-app limits (40016, 40100) and the per-advertiser limit (40133). */
const THROTTLE_CODES: ReadonlySet<number> = new Set([40016, 40100, 40133]);
/** A write conflict (40202), maintenance (60001) and the 5xxxx service errors clear up on their own. */
function isTransientCode(code: number): boolean {
  return code === 40202 || code === 60001 || (code >= 50000 && code < 60000);
}

function kindOfCode(code: number): ConnectorErrorKind | undefined {
  if (AUTH_CODES.has(code)) return 'auth';
  if (THROTTLE_CODES.has(code)) return 'rate_limited';
  if (isTransientCode(code)) return 'transient';
  return undefined;
}

const SECOND_MS = 1_000;
const QPM_SUSPENSION_MS = 5 * 60_000;

/**
 * TikTok sends no Retry-After: its throttling message names the limit hit, and the rate-limit guide
 * (https://business-api.tiktok.com/portal/docs/rate-limits/v1.3) gives each its recovery: a QPS limit lifts the next
 * second, a QPM limit suspends calls for 5 minutes, a QPD limit lasts until 00:00 UTC. Undefined when no limit is named.
 */
export function throttleDelayMs(message: string, now: number = Date.now()): number | undefined {
  const limit = /\bQP([SMD])\b/.exec(message)?.[1];
  if (limit === 'S') return SECOND_MS;
  if (limit === 'M') return QPM_SUSPENSION_MS;
  if (limit === 'D') return Date.parse(`${addDays(new Date(now).toISOString().slice(0, 10), 1)}T00:00:00Z`) - now;
  return undefined;
}

/** What a return code means for a retry; `kind` is undefined for codes that only say the request was wrong. */
export function returnCodeDetails(code: number, message: string, now: number = Date.now()): PlatformErrorDetails {
  const kind = kindOfCode(code);
  return { kind, message, platformCode: String(code), retryAfterMs: kind === 'rate_limited' ? throttleDelayMs(message, now) : undefined };
}

const failureBodySchema = z.object({ code: z.number().int(), message: z.string().default('') });

/** For the rare non-2xx answer (a gateway failure, a wrong path): its body may still carry a return code. */
export function classifyTikTokError(failure: { body: unknown }): PlatformErrorDetails {
  const parsed = failureBodySchema.safeParse(failure.body);
  return parsed.success ? returnCodeDetails(parsed.data.code, parsed.data.message) : {};
}
