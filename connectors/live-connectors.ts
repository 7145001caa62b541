import type { PlatformId } from '../domain/platforms';
import type { ConnectorFactory } from './connector';
import { createGoogleAdsConnector } from './google-ads/connector';
import { createHubSpotConnector } from './hubspot/connector';
import { createKlaviyoConnector } from './klaviyo/connector';
import { createLinkedInAdsConnector } from './linkedin-ads/connector';
import { createMetaBusinessConnector } from './meta-business/connector';
import { createSalesforceConnector } from './salesforce/connector';
import { createTikTokConnector } from './tiktok/connector';
import { createXAdsConnector } from './x-ads/connector';
import { createZohoCrmConnector } from './zoho-crm/connector';

/** Platforms with a connector for their real API; the others are served by the mock source. */
export const LIVE_CONNECTORS: Partial<Record<PlatformId, { create: ConnectorFactory; defaultBaseUrl: string }>> = {
  meta_business: { create: createMetaBusinessConnector, defaultBaseUrl: 'https://graph.facebook.com' },
  google_ads: { create: createGoogleAdsConnector, defaultBaseUrl: 'https://googleads.googleapis.com' },
  klaviyo: { create: createKlaviyoConnector, defaultBaseUrl: 'https://a.klaviyo.com' },
  tiktok: { create: createTikTokConnector, defaultBaseUrl: 'https://business-api.tiktok.com' },
  linkedin_ads: { create: createLinkedInAdsConnector, defaultBaseUrl: 'https://api.linkedin.com' },
  x_ads: { create: createXAdsConnector, defaultBaseUrl: 'https://ads-api.x.com' },
  hubspot: { create: createHubSpotConnector, defaultBaseUrl: 'https://api.hubapi.com' },
  salesforce: { create: createSalesforceConnector, defaultBaseUrl: 'https://login.salesforce.com' },
  zoho_crm: { create: createZohoCrmConnector, defaultBaseUrl: 'https://www.zohoapis.com' },
};
