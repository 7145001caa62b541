import { z } from 'zod';
import { DEFAULT_PLATFORM_QUOTAS, type PlatformQuota, type PlatformQuotas, quotaProblem } from '../domain/platform-quotas';
import { PLATFORM_IDS, type PlatformId } from '../domain/platforms';

/**
 * `PLATFORM_QUOTAS`: JSON mapping platform ids to the quota lists that replace their documented
 * defaults (domain/platform-quotas.ts), for accounts on higher tiers or tests with tiny quotas, e.g.
 * `{"google_ads":[{"kind":"rolling","name":"per_second","scope":"app","limit":20,"windowSeconds":1}]}`.
 * Platforms not named keep their defaults; `[]` leaves a platform unthrottled.
 */
const name = z.string().regex(/^[a-z0-9_]{1,64}$/, 'quota names are lower-case words');
const scope = z.enum(['app', 'account']);
const quotaSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('token_bucket'), name, scope, burst: z.number().positive(), perSecond: z.number().positive() }).strict(),
  z.object({ kind: z.literal('rolling'), name, scope, limit: z.number().int().positive(), windowSeconds: z.number().positive() }).strict(),
  z
    .object({
      kind: z.literal('fixed_window'),
      name,
      scope,
      limit: z.number().int().positive(),
      windowSeconds: z.number().positive(),
      resetOffsetSeconds: z.number().nonnegative().optional(),
    })
    .strict(),
]);
const overridesSchema = z.partialRecord(z.enum(PLATFORM_IDS), z.array(quotaSchema));

export function loadPlatformQuotas(json: string | undefined): PlatformQuotas {
  if (!json) return DEFAULT_PLATFORM_QUOTAS;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('Invalid configuration: PLATFORM_QUOTAS is not valid JSON');
  }
  const parsed = overridesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Invalid configuration: PLATFORM_QUOTAS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const quotas: Record<PlatformId, readonly PlatformQuota[]> = { ...DEFAULT_PLATFORM_QUOTAS };
  for (const [platform, list] of Object.entries(parsed.data) as [PlatformId, PlatformQuota[]][]) {
    const problem = list.map((q) => quotaProblem(q)).find((p) => p !== null);
    if (problem) throw new Error(`Invalid configuration: PLATFORM_QUOTAS.${platform}: ${problem}`);
    const names = list.map((q) => `${q.scope}/${q.name}`);
    if (new Set(names).size !== names.length) throw new Error(`Invalid configuration: PLATFORM_QUOTAS.${platform}: quota names repeat within a scope`);
    quotas[platform] = list;
  }
  return quotas;
}
