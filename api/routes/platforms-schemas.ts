import { z } from 'zod';
import { PLATFORM_TIER_NAMES, type AuthType, type PlatformInfo, type PlatformTier } from '../../domain/platforms';
import { PlatformName, StreamName } from '../response-schemas';

const AUTH_TYPES = ['oauth2', 'api_key', 'basic', 'aws_sigv4_oauth2', 'key_pair_jwt', 'personal_access_token', 'oauth1'] as const satisfies readonly AuthType[];
const TIERS = [0, 1, 2, 3, 4] as const satisfies readonly PlatformTier[];
const CATEGORIES = ['advertising', 'email', 'ecommerce', 'crm', 'payments', 'warehouse'] as const satisfies readonly PlatformInfo['category'][];

/** A platform the API connects to: how it authenticates, what it serves, the credentials a live connection needs. */
const PlatformView = z
  .object({
    id: PlatformName,
    name: z.string(),
    tier: z.union(TIERS.map((tier) => z.literal(tier))),
    tier_name: z.enum(PLATFORM_TIER_NAMES),
    auth_type: z.enum(AUTH_TYPES),
    category: z.enum(CATEGORIES),
    streams: z.array(StreamName),
    credential_fields: z.array(z.string()),
  })
  .meta({ id: 'Platform' });

export const PlatformsResponse = z.object({ platforms: z.array(PlatformView) });
