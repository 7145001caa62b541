import { PLATFORM_IDS, PLATFORM_TIER_NAMES, PLATFORMS, type PlatformId } from '../../domain/platforms';

/** The design's catalogue grouping (Platform Selection): tier, its name, and the platforms in it. */
const DESIGN_TIERS: readonly { tier: number; name: string; platforms: readonly PlatformId[] }[] = [
  { tier: 0, name: 'Core', platforms: ['meta_business', 'google_ads', 'klaviyo'] },
  { tier: 1, name: 'E-commerce', platforms: ['shopify', 'woocommerce', 'amazon_seller_central'] },
  { tier: 2, name: 'CRM/Payment', platforms: ['hubspot', 'salesforce', 'stripe', 'paypal'] },
  { tier: 3, name: 'Social/Analytics', platforms: ['tiktok', 'snowflake', 'databricks'] },
  { tier: 4, name: 'Extended', platforms: ['zoho_crm', 'linkedin_ads', 'x_ads'] },
];

describe('platform tiers', () => {
  it('names the tiers as the design does, in tier order', () => {
    expect([...PLATFORM_TIER_NAMES]).toEqual(DESIGN_TIERS.map((t) => t.name));
  });

  it.each(DESIGN_TIERS)('tier $tier ($name) holds exactly $platforms', ({ tier, platforms }) => {
    const inTier = PLATFORM_IDS.filter((id) => PLATFORMS[id].tier === tier);
    expect([...inTier].sort()).toEqual([...platforms].sort());
  });

  it('puts every platform in one of the design tiers', () => {
    expect(DESIGN_TIERS.flatMap((t) => t.platforms).sort()).toEqual([...PLATFORM_IDS].sort());
  });
});
