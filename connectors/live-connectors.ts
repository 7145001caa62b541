import type { PlatformId } from '../domain/platforms';
import type { ConnectorFactory } from './connector';
import { createGoogleAdsConnector } from './google-ads/connector';
import { createHubSpotConnector } from './hubspot/connector';
import { createKlaviyoConnector } from './klaviyo/connector';
import { createLinkedInAdsConnector } from './linkedin-ads/connector';
import { createMetaBusinessConnector } from './meta-business/connector';
import { createSalesforceConnector } from './salesforce/connector';
import { createShopifyConnector } from './shopify/connector';
import { createStripeConnector } from './stripe/connector';
import { createPayPalConnector } from './paypal/connector';
import { createTikTokConnector } from './tiktok/connector';
import { createWooCommerceConnector } from './woocommerce/connector';
import { createXAdsConnector } from './x-ads/connector';
import { createZohoCrmConnector } from './zoho-crm/connector';
import { createSnowflakeConnector, SNOWFLAKE_DEFAULT_BASE_URL } from './snowflake/connector';
import { createDatabricksConnector, DATABRICKS_DEFAULT_BASE_URL } from './databricks/connector';
import { createAmazonSellerCentralConnector } from './amazon-seller-central/connector';

/** The connector for each platform's real API: every platform has one. */
export const LIVE_CONNECTORS: Record<PlatformId, { create: ConnectorFactory; defaultBaseUrl: string }> = {
  meta_business: { create: createMetaBusinessConnector, defaultBaseUrl: 'https://graph.facebook.com' },
  google_ads: { create: createGoogleAdsConnector, defaultBaseUrl: 'https://googleads.googleapis.com' },
  klaviyo: { create: createKlaviyoConnector, defaultBaseUrl: 'https://a.klaviyo.com' },
  tiktok: { create: createTikTokConnector, defaultBaseUrl: 'https://business-api.tiktok.com' },
  linkedin_ads: { create: createLinkedInAdsConnector, defaultBaseUrl: 'https://api.linkedin.com' },
  x_ads: { create: createXAdsConnector, defaultBaseUrl: 'https://ads-api.x.com' },
  hubspot: { create: createHubSpotConnector, defaultBaseUrl: 'https://api.hubapi.com' },
  salesforce: { create: createSalesforceConnector, defaultBaseUrl: 'https://login.salesforce.com' },
  zoho_crm: { create: createZohoCrmConnector, defaultBaseUrl: 'https://www.zohoapis.com' },
  // Per shop: `{shop}` is the connection's account id, the shop handle.
  shopify: { create: createShopifyConnector, defaultBaseUrl: 'https://{shop}.myshopify.com' },
  // Per store: `{store_url}` is the connection's store_url credential.
  woocommerce: { create: createWooCommerceConnector, defaultBaseUrl: '{store_url}' },
  stripe: { create: createStripeConnector, defaultBaseUrl: 'https://api.stripe.com' },
  paypal: { create: createPayPalConnector, defaultBaseUrl: 'https://api-m.paypal.com' },
  snowflake: { create: createSnowflakeConnector, defaultBaseUrl: SNOWFLAKE_DEFAULT_BASE_URL },
  databricks: { create: createDatabricksConnector, defaultBaseUrl: DATABRICKS_DEFAULT_BASE_URL },
  amazon_seller_central: { create: createAmazonSellerCentralConnector, defaultBaseUrl: 'https://sellingpartnerapi-na.amazon.com' },
};
