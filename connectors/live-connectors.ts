import type { PlatformId } from '../domain/platforms';
import type { ConnectorFactory } from './connector';
import { createGoogleAdsConnector } from './google-ads/connector';
import { createKlaviyoConnector } from './klaviyo/connector';
import { createMetaBusinessConnector } from './meta-business/connector';

/** Platforms with a connector for their real API; the others are served by the mock source. */
export const LIVE_CONNECTORS: Partial<Record<PlatformId, { create: ConnectorFactory; defaultBaseUrl: string }>> = {
  meta_business: { create: createMetaBusinessConnector, defaultBaseUrl: 'https://graph.facebook.com' },
  google_ads: { create: createGoogleAdsConnector, defaultBaseUrl: 'https://googleads.googleapis.com' },
  klaviyo: { create: createKlaviyoConnector, defaultBaseUrl: 'https://a.klaviyo.com' },
};
