/** The 16 platforms LiftOS Connect can connect to. Workflow-safe: plain data only. */
export const PLATFORM_IDS = [
  'meta_business',
  'google_ads',
  'klaviyo',
  'shopify',
  'woocommerce',
  'amazon_seller_central',
  'hubspot',
  'salesforce',
  'stripe',
  'paypal',
  'tiktok',
  'snowflake',
  'databricks',
  'zoho_crm',
  'linkedin_ads',
  'x_ads',
] as const;

export type PlatformId = (typeof PLATFORM_IDS)[number];

/**
 * The design's grouping of the catalogue, indexed by tier: Tier 0 (Core) carries most of the marketing signal,
 * each later tier widens it.
 */
export const PLATFORM_TIER_NAMES = ['Core', 'E-commerce', 'CRM/Payment', 'Social/Analytics', 'Extended'] as const;
export type PlatformTier = 0 | 1 | 2 | 3 | 4;
export type PlatformTierName = (typeof PLATFORM_TIER_NAMES)[number];

export type AuthType = 'oauth2' | 'api_key' | 'basic' | 'aws_sigv4_oauth2' | 'key_pair_jwt' | 'personal_access_token' | 'oauth1';

/** Normalised streams every platform maps its records onto. */
export const STREAM_KINDS = ['ad_performance', 'orders', 'contacts', 'payments', 'email_performance', 'warehouse_rows'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export interface PlatformInfo {
  id: PlatformId;
  name: string;
  tier: PlatformTier;
  authType: AuthType;
  category: 'advertising' | 'email' | 'ecommerce' | 'crm' | 'payments' | 'warehouse';
  streams: readonly StreamKind[];
  /** Credential fields a user must supply for a live connection. */
  credentialFields: readonly string[];
}

export const PLATFORMS: Readonly<Record<PlatformId, PlatformInfo>> = {
  meta_business: {
    id: 'meta_business',
    name: 'Meta Business',
    tier: 0,
    authType: 'oauth2',
    category: 'advertising',
    streams: ['ad_performance'],
    credentialFields: ['access_token'],
  },
  google_ads: {
    id: 'google_ads',
    name: 'Google Ads',
    tier: 0,
    authType: 'oauth2',
    category: 'advertising',
    streams: ['ad_performance'],
    credentialFields: ['access_token', 'developer_token'],
  },
  klaviyo: {
    id: 'klaviyo',
    name: 'Klaviyo',
    tier: 0,
    authType: 'api_key',
    category: 'email',
    streams: ['contacts', 'email_performance'],
    credentialFields: ['api_key'],
  },
  shopify: {
    id: 'shopify',
    name: 'Shopify',
    tier: 1,
    authType: 'oauth2',
    category: 'ecommerce',
    streams: ['orders', 'contacts'],
    credentialFields: ['access_token'],
  },
  woocommerce: {
    id: 'woocommerce',
    name: 'WooCommerce',
    tier: 1,
    authType: 'basic',
    category: 'ecommerce',
    streams: ['orders', 'contacts'],
    credentialFields: ['store_url', 'consumer_key', 'consumer_secret'],
  },
  amazon_seller_central: {
    id: 'amazon_seller_central',
    name: 'Amazon Seller Central',
    tier: 1,
    authType: 'aws_sigv4_oauth2',
    category: 'ecommerce',
    streams: ['orders'],
    credentialFields: ['refresh_token', 'client_id', 'client_secret'],
  },
  hubspot: { id: 'hubspot', name: 'HubSpot', tier: 2, authType: 'oauth2', category: 'crm', streams: ['contacts'], credentialFields: ['access_token'] },
  salesforce: {
    id: 'salesforce',
    name: 'Salesforce',
    tier: 2,
    authType: 'oauth2',
    category: 'crm',
    streams: ['contacts'],
    credentialFields: ['access_token', 'instance_url'],
  },
  stripe: {
    id: 'stripe',
    name: 'Stripe',
    tier: 2,
    authType: 'api_key',
    category: 'payments',
    streams: ['payments', 'contacts'],
    credentialFields: ['secret_key'],
  },
  paypal: {
    id: 'paypal',
    name: 'PayPal',
    tier: 2,
    authType: 'oauth2',
    category: 'payments',
    streams: ['payments'],
    credentialFields: ['client_id', 'client_secret'],
  },
  tiktok: {
    id: 'tiktok',
    name: 'TikTok',
    tier: 3,
    authType: 'oauth2',
    category: 'advertising',
    streams: ['ad_performance'],
    credentialFields: ['access_token', 'advertiser_id'],
  },
  snowflake: {
    id: 'snowflake',
    name: 'Snowflake',
    tier: 3,
    authType: 'key_pair_jwt',
    category: 'warehouse',
    streams: ['warehouse_rows'],
    credentialFields: ['account', 'user', 'private_key'],
  },
  databricks: {
    id: 'databricks',
    name: 'Databricks',
    tier: 3,
    authType: 'personal_access_token',
    category: 'warehouse',
    streams: ['warehouse_rows'],
    credentialFields: ['host', 'token', 'warehouse_id'],
  },
  zoho_crm: { id: 'zoho_crm', name: 'Zoho CRM', tier: 4, authType: 'oauth2', category: 'crm', streams: ['contacts'], credentialFields: ['access_token'] },
  linkedin_ads: {
    id: 'linkedin_ads',
    name: 'LinkedIn Ads',
    tier: 4,
    authType: 'oauth2',
    category: 'advertising',
    streams: ['ad_performance'],
    credentialFields: ['access_token'],
  },
  x_ads: {
    id: 'x_ads',
    name: 'X Ads',
    tier: 4,
    authType: 'oauth1',
    category: 'advertising',
    streams: ['ad_performance'],
    credentialFields: ['consumer_key', 'consumer_secret', 'access_token', 'access_token_secret'],
  },
};

export function isPlatformId(value: string): value is PlatformId {
  return (PLATFORM_IDS as readonly string[]).includes(value);
}
